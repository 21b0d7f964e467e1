import { z } from 'zod';
import { PackName } from './model-pack';

/** Local validation of a model pack on an agency's own labelled photos (issue 11.4). */

export const VALIDATION_METRICS = ['fnmrAtFmr1e-3', 'fnmrAtFmr1e-4', 'fmrAtOperating', 'fnmrAtOperating', 'rank1', 'fnirAtRank'] as const;
export const ValidationMetric = z.enum(VALIDATION_METRICS);
export type ValidationMetric = z.infer<typeof ValidationMetric>;

/** What each figure is, in words a report can quote (R of FNIR at rank R is filled in). */
export function metricLabel(metric: ValidationMetric, rank: number): string {
  switch (metric) {
    case 'fnmrAtFmr1e-3':
      return 'FNMR at FMR 1 in 1,000';
    case 'fnmrAtFmr1e-4':
      return 'FNMR at FMR 1 in 10,000';
    case 'fmrAtOperating':
      return 'FMR at the operating threshold';
    case 'fnmrAtOperating':
      return 'FNMR at the operating threshold';
    case 'rank1':
      return 'Rank-1 identification rate (1:N)';
    case 'fnirAtRank':
      return `FNIR at rank ${rank} (1:N)`;
  }
}

/** A rate with its 95% bootstrap interval; value null when it cannot be measured (note says why). */
export const Estimate = z.object({
  value: z.number().nullable(),
  low: z.number().nullable(),
  /** Null beside a value: no upper limit. */
  high: z.number().nullable(),
  /** Errors (hits, for rank-1) and the trials (pairs or probes) the value rests on. */
  errors: z.number().optional(),
  trials: z.number().optional(),
  note: z.string().nullable(),
});
export type Estimate = z.infer<typeof Estimate>;

export const SetFigures = z.object({
  /** 'All', or the group's label. */
  label: z.string(),
  people: z.number().int(),
  genuinePairs: z.number().int(),
  impostorPairs: z.number(),
  probes: z.number().int(),
  /** The smallest false match rate this set's impostor pairs can measure; null when it has none. */
  smallestFmr: z.number().nullable(),
  metrics: z.record(ValidationMetric, Estimate),
});
export type SetFigures = z.infer<typeof SetFigures>;

export const Differential = z.object({
  metric: ValidationMetric,
  worst: z.string().nullable(),
  best: z.string().nullable(),
  /** The worst group's error rate over the best group's (rank-1 as its miss rate), as NIST reports differentials. */
  ratio: Estimate,
});
export type Differential = z.infer<typeof Differential>;

export const ValidationFigures = z.object({
  thresholds: z.object({ 'fnmrAtFmr1e-3': z.number().nullable(), 'fnmrAtFmr1e-4': z.number().nullable(), operating: z.number().nullable() }),
  overall: SetFigures,
  groups: z.array(SetFigures),
  differentials: z.array(Differential),
  replicates: z.number().int(),
  seed: z.number().int(),
  strata: z.number().int(),
});
export type ValidationFigures = z.infer<typeof ValidationFigures>;

export const ValidationId = z.string().regex(/^[A-Za-z0-9_-]{8,40}$/, 'A validation id is the one Loupe gave it');

/** What the data set was, so it can be named and checked again (the hash covers every file's path and content). */
export const ValidationDataset = z.object({
  description: z.string(),
  folders: z.array(z.string()),
  people: z.number().int(),
  images: z.number().int(),
  imagesWithoutFace: z.number().int(),
  /** SHA-256 over the sorted lines "folder/person/file <TAB> sha256 of its bytes". */
  sha256: z.string(),
  /** The groups file: its name, grouping, groups and SHA-256; null when none was given. */
  groups: z.object({ file: z.string(), sha256: z.string(), grouping: z.string(), labels: z.array(z.string()), by: z.enum(['person', 'image']) }).nullable(),
});
export type ValidationDataset = z.infer<typeof ValidationDataset>;

export const ValidationImage = z.object({ name: z.string(), title: z.string(), description: z.string(), svg: z.string() });
export type ValidationImage = z.infer<typeof ValidationImage>;

export const ValidationSummary = z.object({
  id: ValidationId,
  createdAt: z.string(),
  createdBy: z.string(),
  pack: z.string(),
  packVersion: z.string(),
  description: z.string(),
  datasetSha256: z.string(),
  people: z.number().int(),
  images: z.number().int(),
  grouping: z.string().nullable(),
});
export type ValidationSummary = z.infer<typeof ValidationSummary>;

