import { z } from 'zod';
import {
  api,
  isChannelName,
  LoupeError,
  type ApiError,
  type ApiResult,
  type ChannelName,
  type ChannelOutput,
  type ChannelParsedInput,
  type User,
} from '../../shared';
import type { AuditLog } from '../audit';

/** Which transport a call came through; recorded in its audit record. */
export type Transport = 'ipc' | 'cli' | 'harness' | 'test';

export interface CallContext {
  readonly user: User | null;
  readonly transport: Transport;
  /** Names what the call acted on, for its audit record (e.g. "case:abc", "face:12"). */
  setObject(object: string): void;
  /** Adds facts to the call's audit record (a search's purpose, its results...). */
  addDetails(details: Record<string, unknown>): void;
  /** Runs after the audit record is written: closing a case must wait for its last record. */
  afterAudit(fn: () => void | Promise<void>): void;
}

export type Handler<K extends ChannelName> = (input: ChannelParsedInput<K>, ctx: CallContext) => Promise<ChannelOutput<K>> | ChannelOutput<K>;
export type Handlers = { [K in ChannelName]: Handler<K> };

export interface RouterSession {
  user(): User | null;
  /** The open case's audit log, or null. */
  caseAudit(): AuditLog | null;
  workstationAudit(): AuditLog;
  /** Called after every record appended to a case chain (the workstation keeps its head as an anchor). */
  onCaseAudited(log: AuditLog): void;
}

const MAX_AUDITED_STRING = 2000;

/** The audit record keeps what was asked, minus secrets, with long strings cut. */
function redact(value: unknown, secret: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_AUDITED_STRING ? `${value.slice(0, MAX_AUDITED_STRING)}… [${value.length} characters]` : value;
  if (depth > 6 || value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint' ? String(value) : value;
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redact(v, [], depth + 1));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, secret.includes(k) ? '[redacted]' : redact(v, [], depth + 1)]));
}

function zodToApiError(err: z.ZodError): ApiError {
  const issue = err.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const message = issue ? (field ? `${field}: ${issue.message}` : issue.message) : 'Invalid request';
  return field ? { code: 'invalid_input', message, field } : { code: 'invalid_input', message };
}

function toApiError(err: unknown): ApiError {
  if (err instanceof LoupeError) return err.toApiError();
  if (err instanceof z.ZodError) return zodToApiError(err);
  console.error('[loupe] internal error', err);
  return { code: 'internal', message: `Internal error: ${(err as Error)?.message ?? String(err)}. The operation did not complete; nothing else was changed.` };
}

const REFUSALS = new Set<ApiError['code']>(['invalid_input', 'unknown_channel', 'not_signed_in', 'forbidden', 'no_case_open', 'wrong_password', 'wrong_passphrase']);

/**
 * The one entry point of every operation, whatever the transport: validates the input
 * against the channel's schema, checks the caller's role, runs the handler, checks its
 * output and writes one audit record, refusals included. It never throws.
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
    const secret = channelName ? (api[channelName].secret ?? []) : [];
    let auditedInput: unknown = redact(rawInput, secret);

    let result: ApiResult<unknown>;
    try {
      if (!channelName) throw new LoupeError('unknown_channel', `There is no operation called ${JSON.stringify(String(name)).slice(0, 100)}.`);
      const spec = api[channelName];
      if (spec.roles !== 'public') {
        if (!user) throw new LoupeError('not_signed_in', 'Sign in first.');
        if (!(spec.roles as readonly string[]).includes(user.role)) {
          throw new LoupeError('forbidden', `Your role (${user.role}) may not do this: ${spec.summary.charAt(0).toLowerCase()}${spec.summary.slice(1)}.`);
        }
      }
      if (spec.scope === 'case' && !caseAtStart) throw new LoupeError('no_case_open', 'Open a case first.');
      const parsed = spec.input.safeParse(rawInput ?? {});
      if (!parsed.success) throw parsed.error;
      auditedInput = redact(parsed.data, secret);
      const handler = this.handlers.get(channelName);
      if (!handler) throw new LoupeError('unavailable', `${channelName} is not available in this build.`);
      const ctx: CallContext = {
        user,
        transport,
        setObject: (o) => void (object = o),
        addDetails: (d) => void (details = { ...details, ...d }),
        afterAudit: (fn) => void deferred.push(fn),
      };
      const value = await handler(parsed.data as never, ctx);
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        console.error(`[loupe] ${channelName} returned a value outside its schema`, checked.error.issues.slice(0, 3));
        throw new LoupeError('internal', `Internal error: ${channelName} produced an invalid answer. Nothing more was done.`);
      }
      result = { ok: true, value: checked.data };
    } catch (err) {
      result = { ok: false, error: toApiError(err) };
    }

    const log = caseAtStart ?? this.session.caseAudit() ?? this.session.workstationAudit();
    const outcome = result.ok ? 'ok' : REFUSALS.has(result.error.code) ? 'refused' : 'failed';
    const actor = this.session.user()?.username ?? user?.username ?? null;
    try {
      log.append({
        user: actor,
        action: channelName ?? 'unknown',
        object,
        outcome,
        details: { transport, input: auditedInput, ...details, ...(result.ok ? {} : { error: result.error }) },
      });
      if (log.chain === 'case') this.session.onCaseAudited(log);
    } catch (err) {
      // An action that cannot be recorded must not be reported as done.
      console.error('[loupe] audit write failed', err);
      result = { ok: false, error: { code: 'internal', message: `The audit record could not be written (${(err as Error).message}); treat the operation as not done and check the case.` } };
    }
    for (const fn of deferred) await fn();
    return result;
  }
}
