/**
 * The `sherpa` command. Thin by design: each command lives in ./commands and calls the core or the lab.
 */
import { conformanceClientUsage, runConformanceClientCommand } from './commands/conformance-client';
import { formatError } from '../core/errors';
import { connectUsage, runConnectCommand } from './commands/connect';
import { decodeUsage, runDecodeCommand } from './commands/decode';
import { exploitUsage, runExploitCommand } from './commands/exploit';
import { keysUsage, runKeysCommand } from './commands/keys';
import { labUsage, runLabCommand } from './commands/lab';
import { runServeCommand, serveUsage } from './commands/serve';
import { runStoryCommand, storyUsage } from './commands/story';
import { runTokenCommand, tokenUsage } from './commands/token';

type Command = { usage: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  lab: { usage: labUsage, run: runLabCommand },
  story: { usage: storyUsage, run: runStoryCommand },
  token: { usage: tokenUsage, run: runTokenCommand },
  connect: { usage: connectUsage, run: runConnectCommand },
  decode: { usage: decodeUsage, run: runDecodeCommand },
  exploit: { usage: exploitUsage, run: runExploitCommand },
  keys: { usage: keysUsage, run: runKeysCommand },
  serve: { usage: serveUsage, run: runServeCommand },
  'conformance-client': { usage: conformanceClientUsage, run: runConformanceClientCommand },
};

function usage(): string {
  return ['Usage: sherpa <command> [options]', '', ...Object.values(commands).map((c) => c.usage)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`sherpa: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
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
