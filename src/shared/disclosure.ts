import { z } from 'zod';
import { Id, Secret } from './domain';
import { ReportValidations } from './report';

/** A path on the workstation, as typed or chosen. */
const FilePath = (label: string) => z.string().trim().min(1, `${label} is required`).max(4096);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** One entry of a disclosure package's manifest, named and hashed. */
export const PackageEntry = z.object({
  name: z.string(),
  kind: z.enum(['case-database', 'audit-chain', 'report', 'original']),
  bytes: z.number().int().min(0),
  sha256: Sha256,
});
export type PackageEntry = z.infer<typeof PackageEntry>;

/** The head of the case's audit chain that a package carries (its export's own record comes after it). */
const CoveredChain = z.object({ records: z.number().int().min(0), headHash: Sha256 });

export const CaseExportRequest = z
  .object({
    out: FilePath('The package file'),
    passphrase: Secret('Package passphrase'),
    withOriginals: z.boolean().default(false),
    /** Validation records of the case's pack attached to the package's report. */
    validations: ReportValidations,
  })
  .strict();

export const CaseExport = z.object({
  file: z.string(),
  bytes: z.number().int(),
  sha256: Sha256,
  chain: CoveredChain,
  entries: z.array(PackageEntry),
  /** Originals referenced by hash; `included` of them are inside the package. */
  originals: z.object({ referenced: z.number().int(), included: z.number().int() }),
  /** Whether the package holds the case report. */
  report: z.boolean(),
});
export type CaseExport = z.infer<typeof CaseExport>;

export const CaseImportRequest = z
  .object({
    file: FilePath('The package file'),
    packagePassphrase: z.string().min(1, 'The package passphrase is required').max(1024),
    passphrase: Secret('Your new case passphrase'),
    /** Where the originals go when the package holds them: a new folder. */
    originalsTo: FilePath('The folder for the originals').optional(),
  })
  .strict();

export const CaseImport = z.object({
  caseId: Id,
  reference: z.string(),
  packageSha256: Sha256,
  exportedAt: z.string(),
  exportedBy: z.string(),
  /** The imported chain as the package carried it, and after this import's own record. */
  chain: CoveredChain,
  head: CoveredChain,
  entries: z.array(PackageEntry),
  originals: z.object({ referenced: z.number().int(), written: z.number().int(), folder: z.string().nullable() }),
});
export type CaseImport = z.infer<typeof CaseImport>;
