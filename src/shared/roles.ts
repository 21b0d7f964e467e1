import { z } from 'zod';

/**
 * analyst: imports evidence, searches, compares, groups faces.
 * reviewer: a second examiner, meant to verify assessments; assessment and verification are not
 *   built yet, so for now a reviewer has an analyst's rights.
 * supervisor: manages users and case access, and may do what an analyst does.
 * auditor: reads the audit record and reports; changes nothing.
 */
export const Role = z.enum(['analyst', 'reviewer', 'supervisor', 'auditor']);
export type Role = z.infer<typeof Role>;

export const ROLE_LABEL: Record<Role, string> = {
  analyst: 'Analyst',
  reviewer: 'Reviewer',
  supervisor: 'Supervisor',
  auditor: 'Auditor',
};
