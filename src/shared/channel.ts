import type { z } from 'zod';
import type { User } from './domain';
import { ROLE_LABEL, type Role } from './roles';

/** Who may call a channel: 'public' channels work before sign-in (first run, sign-in, status). */
export type Access = readonly Role[] | 'public';

/**
 * What a policy may look up in the stores, read-only, answered by main: the rules of the
 * examiner review turn on who took part in a comparison, so "the verifier is not the first
 * examiner" is declared beside its channel like any other rule.
 */
export interface AccessFacts {
  /** Who examined and who verified a comparison of the open case (empty lists when none, or no case is open). */
  reviewParticipants(itemId: number): { examiners: readonly string[]; verifiers: readonly string[] };
  /** Who asked for a search authorisation of the open case (null when there is none, or no case is open). */
  authorisationRequester(requestId: number): string | null;
}

/** The facts of a caller that knows none (the UI, which shows main's own answer for rules that turn on stored facts). */
export const NO_FACTS: AccessFacts = { reviewParticipants: () => ({ examiners: [], verifiers: [] }), authorisationRequester: () => null };

/**
 * A rule finer than the role list, declared with its channel: it sees who calls, the parsed
 * input and, for rules that turn on what was recorded, the read-only facts. It answers the
 * sentence the caller reads when refused, or null. The router asks it after the input is
 * parsed and before the handler runs; the UI asks the same rule to hide or explain a control.
 */
export type Policy<I, F = AccessFacts> = (call: { user: User; input: I; facts: F }) => string | null;

/**
 * One operation of the API. Who may call it, where its audit record goes and which
 * input fields must never be written down are part of the contract, so the router,
 * the UI and the documentation all read them from one place.
 */
export interface Channel<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType, R extends Access = Access, F = AccessFacts> {
  input: I;
  output: O;
  roles: R;
  /** Refuses some inputs even to the roles above (a chain only some roles may read...). */
  policy?: Policy<z.output<I>, F>;
  /**
   * What a call is about, named from its parsed input (review-item:7), so that its audit record,
   * a refusal by the policy included, is found by object; a handler may still name it otherwise.
   */
  object?: (input: z.output<I>) => string;
  /** 'case' channels need an open case; their audit records join the case's chain. */
  scope: 'workstation' | 'case';
  /** Input fields replaced by "[redacted]" in the audit record. */
  secret?: readonly string[];
  /** Input fields that are case content: recorded in the case's encrypted chain, never in the workstation's plaintext one. */
  caseContent?: readonly string[];
  summary: string;
}

export const channel = <I extends z.ZodType, O extends z.ZodType, R extends Access, F = AccessFacts>(c: Channel<I, O, R, F>): Channel<I, O, R, F> => c;

/** The sentence a role reads when the channel's role list leaves it out, in the words of the channel's summary. */
export function roleRefusal(role: Role, summary: string): string {
  // Only the first letter: "1:N" and names inside the summary keep their case.
  return `Your role (${ROLE_LABEL[role]}) may not do this: ${summary.charAt(0).toLowerCase()}${summary.slice(1)}.`;
}

export type AccessRefusal = { code: 'not_signed_in' | 'forbidden'; message: string };

/** The role check alone: made before the input is read, so a caller without the right learns nothing of its schema. */
export function roleCheck(spec: Pick<Channel, 'roles' | 'summary'>, user: User | null): AccessRefusal | null {
  if (spec.roles === 'public') return null;
  if (!user) return { code: 'not_signed_in', message: 'Sign in first.' };
  return spec.roles.includes(user.role) ? null : { code: 'forbidden', message: roleRefusal(user.role, spec.summary) };
}

/**
 * Whether this user may make this call: the role list, then the channel's policy on the
 * parsed input. One function for the router and the UI, so they cannot disagree.
 */
export function checkAccess<I, F>(spec: Pick<Channel<z.ZodType, z.ZodType, Access, F>, 'roles' | 'summary'> & { policy?: Policy<I, F> }, user: User | null, input: I, facts: F): AccessRefusal | null {
  const byRole = roleCheck(spec, user);
  if (byRole || !spec.policy || !user) return byRole;
  const refused = spec.policy({ user, input, facts });
  return refused === null ? null : { code: 'forbidden', message: refused };
}
