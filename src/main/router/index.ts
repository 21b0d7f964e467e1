import { z } from 'zod';
import {
  api,
  checkAccess,
  isChannelName,
  roleCheck,
  type AccessFacts,
  type Api,
  LoupeError,
  type ApiError,
  type ApiResult,
  type ChannelName,
  type ChannelOutput,
  type ChannelParsedInput,
  type Channel,
  type User,
} from '../../shared';
import type { AuditEntry, AuditLog } from '../audit';
import { isDamageError } from '../store';

/** Which transport a call came through; recorded in its audit record. */
export type Transport = 'ipc' | 'cli' | 'harness' | 'test';

export interface CallContext<U extends User | null = User> {
  /** Never null on a channel the contract guards by role. */
  readonly user: U;
  readonly transport: Transport;
  /** Names what the call acted on, for its audit record (e.g. "case:abc", "face:12"). */
  setObject(object: string): void;
  /** Adds facts to the call's audit record (a search's purpose, its results...). */
  addDetails(details: Record<string, unknown>): void;
  /** Runs after the audit record is written: closing a case must wait for its last record. */
  afterAudit(fn: () => void | Promise<void>): void;
  /**
   * Runs the call's writes and appends its audit record in one transaction, so a crash or a
   * failed append never keeps the action without its record: the writes go to the store
   * that holds the call's chain (the open case's for a case channel, the workstation's for a
   * workstation channel). Once per call; `write` may still name the object and add details,
   * as the record is made after it. A call that never commits is recorded after it ends.
   */
  commit<T>(write: () => T): T;
}

/** Only public channels (sign-in, first run, status) may be called by nobody. */
export type ContextOf<K extends ChannelName> = Api[K]['roles'] extends 'public' ? CallContext<User | null> : CallContext;

export type Handler<K extends ChannelName> = (input: ChannelParsedInput<K>, ctx: ContextOf<K>) => Promise<ChannelOutput<K>> | ChannelOutput<K>;

export interface RouterSession {
  user(): User | null;
  /** What the contract's policies may look up in the stores. */
  facts(): AccessFacts;
  /** The open case's audit log, or null. */
  caseAudit(): AuditLog | null;
  workstationAudit(): AuditLog;
}

const MAX_AUDITED_STRING = 2000;
const MAX_AUDITED_ITEMS = 200;
const MAX_AUDITED_DEPTH = 6;
/** A call to no known channel may still carry a password (a mistyped name): every secret field name is hidden. */
const ANY_SECRET = [...new Set(Object.values(api).flatMap((c): readonly string[] => c.secret ?? []))];

/**
 * The audit record keeps what was asked, minus secrets, with long strings, long lists and
 * deep nesting cut, so a hostile request (huge, cyclic) cannot bloat or break the record.
 */
function redact(value: unknown, secret: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_AUDITED_STRING ? `${value.slice(0, MAX_AUDITED_STRING)}… [${value.length} characters]` : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return value === undefined ? undefined : redact(String(value), secret, depth);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (depth >= MAX_AUDITED_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.slice(0, MAX_AUDITED_ITEMS).map((v) => redact(v, [], depth + 1) ?? null);
  const entries: [string, unknown][] = [];
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    if (entries.length === MAX_AUDITED_ITEMS) break;
    entries.push([k, secret.includes(k) ? '[redacted]' : redact((value as Record<string, unknown>)[k], [], depth + 1)]);
  }
  return Object.fromEntries(entries);
}

/** The first problem of a request, with the field it concerns; cut short, as zod lists every unknown key. */
function inputError(err: z.ZodError): LoupeError {
  const issue = err.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.').slice(0, 200) : undefined;
  const message = issue ? (field ? `${field}: ${issue.message}` : issue.message) : 'Invalid request';
  return new LoupeError('invalid_input', message.length > 500 ? `${message.slice(0, 500)}…` : message, field);
}

function toApiError(err: unknown): ApiError {
  if (err instanceof LoupeError) return err.toApiError();
  if (isDamageError(err)) {
    return {
      code: 'integrity',
      message: `A database this call read is damaged (${(err as Error).message}); the call did not complete. Check the open case (Check case, or loupe case check --case REF) and restore its folder from the latest backup if the check finds damage.`,
    };
  }
  console.error('[loupe] internal error', err);
  return { code: 'internal', message: `Internal error: ${(err as Error)?.message ?? String(err)}. The operation did not complete; nothing else was changed.` };
}

const REFUSALS = new Set<ApiError['code']>(['invalid_input', 'unknown_channel', 'not_signed_in', 'forbidden', 'no_case_open', 'wrong_password', 'too_many_attempts', 'wrong_passphrase']);

/**
 * The one entry point of every operation, whatever the transport: checks the caller's
 * role (before reading the input, so a caller without the right learns nothing of the
 * schema), validates the input against the channel's schema, asks the channel's policy
 * (the contract's finer rules on that input), runs the handler, checks
 * its output and writes one audit record, refusals included. It never throws.
 */
export class Router {
  private readonly handlers = new Map<ChannelName, Handler<ChannelName>>();

  constructor(private readonly session: RouterSession) {}

