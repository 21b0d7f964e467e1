#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { LoupeError, visibleText } from '../shared';
import { EXIT, EXIT_HELP, exitCodeOf, type CommandContext } from './args';
import { COMMANDS as SETUP_COMMANDS } from './commands';
import { DEMO } from './demo';
import { WORKFLOW_COMMANDS } from './workflow';

const COMMANDS = [...SETUP_COMMANDS, ...WORKFLOW_COMMANDS, DEMO];

const USAGE = `loupe: offline face comparison workstation (command line)

usage: loupe [--home DIR] [--as USER] [--json] <command> [options]

${COMMANDS.map((c) => (c.usage.length > 58 ? `  ${c.usage}\n  ${''.padEnd(58)} ${c.summary}` : `  ${c.usage.padEnd(58)} ${c.summary}`)).join('\n')}

Secrets come from LOUPE_PASSWORD (sign-in) and LOUPE_PASSPHRASE (case), or are asked for.
The workstation lives in --home, LOUPE_HOME or ~/.loupe. --json prints every result as JSON.
${EXIT_HELP}`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { home: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const words = positionals;
  // The longest match: "search list" is not "search".
  const command = COMMANDS.filter((c) => c.words.every((w, i) => words[i] === w)).sort((a, b) => b.words.length - a.words.length)[0];
  if (values.help || !command) {
    if (!values.help && words.length > 0) {
      process.stderr.write(`loupe: unknown command "${visibleText(words.join(' '))}"; see loupe --help\n`);
      return EXIT.usage;
    }
    process.stdout.write(`${USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const ctx: CommandContext = {
    home: typeof values.home === 'string' ? values.home : undefined,
    as: typeof values.as === 'string' ? values.as : process.env.LOUPE_USER,
    json: values.json === true,
    args: words.slice(command.words.length),
    argv,
  };
  await command.run(ctx);
  return EXIT.ok;
}

/** Exits once stdout is written out: to a pipe it is asynchronous, and exiting at once cut long listings short. */
const exit = (code: number) => process.stdout.write('', () => process.exit(code));

main(process.argv.slice(2)).then(
  (code) => exit(code),
  (err: unknown) => {
    const message = err instanceof LoupeError || err instanceof Error ? err.message : String(err);
    const code = exitCodeOf(err);
    // Messages name files and users: shown whole, with their control characters made visible; JSON escapes them itself.
    if (process.argv.includes('--json')) process.stderr.write(`${JSON.stringify({ error: { code: err instanceof LoupeError ? err.code : 'internal', message, exit: code } })}\n`);
    else process.stderr.write(`loupe: ${visibleText(message)}\n`);
    if (process.env.LOUPE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    exit(code);
  },
);
