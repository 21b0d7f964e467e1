import { z } from 'zod';
import { Sha256Hex } from './model-pack';
import { ValidationId } from './validation';

/**
 * The court-ready report of a case: HTML for the screen, PDF for disclosure. A report
 * covers the case's records up to one point (its coverage), which its audit record keeps
 * with the file's SHA-256, so `report.verify` can tell whether a file is a report this
 * case made and whether the records it covered are still what they were.
 */
export const ReportFormat = z.enum(['pdf', 'html']);
export type ReportFormat = z.infer<typeof ReportFormat>;

/** What a report covers: records up to these ids and this audit record, and a digest of what it says of them. */
export const ReportCoverage = z
  .object({
    /** The newest record of the case's audit chain that changed what the report says (reads and reports do not). */
    headSeq: z.number().int().nonnegative(),
    headHash: z.string(),
    maxExhibitId: z.number().int().nonnegative(),
    maxSearchId: z.number().int().nonnegative(),
    maxItemId: z.number().int().nonnegative(),
    maxAssessmentId: z.number().int().nonnegative(),
    /** Comparisons submitted for verification when the report was made (a submission has no id of its own). */
    submittedItems: z.array(z.number().int().positive()),
    /** SHA-256 of the canonical JSON of the case records the report presents (originals' checks and model packs aside). */
    stateDigest: Sha256Hex,
    /**
     * Which actions count as changing what a report says (model.ts): 2 adds retention dates and
     * pack changes; absent on reports made before, which are checked by the set they were made with.
     */
    changes: z.literal(2).optional(),
    /** Validation records of the case's pack attached to the report, each with the digest of its record and charts (absent when none). */
    validations: z.array(z.object({ id: ValidationId, sha256: Sha256Hex }).strict()).optional(),
  })
  .strict();
export type ReportCoverage = z.infer<typeof ReportCoverage>;

/** At most this many validation records in one report: each is a section with its figures and DET curve. */
export const MAX_REPORT_VALIDATIONS = 5;

/**
 * Validation records (issue 11.4) attached to a report, each shown in a section of its own. Only
 * records of the case's own pack (name and version) can be attached; none by default.
 */
export const ReportValidations = z
  .array(ValidationId)
  .max(MAX_REPORT_VALIDATIONS, `Attach at most ${MAX_REPORT_VALIDATIONS} validation records to one report`)
  .refine((ids) => new Set(ids).size === ids.length, 'Attach each validation record once')
  .default([]);

export const ReportRequest = z.object({ format: ReportFormat.default('pdf'), validations: ReportValidations }).strict();
export const ReportPreviewRequest = z.object({ validations: ReportValidations }).strict();

export const ReportFile = z.object({
  fileName: z.string(),
  format: ReportFormat,
  mime: z.string(),
  sha256: Sha256Hex,
  bytes: z.number().int().positive(),
  /** The file itself, base64: it crosses the API as text. */
  contentBase64: z.string(),
  covers: ReportCoverage,
});
export type ReportFile = z.infer<typeof ReportFile>;

/** What the screen shows: the HTML report's body, for a sandboxed frame, and what it covers. */
export const ReportPreview = z.object({ html: z.string(), covers: ReportCoverage, examined: z.number().int(), notExamined: z.number().int() });
export type ReportPreview = z.infer<typeof ReportPreview>;

/** A report file is at most this large as base64 (images of every examined pair are in it). */
const MAX_REPORT_BASE64 = 96 * 1024 * 1024;

export const ReportVerifyInput = z
  .object({ contentBase64: z.string().min(1, 'Give the report file').max(MAX_REPORT_BASE64, 'This file is larger than any report Loupe writes').regex(/^[A-Za-z0-9+/]*={0,2}$/, 'The file must be sent as base64') })
  .strict();

export const ReportVerification = z.object({
  /** True only when every check passed. */
  ok: z.boolean(),
  sha256: Sha256Hex,
  /** The audit record that wrote this file, or null when no record of this case names its hash. */
  recorded: z.object({ seq: z.number().int(), time: z.string(), user: z.string().nullable(), format: ReportFormat }).nullable(),
  /** Whether the case's audit chain is intact now. */
  chainOk: z.boolean(),
  /** Whether the records the report covered still say what they said (null when there is no record to compare with). */
  stateMatches: z.boolean().nullable(),
  /** Whether a report made now from the covered records is byte-identical to the file (null when not tried). */
  reproduced: z.boolean().nullable(),
  /** One sentence per finding, what is wrong first. */
  findings: z.array(z.string()),
});
export type ReportVerification = z.infer<typeof ReportVerification>;