  handle<K extends ChannelName>(name: K, handler: Handler<K>): void {
    if (this.handlers.has(name)) throw new Error(`Handler for ${name} registered twice`);
    this.handlers.set(name, handler as unknown as Handler<ChannelName>);
  }

  /** Throws at start-up if a channel of the contract has no handler. */
  assertComplete(): void {
    const missing = (Object.keys(api) as ChannelName[]).filter((n) => !this.handlers.has(n));
    if (missing.length > 0) throw new Error(`No handler for: ${missing.join(', ')}`);
  }

  async call(name: unknown, rawInput: unknown, transport: Transport): Promise<ApiResult<unknown>> {
    const caseAtStart = this.session.caseAudit();
    const user = this.session.user();
    let object: string | null = null;
    let details: Record<string, unknown> = {};
    const deferred: Array<() => void | Promise<void>> = [];
    const channelName = isChannelName(name) ? name : null;
    let input: unknown = rawInput;
    /** The chain that took the call's record with its writes, once it committed. */
    let committed: AuditLog | null = null;
    let undone = false;
    const entry = (log: AuditLog, result: ApiResult<unknown>): AuditEntry => ({
      user: this.session.user()?.username ?? user?.username ?? null,
      action: channelName ?? 'unknown',
      object,
      outcome: result.ok ? 'ok' : REFUSALS.has(result.error.code) ? 'refused' : 'failed',
      details: this.recorded(log, channelName, transport, input, details, result),
    });

    let result: ApiResult<unknown>;
    try {
      if (!channelName) throw new LoupeError('unknown_channel', `There is no operation called ${JSON.stringify(String(name)).slice(0, 100)}.`);
      const spec: Channel = api[channelName];
      const byRole = roleCheck(spec, user);
      if (byRole) throw new LoupeError(byRole.code, byRole.message);
      if (spec.scope === 'case' && !caseAtStart) throw new LoupeError('no_case_open', 'Open a case first.');
      const parsed = spec.input.safeParse(rawInput ?? {});
      if (!parsed.success) throw inputError(parsed.error);
      input = parsed.data;
      object = spec.object?.(parsed.data) ?? null;
      const byPolicy = checkAccess(spec, user, parsed.data, this.session.facts());
      if (byPolicy) throw new LoupeError(byPolicy.code, byPolicy.message);
      const handler = this.handlers.get(channelName);
      if (!handler) throw new LoupeError('unavailable', `${channelName} is not available in this build.`);
      const ctx: CallContext<User | null> = {
        user,
        transport,
        setObject: (o) => void (object = o),
        addDetails: (d) => void (details = { ...details, ...d }),
        afterAudit: (fn) => void deferred.push(fn),
        commit: (write) => {
          if (committed) throw new Error(`${channelName} committed twice: one call, one record`);
          const log = spec.scope === 'case' && caseAtStart ? caseAtStart : this.session.workstationAudit();
          try {
            const value = log.record(write, () => entry(log, { ok: true, value: null }));
            committed = log;
            return value;
          } catch (err) {
            undone = true;
            throw err;
          }
        },
      };
      const value = await handler(parsed.data as never, ctx as never);
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        console.error(`[loupe] ${channelName} returned a value outside its schema`, checked.error.issues.slice(0, 3));
        throw new LoupeError('internal', `Internal error: ${channelName} produced an invalid answer. Nothing more was done.`);
      }
      result = { ok: true, value: checked.data };
    } catch (err) {
      result = { ok: false, error: toApiError(err) };
    }

    // A call that committed has its record; if it failed after that, the failure is recorded too.
    const log = committed ?? caseAtStart ?? this.session.caseAudit() ?? this.session.workstationAudit();
    try {
      if (!committed || !result.ok) log.append(entry(log, result));
    } catch (err) {
      // An action that cannot be recorded must not be reported as done; it may have taken effect, though, so say so.
      console.error('[loupe] audit write failed', err);
      const effect = undone ? 'Its writes were undone with it: nothing was changed.' : 'The operation may have taken effect without its record: check before repeating it.';
      result = { ok: false, error: { code: 'internal', message: `The audit record could not be written (${(err as Error).message}). ${effect}` } };
    }
    for (const fn of deferred) {
      try {
        await fn();
      } catch (err) {
        result = { ok: false, error: toApiError(err) };
      }
    }
    return result;
  }

  /**
   * What the record says of the call. The workstation chain is plaintext, so a case-scoped
   * call that lands there (refused: no case open, or the caller's role) keeps no input and
   * only its error code, and a workstation call keeps no case content (a failed create).
   */
  private recorded(log: AuditLog, channelName: ChannelName | null, transport: Transport, input: unknown, details: Record<string, unknown>, result: ApiResult<unknown>): Record<string, unknown> {
    const spec = channelName ? api[channelName] : null;
    const plaintext = log.chain === 'workstation';
    if (plaintext && spec?.scope === 'case') return { transport, ...(result.ok ? {} : { error: { code: result.error.code } }) };
    const hidden = spec ? [...(spec.secret ?? []), ...(plaintext ? (spec.caseContent ?? []) : [])] : ANY_SECRET;
    return { transport, input: redact(input, hidden), ...details, ...(result.ok ? {} : { error: result.error }) };
  }
}
