import { z } from 'zod';

/**
 * analyst: imports evidence, searches, compares, groups, gives a first assessment.
 * reviewer: a second examiner who verifies assessments.
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