export const ValidationRecord = ValidationSummary.extend({
  embedder: z.string(),
  /** The operating threshold's source: the pack's calibration at this false match rate. */
  operatingFmr: z.number().nullable(),
  calibration: z.string().nullable(),
  dataset: ValidationDataset,
  figures: ValidationFigures,
  /** R of FNIR at rank R, and how many people the 1:N gallery held. */
  rank: z.number().int(),
  galleryPeople: z.number().int(),
  /** What these figures are and are not; always shown with them. */
  notes: z.array(z.string()),
  seconds: z.number(),
  charts: z.array(ValidationImage),
});
export type ValidationRecord = z.infer<typeof ValidationRecord>;

const FolderPath = z.string().min(1).max(4096);

export const ValidationRequest = z
  .object({
    dataDirs: z.array(FolderPath).min(1, 'Give at least one labelled folder (a folder per person)').max(20),
    /** A CSV or JSON file mapping each person (or image) to a group; see GROUPS_FILE_HELP. */
    groupsFile: FolderPath.optional(),
    description: z.string().trim().min(10, 'Describe the data set (at least 10 characters)').max(1000),
    /** The pack to validate; the pack in use when not given. */
    pack: PackName.optional(),
    replicates: z.number().int().min(100, 'At least 100 resamplings').max(10_000).default(1000),
    seed: z.number().int().min(0).max(2 ** 31).default(1),
  })
  .strict();

export const ValidationProgress = z.object({
  type: z.literal('validation.progress'),
  stage: z.enum(['reading', 'analysing', 'scoring', 'resampling', 'drawing']),
  done: z.number().int(),
  total: z.number().int(),
});
export type ValidationProgress = z.infer<typeof ValidationProgress>;

/** A group label: what the agency calls the group. */
const GroupLabel = z.string().trim().min(1, 'a group label is empty').max(60, 'a group label is longer than 60 characters');
const GroupKey = z.string().trim().min(1, 'a person or image name is empty').max(1000);

/** The JSON form of a groups file; the CSV form is `person,<grouping>` or `image,<grouping>` then one row each. */
export const GroupsJson = z
  .object({
    grouping: z.string().trim().min(1).max(60),
    people: z.record(GroupKey, GroupLabel).optional(),
    images: z.record(GroupKey, GroupLabel).optional(),
  })
  .strict()
  .refine((g) => (g.people === undefined) !== (g.images === undefined), 'Give either "people" or "images", not both');
export type GroupsJson = z.infer<typeof GroupsJson>;

export const GROUPS_FILE_HELP =
  'A groups file is CSV with the header "person,<grouping>" (or "image,<grouping>", an image named by its path under the data folder, e.g. ORL_s1/1.pgm) and one row per person (or image), or JSON {"grouping": "...", "people": {"name": "label"}} (or "images"). Every person (or image) of the data needs a label.';

/** Said with every per-group figure: a grouping is a bias result only when it is the demographic grouping in question. */
export const GROUPING_NOTE =
  'Per-group figures compare the groups of the groups file on this data set only. They measure a demographic differential only when the groups are demographic labels the agency recorded (for example sex or ethnicity), with enough people in each; a grouping by data source, image type or colour, as in Loupe\'s own tests, is not a bias result and says nothing about bias on grounds of race or sex.';

/** A rate as a percentage, with more decimals the smaller it is. */
export function formatRate(x: number): string {
  if (x === 0) return '0%';
  const pct = x * 100;
  return `${pct.toFixed(pct < 0.1 ? 3 : pct < 1 ? 2 : 1)}%`;
}

/** "3.1% (95% CI 2.2% to 4.0%)", "2.4× (95% CI 1.3× to no upper limit)", or "not measured". */
export function formatEstimate(e: Estimate, kind: 'rate' | 'ratio' = 'rate'): string {
  if (e.value === null) return 'not measured';
  const f = (x: number) => (kind === 'rate' ? formatRate(x) : `${x.toFixed(2)}×`);
  const high = e.high === null ? 'no upper limit' : f(e.high);
  return `${f(e.value)} (95% CI ${e.low === null ? '?' : f(e.low)} to ${high})`;
}
