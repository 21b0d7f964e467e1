import type { z } from 'zod';
import type { Role } from './roles';

/**
 * One operation of the API. Who may call it, where its audit record goes and which
 * input fields must never be written down are part of the contract, so the router,
 * the UI and the documentation all read them from one place.
 */
export interface Channel<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** 'public' channels work before sign-in (first run, sign-in, status). */
  roles: readonly Role[] | 'public';
  /** 'case' channels need an open case; their audit records join the case's chain. */
  scope: 'workstation' | 'case';
  /** Input fields replaced by "[redacted]" in the audit record. */
  secret?: readonly string[];
  /** Input fields that are case content: recorded in the case's encrypted chain, never in the workstation's plaintext one. */
  caseContent?: readonly string[];
  summary: string;
}

export const channel = <I extends z.ZodType, O extends z.ZodType>(c: Channel<I, O>): Channel<I, O> => c;
