import { z } from 'zod';
import { isPlainText } from './display';
import { Role } from './roles';
import { CasePack } from './model-pack';

/** Fields of a few hundred characters are one line; longer ones may break lines. */
const trimmed = (label: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} is at most ${max} characters`)
    .refine((v) => isPlainText(v, max >= 2000), `${label} may not hold control characters or hidden text-direction marks`);

/** A person's name as shown in the audit record and on reports: one line of plain text. */
export const DisplayName = trimmed('Display name', 200);

export const Username = z
  .string()
  .trim()
  .min(2, 'User name needs at least 2 characters')
  .max(64, 'User name is at most 64 characters')
  .regex(/^[a-z0-9._-]+$/, 'User name may use lower-case letters, digits, dot, dash and underscore');

/** Passwords and passphrases: long enough to resist guessing with argon2id in the way. */
export const Secret = (label: string) =>
  z.string().min(10, `${label} needs at least 10 characters`).max(1024, `${label} is at most 1024 characters`);

export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD')
  // A retention date of 2030-02-31 would otherwise be stored as given and read back as 3 March.
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'No such date in the calendar');
export const IsoTime = z.string();

export const Id = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'Not a valid identifier');

export const User = z.object({
  id: Id,
  username: Username,
  displayName: z.string(),
  role: Role,
  disabled: z.boolean(),
  createdAt: IsoTime,
  createdBy: z.string().nullable(),
});
export type User = z.infer<typeof User>;

/** A user as supervisors see them: with the sign-in failures counted against the name, and the lock they led to. */
export const UserAccount = User.extend({
  failedSignIns: z.number().int(),
  lockedAt: IsoTime.nullable(),
});
export type UserAccount = z.infer<typeof UserAccount>;

export const OffenceCategory = z.enum([
  'violence against the person',
  'sexual offences',
  'robbery',
  'burglary',
  'theft',
  'criminal damage',
  'fraud',
  'drugs',
  'public order',
  'terrorism',
  'child protection',
  'missing person',
  'other',
]);
export type OffenceCategory = z.infer<typeof OffenceCategory>;

/** What a case is for and on what authority: asked when a case is made, shown on every report. */
export const CaseAuthority = z.object({
  reference: trimmed('Case reference', 64).regex(/^[A-Za-z0-9][A-Za-z0-9 ./_-]*$/, 'Case reference may use letters, digits, space, dot, slash, dash and underscore'),
  title: trimmed('Title', 200),
  offenceCategory: OffenceCategory,
  purpose: trimmed('Purpose', 2000),
  legalBasis: trimmed('Legal basis', 2000),
  authorisedBy: trimmed('Authorised by', 200),
  retentionDate: IsoDate,
});
export type CaseAuthority = z.infer<typeof CaseAuthority>;

export const CaseSummary = z.object({
  id: Id,
  reference: z.string(),
  /** Case content, kept only in the encrypted case: null unless this case is the open one. */
  title: z.string().nullable(),
  createdAt: IsoTime,
  createdBy: z.string(),
  /** Whether the signed-in user holds a key slot, so may try to open it. */
  hasAccess: z.boolean(),
  isOpen: z.boolean(),
  /**
   * Whether the case folder could be read when listed: 'missing' (moved, deleted, or being
   * restored from a backup) and 'unreadable' (its key slots are damaged) say why it cannot be opened.
   */
  folder: z.enum(['ready', 'missing', 'unreadable']),
});
export type CaseSummary = z.infer<typeof CaseSummary>;

export const CaseDetails = CaseAuthority.extend({
  id: Id,
  createdAt: IsoTime,
  createdBy: z.string(),
  folder: z.string(),
  members: z.array(z.object({ username: z.string(), addedAt: IsoTime, addedBy: z.string() })),
  counts: z.object({ exhibits: z.number().int(), faces: z.number().int(), auditRecords: z.number().int() }),
  /** The model pack the case is made with (null only while a case's first opening has not recorded it yet). */
  pack: CasePack.nullable().default(null),
});
export type CaseDetails = z.infer<typeof CaseDetails>;

export const AuditChain = z.enum(['case', 'workstation']);
export type AuditChain = z.infer<typeof AuditChain>;

export const AuditRecord = z.object({
  seq: z.number().int().positive(),
  time: IsoTime,
  user: z.string().nullable(),
  action: z.string(),
  object: z.string().nullable(),
  outcome: z.enum(['ok', 'refused', 'failed']),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditVerification = z.object({
  chain: AuditChain,
  ok: z.boolean(),
  records: z.number().int(),
  headHash: z.string(),
  /** The first record that fails, and why; absent when the chain is intact. */
  firstBad: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
  /**
   * The chain is intact on its own but lacks the head the workstation recorded: the case was
   * restored from an older copy (or its newest records were cut off). A supervisor may accept it.
   */
  behindAnchor: z.boolean().optional(),
  /**
   * Times the chain's anchor was found missing or unreadable and made again (each is a record
   * of the chain): records cut from the end before then, with the anchor deleted, would not show.
   */
  anchorLost: z.array(z.object({ seq: z.number().int(), time: IsoTime })).optional(),
  checkedAt: IsoTime,
});
export type AuditVerification = z.infer<typeof AuditVerification>;

export const AuditHead = z.object({ seq: z.number().int(), hash: z.string() });
export type AuditHead = z.infer<typeof AuditHead>;

/** What a supervisor's acceptance of a restored case records on both chains. */
export const RestoreAcceptance = z.object({
  /** The head the workstation had recorded: the newest record the restored copy lacks. */
  anchored: AuditHead,
  /** The restored chain's head when the workstation first opened the copy. */
  restored: AuditHead,
  /** Records of the anchored chain beyond the restored head, lost with the restore. */
  recordsLost: z.number().int(),
  reason: z.string(),
});
export type RestoreAcceptance = z.infer<typeof RestoreAcceptance>;

export const SessionStatus = z.object({
  firstRun: z.boolean(),
  user: User.nullable(),
  openCase: CaseSummary.nullable(),
});
export type SessionStatus = z.infer<typeof SessionStatus>;
