import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import {
  api,
  checkAccess,
  mediaRef,
  roleRefusal,
  type ApiError,
  type ApiEvent,
  type ApiResult,
  type Channel,
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  type LoupeBridge,
  type Role,
  type SessionStatus,
  type User,
  NO_FACTS,
} from '../../shared';

declare global {
  interface Window {
    /** Provided by the Electron preload or the end-to-end harness; absent in a bare browser. */
    loupe?: LoupeBridge;
  }
}

/** Messages for the fields of a form, by input field name. */
export type FieldErrors = Partial<Record<string, string>>;

export interface Session {
  bridge: LoupeBridge;
  status: SessionStatus;
  /** Asks main again who is signed in and which case is open. */
  refresh(): void;
  navigate(path: string): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside <SessionContext>');
  return s;
}

/** The signed-in user; screens behind sign-in only. */
export function useUser() {
  const { status } = useSession();
  if (!status.user) throw new Error('useUser with nobody signed in');
  return status.user;
}

/** Whether a role may call a channel, read from the contract so the UI never disagrees with main. */
export function may(role: Role | undefined, channel: ChannelName): boolean {
  const roles = api[channel].roles;
  return roles === 'public' || (role !== undefined && (roles as readonly Role[]).includes(role));
}

/** The sentence shown when a role may not do something: the one main answers with. */
export function refusal(role: Role, channel: ChannelName): string {
  return roleRefusal(role, api[channel].summary);
}

/**
 * Whether the user may make this very call: the role list and the channel's policy on this
 * input (which audit chain...), the rules main applies. The UI holds no stored facts, so a
 * rule that turns on them (the examiner review's) is main's alone to answer.
 */
export function mayCall<K extends ChannelName>(user: User, channel: K, input: ChannelInput<K>): boolean {
  const spec: Channel = api[channel];
  const parsed = spec.input.safeParse(input);
  return parsed.success ? checkAccess(spec, user, parsed.data, NO_FACTS) === null : may(user.role, channel);
}

/** Calls main; a transport failure becomes an ApiResult like any other error, never a thrown exception. */
export async function invoke<K extends ChannelName>(bridge: LoupeBridge, channel: K, input: ChannelInput<K>): Promise<ApiResult<ChannelOutput<K>>> {
  try {
    return await bridge.invoke(channel, input);
  } catch (err) {
    return { ok: false, error: { code: 'unavailable', message: `The workstation did not answer (${(err as Error)?.message ?? String(err)}). Try again; if it keeps failing, restart Loupe.` } };
  }
}

/**
 * Turns schema issues into one message per field, named by its dotted path as main names
 * it ("options.exhibitRef"); the first issue wins, the way main reports the first one, so a
 * form can show every problem at once.
 */
export function fieldErrorsOf(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.');
    if (out[key] === undefined) out[key] = issue.message;
  }
  return out;
}

/** The error for a "Confirm" field that does not repeat the password or passphrase above it; main never sees the confirmation. */
export function confirmError(secret: string, confirm: string, what: 'passwords' | 'passphrases'): FieldErrors {
  return secret === confirm ? {} : { confirm: `The two ${what} are not the same` };
}

/** Files each error under the control that shows it (see formFieldOf); the rest under '' for the form's alert. */
export function placeErrors(errors: FieldErrors, has: (name: string) => boolean): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    if (message === undefined) continue;
    const at = formFieldOf(key, has) ?? '';
    if (out[at] === undefined) out[at] = message;
  }
  return out;
}

