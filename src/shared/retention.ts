import { z } from 'zod';
import { Id, IsoDate } from './domain';

/** A case is listed as due this many days before its retention date passes. */
export const DUE_WITHIN_DAYS = 30;

/**
 * Where a case stands against its retention date, as the workstation register knows it
 * without opening the case: 'kept' (not yet due), 'due' (its date is within DUE_WITHIN_DAYS,
 * today included), 'overdue' (its date has passed: it may be purged), 'held' (a legal hold:
 * never purged while it lasts), 'unknown' (made before the register kept dates and not opened
 * since: opening it once tells the register), 'purged'.
 */
export const RetentionStatus = z.enum(['kept', 'due', 'overdue', 'held', 'unknown', 'purged']);
export type RetentionStatus = z.infer<typeof RetentionStatus>;

export const RETENTION_STATUS_LABEL: Record<RetentionStatus, string> = {
  kept: 'Kept',
  due: 'Due soon',
  overdue: 'Overdue',
  held: 'Legal hold',
  unknown: 'Date not yet known',
  purged: 'Purged',
};

export const RetentionItem = z.object({
  caseId: Id,
  reference: z.string(),
  retentionDate: IsoDate.nullable(),
  held: z.boolean(),
  status: RetentionStatus,
  /** Whole days from today to the retention date (negative once it has passed); null when the date is not known. */
  daysLeft: z.number().int().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  purgedAt: z.string().nullable(),
  purgedBy: z.string().nullable(),
});
export type RetentionItem = z.infer<typeof RetentionItem>;

export const RetentionQueue = z.object({ today: IsoDate, dueWithinDays: z.number().int(), cases: z.array(RetentionItem) });
export type RetentionQueue = z.infer<typeof RetentionQueue>;

/** Why a retention decision was taken: recorded in the case's encrypted audit chain, never in the workstation's plaintext one. */
export const RetentionReason = z.string().trim().min(10, 'Give a reason (at least 10 characters)').max(2000);

/** Where the open case stands: its date and its hold, read from the case itself. */
export const CaseRetention = z.object({
  retentionDate: IsoDate,
  held: z.boolean(),
  heldSince: z.string().nullable(),
  heldBy: z.string().nullable(),
});
export type CaseRetention = z.infer<typeof CaseRetention>;

/** One check of `retention.verify`: what was looked at, whether it holds, and what was found. */
export const PurgeCheck = z.object({ check: z.string(), ok: z.boolean(), found: z.string() });

export const PurgeProof = z.object({
  caseId: Id,
  reference: z.string(),
  purgedAt: z.string().nullable(),
  purgedBy: z.string().nullable(),
  /** True when every check holds: the case cannot be opened on this workstation again. */
  ok: z.boolean(),
  checks: z.array(PurgeCheck),
});
export type PurgeProof = z.infer<typeof PurgeProof>;

export const PurgeReceipt = z.object({
  caseId: Id,
  reference: z.string(),
  purgedAt: z.string(),
  purgedBy: z.string(),
  /** The rule the case was purged under, as recorded on the workstation chain. */
  rule: z.string(),
  keySlotFilesDestroyed: z.number().int(),
  proof: PurgeProof,
});
export type PurgeReceipt = z.infer<typeof PurgeReceipt>;

/** Whole days from `today` to `date` (both YYYY-MM-DD). */
export function daysBetween(today: string, date: string): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/** The status of a case from what the register holds; one function for main, CLI and screen. */
export function retentionStatus(c: { retentionDate: string | null; held: boolean; purgedAt: string | null }, today: string): RetentionStatus {
  if (c.purgedAt) return 'purged';
  if (c.held) return 'held';
  if (!c.retentionDate) return 'unknown';
  const days = daysBetween(today, c.retentionDate);
  return days < 0 ? 'overdue' : days <= DUE_WITHIN_DAYS ? 'due' : 'kept';
}
