/**
 * The `sherpa` command. Thin by design: each command lives in ./commands and calls the core or the lab.
 */
import { formatError } from '../core/errors';
import { runtimeWarning } from './runtime';
// A named import: esbuild keeps only `version` of package.json in the bundle.
import { version } from '../../package.json';

type Command = { usage: string; run: (argv: string[]) => Promise<number> };

// Commands load lazily: `sherpa decode` should not pay for (or print warnings from) the lab's
// authorization server, which only `lab`, `story` and `serve` need.
const commands: Record<string, () => Promise<Command>> = {
  lab: async () => {
    const m = await import('./commands/lab');
    return { usage: m.labUsage, run: m.runLabCommand };
  },
  story: async () => {
    const m = await import('./commands/story');
    return { usage: m.storyUsage, run: m.runStoryCommand };
  },
  token: async () => {
    const m = await import('./commands/token');
    return { usage: m.tokenUsage, run: m.runTokenCommand };
  },
  connect: async () => {
    const m = await import('./commands/connect');
    return { usage: m.connectUsage, run: m.runConnectCommand };
  },
  audit: async () => {
    const m = await import('./commands/audit');
    return { usage: m.auditUsage, run: m.runAuditCommand };
  },
  decode: async () => {
    const m = await import('./commands/decode');
    return { usage: m.decodeUsage, run: m.runDecodeCommand };
  },
  exploit: async () => {
    const m = await import('./commands/exploit');
    return { usage: m.exploitUsage, run: m.runExploitCommand };
  },
  keys: async () => {
    const m = await import('./commands/keys');
    return { usage: m.keysUsage, run: m.runKeysCommand };
  },
  serve: async () => {
    const m = await import('./commands/serve');
    return { usage: m.serveUsage, run: m.runServeCommand };
  },
  azure: async () => {
    const m = await import('./commands/azure');
    return { usage: m.azureUsage, run: m.runAzureCommand };
  },
  'conformance-client': async () => {
    const m = await import('./commands/conformance-client');
    return { usage: m.conformanceClientUsage, run: m.runConformanceClientCommand };
  },
};

async function usage(): Promise<string> {
  const all = await Promise.all(Object.values(commands).map((load) => load()));
  return [
    'Usage: sherpa <command> [options]   (sherpa --version prints the version)',
    '',
    ...all.map((c) => c.usage),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await usage()) + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`sherpa ${version} (Node ${process.versions.node})\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`sherpa: unknown command '${name}'\n\n${await usage()}\n`);
    return 2;
  }
  const warning = runtimeWarning();
  if (warning) process.stderr.write(warning + '\n');
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`sherpa: ${formatError(err)}\n`);
    process.exit(1);
  },
);
