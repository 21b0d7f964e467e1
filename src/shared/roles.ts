import { z } from 'zod';

/**
 * analyst: imports evidence, searches, compares, groups faces, and examines comparisons
 *   (assessment, submission for verification, reveal of the score after a blind assessment).
 * reviewer: a second examiner: examines like an analyst, and verifies comparisons that someone
 *   else examined, taken from the review queue (never their own).
 * supervisor: manages users and case access, examines like an analyst, resolves disputes between
 *   examiners on comparisons they took no part in, and changes the conclusion scale and a case's
 *   blind mode (with a reason).
 * auditor: reads the audit record, the review states and reports; changes nothing.
 */
export const Role = z.enum(['analyst', 'reviewer', 'supervisor', 'auditor']);
export type Role = z.infer<typeof Role>;

export const ROLE_LABEL: Record<Role, string> = {
  analyst: 'Analyst',
  reviewer: 'Reviewer',
  supervisor: 'Supervisor',
  auditor: 'Auditor',
};

/**
 * What each role may do, as the UI says it when a supervisor chooses a role. The channels' role
 * lists and policies in api.ts are the rule; roles.test.ts checks that these sentences agree with them.
 */
export const ROLE_DUTIES: Record<Role, string> = {
  analyst: 'imports evidence, searches, compares and groups faces, and examines comparisons (assesses them and submits them for verification)',
  reviewer: 'a second examiner: examines comparisons like an analyst, and verifies those someone else examined, taken from the review queue (never their own)',
  supervisor:
    'manages users and case access, examines comparisons like an analyst, resolves disputes between examiners on comparisons they took no part in, and changes the conclusion scale and a case\'s blind mode (with a reason)',
  auditor: 'reads the audit record, the review states and reports; changes nothing',
};
