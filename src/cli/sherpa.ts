/**
 * The `sherpa` command. Thin by design: each command lives in ./commands and calls the core or the lab.
 */
import { conformanceClientUsage, runConformanceClientCommand } from './commands/conformance-client';
import { labUsage, runLabCommand } from './commands/lab';

type Command = { usage: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  lab: { usage: labUsage, run: runLabCommand },
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
    const e = err as { message?: string; code?: string; hint?: string };
    process.stderr.write(`sherpa: ${e?.message ?? String(err)}${e?.code ? ` [${e.code}]` : ''}\n`);
    if (e?.hint) process.stderr.write(`  → ${e.hint}\n`);
    process.exit(1);
  },
);
