#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { LoupeError, visibleText } from '../shared';
import { COMMANDS, type CommandContext } from './commands';

const USAGE = `loupe: offline face comparison workstation (command line)

usage: loupe [--home DIR] [--as USER] [--json] <command> [options]

${COMMANDS.map((c) => `  ${c.usage.padEnd(58)} ${c.summary}`).join('\n')}

Secrets come from LOUPE_PASSWORD (sign-in) and LOUPE_PASSPHRASE (case), or are asked for.
The workstation lives in --home, LOUPE_HOME or ~/.loupe.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { home: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const words = positionals;
  const command = COMMANDS.find((c) => c.words.every((w, i) => words[i] === w));
  if (values.help || !command) {
    if (!values.help && words.length > 0) {
      process.stderr.write(`loupe: unknown command "${visibleText(words.join(' '))}"; see loupe --help\n`);
      return 2;
    }
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const ctx: CommandContext = {
    home: typeof values.home === 'string' ? values.home : undefined,
    as: typeof values.as === 'string' ? values.as : process.env.LOUPE_USER,
    json: values.json === true,
    args: words.slice(command.words.length),
    argv,
  };
  await command.run(ctx);
  return 0;
}

/** Exits once stdout is written out: to a pipe it is asynchronous, and exiting at once cut long listings short. */
const exit = (code: number) => process.stdout.write('', () => process.exit(code));

main(process.argv.slice(2)).then(
  (code) => exit(code),
  (err: unknown) => {
    const message = err instanceof LoupeError || err instanceof Error ? err.message : String(err);
    // Messages name files and users: shown whole, with their control characters made visible.
    process.stderr.write(`loupe: ${visibleText(message)}\n`);
    if (process.env.LOUPE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    exit(1);
  },
);