/** Main prefixes a schema message with its field ("username: ..."); beside the field that is noise. */
export function messageForField(error: ApiError): string {
  const prefix = `${error.field}: `;
  return error.field && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/**
 * The form field an error names: the field itself ("options.exhibitRef"), or the nearest
 * control that stands for its part of the input ("target" for "target.watchlists.0",
 * "paths" for "paths.2"); null when the form has none.
 */
export function formFieldOf(field: string | undefined, has: (name: string) => boolean): string | null {
  const parts = field ? field.split('.') : [];
  for (let n = parts.length; n > 0; n--) {
    const name = parts.slice(0, n).join('.');
    if (has(name)) return name;
  }
  return null;
}

/** Errors that mean the UI's idea of the session is stale. */
const SESSION_DRIFT = new Set<ApiError['code']>(['not_signed_in', 'no_case_open', 'case_already_open']);

/**
 * One call to main at a time: while one runs, `busy` says so and another is dropped (null),
 * since a second Enter or click must not send the request twice. An error that means the
 * UI's idea of the session is stale makes it ask main again.
 */
function useSingleCall() {
  const { bridge, refresh } = useSession();
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  const running = () => inFlight.current;
  const call = async <K extends ChannelName>(channel: K, input: ChannelInput<K>): Promise<ApiResult<ChannelOutput<K>> | null> => {
    if (inFlight.current) return null;
    inFlight.current = true;
    setBusy(true);
    const r = await invoke(bridge, channel, input);
    inFlight.current = false;
    setBusy(false);
    if (!r.ok && SESSION_DRIFT.has(r.error.code)) refresh();
    return r;
  };
  return { busy, running, call };
}

/**
 * A form bound to one channel: checks the input against the channel's own schema first
 * (every problem at once, focus on the first), then asks main; an error naming a field is
 * shown beside it, any other in the form's alert.
 */
export function useChannelForm<K extends ChannelName>(channel: K, formId: string) {
  const { busy, running, call } = useSingleCall();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<string | null>(null);
  const fieldId = useCallback((name: string) => `${formId}-${name}`, [formId]);

  const focusField = (name: string) => {
    const el = document.getElementById(fieldId(name));
    // A field folded away (the search filters) cannot take focus, and its error would not be seen.
    const fold = el?.closest('details');
    if (fold && !fold.open) fold.open = true;
    el?.focus();
  };
  const hasField = (name: string) => document.getElementById(fieldId(name)) !== null;

  const submit = async (input: ChannelInput<K>, extra: FieldErrors = {}): Promise<ChannelOutput<K> | null> => {
    if (running()) return null;
    setAlert(null);
    const parsed = api[channel].input.safeParse(input);
    const found = placeErrors({ ...(parsed.success ? {} : fieldErrorsOf(parsed.error.issues)), ...extra }, hasField);
    const fields = Object.keys(found).filter((k) => found[k] !== undefined);
    if (fields.length > 0) {
      setErrors(found);
      if (found[''] !== undefined) setAlert(found[''] ?? null);
      const first = fields.find((f) => f !== '');
      if (first) focusField(first);
      return null;
    }
    setErrors({});
    const r = await call(channel, input);
    if (!r) return null;
    if (r.ok) return r.value;
    const field = formFieldOf(r.error.field, hasField);
    if (field) {
      setErrors({ [field]: messageForField(r.error) });
      focusField(field);
    } else {
      setAlert(r.error.message);
    }
    return null;
  };

  return { errors, alert, busy, submit, fieldId };
}

/** One-off actions outside a form (close, verify, export...): errors go to the caller's alert region. */
export function useAction() {
  const { busy, running, call } = useSingleCall();
  const [alert, setAlert] = useState<string | null>(null);
  const run = async <K extends ChannelName>(channel: K, input: ChannelInput<K>): Promise<ChannelOutput<K> | null> => {
    if (running()) return null;
    setAlert(null);
    const r = await call(channel, input);
    if (!r) return null;
    if (r.ok) return r.value;
    setAlert(r.error.message);
    return null;
  };
  return { run, busy, alert };
}

export type Loaded<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; message: string };

/**
 * Reads a channel when the screen shows and whenever `key` changes; reload() asks again.
 * Answers that arrive after a newer request are dropped.
 */
export function useLoad<K extends ChannelName>(channel: K, input: ChannelInput<K>, key: string = JSON.stringify(input)) {
  const { bridge, refresh } = useSession();
  const [loaded, setLoaded] = useState<Loaded<ChannelOutput<K>>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const inputRef = useRef(input);
  inputRef.current = input;

  useEffect(() => {
    const ticket = ++latest.current;
    void invoke(bridge, channel, inputRef.current).then((r) => {
      if (ticket !== latest.current) return;
      setLoaded(r.ok ? { state: 'ready', value: r.value } : { state: 'failed', message: r.error.message });
      if (!r.ok && SESSION_DRIFT.has(r.error.code)) refresh();
    });
  }, [bridge, channel, key, generation, refresh]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { loaded, reload, setLoaded };
}

/** Listens to main's push messages (import progress, index progress) while the component is shown. */
export function useEvents(listener: (event: ApiEvent) => void): void {
  const { bridge } = useSession();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => bridge.onEvent((e) => latest.current(e)), [bridge]);
}

/** The URL of an image of the open case (exhibit/<id>/thumb, face/<id>/crop...). */
export function useMedia(): (ref: string) => string {
  const { bridge, status } = useSession();
  const caseId = status.openCase?.id;
  return useCallback(
    (ref: string) => {
      if (!caseId) throw new Error('useMedia with no case open');
      return bridge.mediaUrl(mediaRef(caseId, ref));
    },
    [bridge, caseId],
  );
}
