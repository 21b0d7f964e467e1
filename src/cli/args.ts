import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LoupeError, visibleText as t } from '../shared';

export interface CommandContext {
  home: string | undefined;
  as: string | undefined;
  json: boolean;
  /** Words after the command's own. */
  args: string[];
  argv: string[];
}

export interface Command {
  words: string[];
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<void>;
}

/** What a script can tell from `loupe`'s exit status (listed in --help). */
export const EXIT = {
  ok: 0,
  /** The work could not be done: bad input to the workstation, something not found, a file that cannot be read. */
  failed: 1,
  /** The command line itself is wrong: an unknown command or option, a missing or malformed value. */
  usage: 2,
  /** Refused: not signed in, a wrong password or passphrase, a locked account, or a role or rule that does not allow it. */
  refused: 3,
  /** A check found damage or tampering: an audit chain, a case database, an original file, a model pack. */
  integrity: 4,
} as const;

export const EXIT_HELP = `Exit status: ${EXIT.ok} done; ${EXIT.failed} failed (bad input, not found, unreadable file); ${EXIT.usage} wrong command line;
${EXIT.refused} refused (sign-in, passphrase, role or rule); ${EXIT.integrity} damage or tampering found by a check.`;

/** A mistake in the command line, found before anything is asked of the workstation. */
export class UsageError extends LoupeError {
  constructor(message: string) {
    super('invalid_input', message);
  }
}

const REFUSED = new Set(['not_signed_in', 'forbidden', 'wrong_password', 'too_many_attempts', 'wrong_passphrase']);

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  // node:util parseArgs: an unknown option, or a value missing or given where none is taken.
  if (err instanceof TypeError && String((err as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS')) return EXIT.usage;
  if (err instanceof LoupeError) return REFUSED.has(err.code) ? EXIT.refused : err.code === 'integrity' ? EXIT.integrity : EXIT.failed;
  return EXIT.failed;
}

const GLOBAL = { home: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } } as const;

export function options<O extends NonNullable<ParseArgsConfig['options']>>(ctx: CommandContext, opts: O) {
  return parseArgs({ args: ctx.argv, options: { ...GLOBAL, ...opts }, allowPositionals: true, strict: true });
}

export function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export const optionalString = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function wholeNumber(v: unknown, name: string): number | undefined {
  if (typeof v !== 'string') return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, not ${t(v)}`);
  return Number(v);
}

/** A positive id named on the command line (a face, an exhibit, a watch list...). */
export function idOf(v: string | undefined, what: string, hint: string): number {
  if (v === undefined || !/^[1-9]\d{0,9}$/.test(v)) throw new UsageError(`Name the ${what} by its number: ${hint}${v !== undefined ? `, not ${t(v)}` : ''}`);
  return Number(v);
}

export const print = (ctx: CommandContext, value: unknown, human: () => string) => {
  process.stdout.write(ctx.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
};
