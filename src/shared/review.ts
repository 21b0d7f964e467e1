import { z } from 'zod';
import { Role } from './roles';
import { FaceId } from './evidence';
import { FmrEstimate } from './search';

/**
 * The examiner review (ACE-V: analysis, comparison, evaluation, verification). A review item
 * is one pair of faces of a case under examination; assessments of it are immutable records,
 * and its state is derived from them, never set.
 */
export const ReviewItemId = z.number().int().positive();
export type ReviewItemId = z.infer<typeof ReviewItemId>;
export const AssessmentId = z.number().int().positive();

/** Where the pair came from: a search's candidate, a watch-list hit of a search, or two faces chosen for 1:1. */
export const ReviewOrigin = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('search'), searchId: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('pair') }).strict(),
]);
export type ReviewOrigin = z.infer<typeof ReviewOrigin>;

export const ImageSide = z.enum(['left', 'right']);
export type ImageSide = z.infer<typeof ImageSide>;

export const Suitability = z.enum(['suitable', 'limited', 'not_suitable']);
export type Suitability = z.infer<typeof Suitability>;
export const SUITABILITY_LABEL: Record<Suitability, string> = { suitable: 'Suitable', limited: 'Limited', not_suitable: 'Not suitable' };

export const AnalysisFactor = z.enum(['resolution', 'blur', 'pose', 'occlusion', 'lighting', 'compression', 'other']);
export type AnalysisFactor = z.infer<typeof AnalysisFactor>;
export const FACTOR_LABEL: Record<AnalysisFactor, string> = {
  resolution: 'Resolution',
  blur: 'Blur',
  pose: 'Pose',
  occlusion: 'Occlusion',
  lighting: 'Lighting',
  compression: 'Compression',
  other: 'Other',
};

const Note = z.string().trim().max(2000);

/** Analysis of one image, made before comparing: is it fit for comparison, and what limits it. */
export const ExaminerAnalysis = z
  .object({ suitability: Suitability, factors: z.array(AnalysisFactor).max(7), note: Note.default('') })
  .strict()
  .refine((a) => new Set(a.factors).size === a.factors.length, { message: 'A factor is listed twice', path: ['factors'] })
  .refine((a) => (a.suitability === 'suitable' && !a.factors.includes('other')) || a.note.length >= 5, {
    message: 'Say what limits this image (at least 5 characters)',
    path: ['note'],
  });
export type ExaminerAnalysis = z.infer<typeof ExaminerAnalysis>;

/** The facial feature components of FISWG's morphological comparison, in its order. */
export const FeatureComponent = z.enum([
  'skin',
  'face_head_outline',
  'face_head_composition',
  'hair',
  'forehead',
  'eyebrows',
  'eyes',
  'cheeks',
  'nose',
  'ears',
  'mouth',
  'chin_jawline',
  'neck',
  'facial_hair',
  'facial_lines',
  'scars',
  'facial_marks',
  'alterations',
  'other',
]);
export type FeatureComponent = z.infer<typeof FeatureComponent>;
export const FEATURE_COMPONENTS = FeatureComponent.options;
export const FEATURE_LABEL: Record<FeatureComponent, string> = {
  skin: 'Skin',
  face_head_outline: 'Face/head outline',
  face_head_composition: 'Face/head composition',
  hair: 'Hair',
  forehead: 'Forehead',
  eyebrows: 'Eyebrows',
  eyes: 'Eyes',
  cheeks: 'Cheeks',
  nose: 'Nose',
  ears: 'Ears',
  mouth: 'Mouth',
  chin_jawline: 'Chin/jawline',
  neck: 'Neck',
  facial_hair: 'Facial hair',
  facial_lines: 'Facial lines',
  scars: 'Scars',
  facial_marks: 'Facial marks',
  alterations: 'Alterations (piercings, make-up, tattoos)',
  other: 'Other',
};

export const Observation = z.enum(['similar', 'dissimilar', 'not_visible']);
export type Observation = z.infer<typeof Observation>;
export const OBSERVATION_LABEL: Record<Observation, string> = { similar: 'Similar', dissimilar: 'Dissimilar', not_visible: 'Not visible' };

/** Every component answered: a checklist with gaps would read as "similar by default". */
export const FeatureChecklist = z
  .record(FeatureComponent, z.object({ observation: Observation, note: Note.default('') }).strict())
  .refine((f) => FEATURE_COMPONENTS.every((c) => f[c] !== undefined), { message: 'Answer every feature component (similar, dissimilar or not visible)' });
export type FeatureChecklist = z.infer<typeof FeatureChecklist>;

/** Which way a conclusion points; two conclusions agree when they are on the same side. */
export const ScaleSide = z.enum(['same', 'different', 'neutral', 'unsuitable']);
export type ScaleSide = z.infer<typeof ScaleSide>;

export const ScaleLevel = z.object({ id: z.string().regex(/^[a-z0-9_]{1,40}$/), label: z.string().trim().min(1).max(120), side: ScaleSide }).strict();
export type ScaleLevel = z.infer<typeof ScaleLevel>;

/** A conclusion scale as declared by a supervisor; every conclusion keeps a copy of the version it was made on. */
export const ConclusionScale = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,40}$/),
    version: z.number().int().positive(),
    name: z.string().trim().min(1).max(200),
    levels: z.array(ScaleLevel).min(3).max(15),
    /** The agreement rule: declared with the scale so that verification can be checked against it. */
    agreement: z.literal('same side'),
  })
  .strict()
  .refine((s) => new Set(s.levels.map((l) => l.id)).size === s.levels.length, { message: 'Two levels share an id', path: ['levels'] })
  .refine((s) => (['same', 'different', 'unsuitable'] as const).every((side) => s.levels.some((l) => l.side === side)), {
    message: 'A scale needs at least one level for the same person, one for different persons and one for "not suitable"',
    path: ['levels'],
  });
export type ConclusionScale = z.infer<typeof ConclusionScale>;

/** The default: symmetric, from strong support for the same person to strong support for different persons. */
export const DEFAULT_SCALE: ConclusionScale = {
  id: 'loupe-7',
  version: 1,
  name: 'Seven-level support scale with "not suitable"',
  agreement: 'same side',
  levels: [
    { id: 'strong_same', label: 'Strong support for the same person', side: 'same' },
    { id: 'moderate_same', label: 'Moderate support for the same person', side: 'same' },
    { id: 'limited_same', label: 'Limited support for the same person', side: 'same' },
    { id: 'inconclusive', label: 'Inconclusive', side: 'neutral' },
    { id: 'limited_different', label: 'Limited support for different persons', side: 'different' },
    { id: 'moderate_different', label: 'Moderate support for different persons', side: 'different' },
    { id: 'strong_different', label: 'Strong support for different persons', side: 'different' },
    { id: 'not_suitable', label: 'Not suitable for comparison', side: 'unsuitable' },
  ],
};

/** The side of a level on a scale, or null when the scale has no such level. */
export const sideOf = (scale: ConclusionScale, level: string): ScaleSide | null => scale.levels.find((l) => l.id === level)?.side ?? null;

/** Display adjustments in use when an assessment was saved: they change how pixels were drawn, never the pixels. */
export const DisplayAdjustments = z
  .object({
    brightness: z.number().int().min(-100).max(100),
    contrast: z.number().int().min(-100).max(100),
    gamma: z.number().min(0.2).max(5),
    greyscale: z.boolean(),
  })
  .strict();
export type DisplayAdjustments = z.infer<typeof DisplayAdjustments>;

export const DisplayRecord = z
  .object({ left: DisplayAdjustments, right: DisplayAdjustments, smoothing: z.boolean(), view: z.enum(['aligned', 'original']) })
  .strict();
export type DisplayRecord = z.infer<typeof DisplayRecord>;

export const Annotation = z
  .object({
    n: z.number().int().positive().max(999),
    side: ImageSide,
    view: z.enum(['aligned', 'original']),
    /** In pixels of the image that view shows. */
    x: z.number().finite().min(-1e5).max(1e5),
    y: z.number().finite().min(-1e5).max(1e5),
    note: Note,
  })
  .strict();
export type Annotation = z.infer<typeof Annotation>;

export const AssessmentKind = z.enum(['examination', 'verification', 'resolution']);
export type AssessmentKind = z.infer<typeof AssessmentKind>;

/** What an examiner records: the analysis of each image, the feature comparison, and a reasoned conclusion. */
export const AssessmentBody = z
  .object({
    analysis: z.object({ left: ExaminerAnalysis, right: ExaminerAnalysis }).strict(),
    features: FeatureChecklist,
    conclusion: z.string().regex(/^[a-z0-9_]{1,40}$/, 'Choose a conclusion on the scale'),
    rationale: z.string().trim().min(20, 'Give the reasons for the conclusion (at least 20 characters)').max(10_000),
    display: DisplayRecord,
    annotations: z.array(Annotation).max(200).default([]),
  })
  .strict()
  .refine((b) => new Set(b.annotations.map((a) => a.n)).size === b.annotations.length, { message: 'Two markers share a number', path: ['annotations'] });
export type AssessmentBody = z.infer<typeof AssessmentBody>;

export const Assessment = z.object({
  id: AssessmentId,
  itemId: ReviewItemId,
  kind: AssessmentKind,
  examiner: z.string(),
  examinerRole: Role,
  createdAt: z.string(),
  /** Whether the score, rank and other candidates were hidden from the examiner when this was saved. */
  blind: z.boolean(),
  /** The examiner's earlier record this one replaces, and why. */
  corrects: AssessmentId.nullable(),
  correctionReason: z.string().nullable(),
  scale: ConclusionScale,
  body: AssessmentBody,
});
export type Assessment = z.infer<typeof Assessment>;

export const ReviewState = z.enum(['not_examined', 'assessed', 'awaiting_verification', 'verified', 'excluded', 'disputed', 'resolved']);
export type ReviewState = z.infer<typeof ReviewState>;
export const REVIEW_STATE_LABEL: Record<ReviewState, string> = {
  not_examined: 'Not examined',
  assessed: 'Assessed',
  awaiting_verification: 'Awaiting verification',
  verified: 'Verified',
  excluded: 'Excluded',
  disputed: 'Disputed',
  resolved: 'Resolved',
};

export const ReviewItemSummary = z.object({
  id: ReviewItemId,
  leftFaceId: FaceId,
  rightFaceId: FaceId,
  origin: ReviewOrigin,
  openedBy: z.string(),
  openedAt: z.string(),
  state: ReviewState,
  /** True only for a verified or resolved conclusion supporting the same person: nothing else is a lead. */
  lead: z.boolean(),
  /** Who examined it first (null before an examination). */
  examiner: z.string().nullable(),
});
export type ReviewItemSummary = z.infer<typeof ReviewItemSummary>;

/** The score of the pair as the system gave it; withheld from a blind examiner until they have saved and revealed. */
export const ReviewScore = z.object({
  score: z.number(),
  fmr: FmrEstimate.nullable(),
  /** The candidate's rank in its search; null for a pair chosen for 1:1. */
  rank: z.number().int().positive().nullable(),
  /** The other candidates of the search (face ids, best first), and the watch-list entry the candidate came from. */
  otherCandidates: z.array(FaceId),
  watchlist: z.object({ listName: z.string(), label: z.string(), reason: z.string() }).nullable(),
});
export type ReviewScore = z.infer<typeof ReviewScore>;

/** What one user's part in an item is, which decides what they may see and do. */
export const ReviewPart = z.enum(['examiner', 'verifier', 'resolver', 'observer']);
export type ReviewPart = z.infer<typeof ReviewPart>;

export const ReviewView = z.object({
  item: ReviewItemSummary,
  part: ReviewPart,
  /** True while the score, rank, rate, other candidates and watch-list reason are withheld from this user. */
  blind: z.boolean(),
  score: ReviewScore.nullable(),
  /** The assessments this user may see: a possible verifier sees none of the first examiner's. */
  assessments: z.array(Assessment),
  /** How many assessments exist but are withheld from this user. */
  withheld: z.number().int().nonnegative(),
  scale: ConclusionScale,
  may: z.object({ assess: z.boolean(), submit: z.boolean(), reveal: z.boolean(), verify: z.boolean(), resolve: z.boolean() }),
  /** Why this user cannot take the next step, when they cannot. */
  why: z.string().nullable(),
});
export type ReviewView = z.infer<typeof ReviewView>;

export const ReviewQueue = z.object({
  /** Items this user opened or examined that still need their assessment or submission. */
  mine: z.array(ReviewItemSummary),
  /** Items awaiting verification that this user may verify (reviewers), oldest submission first. */
  toVerify: z.array(ReviewItemSummary),
  /** Disputes this user may resolve (supervisors who took no part). */
  disputes: z.array(ReviewItemSummary),
});
export type ReviewQueue = z.infer<typeof ReviewQueue>;

export const BlindMode = z.object({ on: z.boolean(), setBy: z.string().nullable(), setAt: z.string().nullable(), reason: z.string().nullable() });
export type BlindMode = z.infer<typeof BlindMode>;

/** The refusals of the review's rules, written once for the contract's policies, the service and the UI. */
export const REVIEW_REFUSAL = {
  selfVerification: 'You examined this comparison: you may not verify your own work. A second examiner must.',
  resolverTookPart: 'You examined or verified this comparison: another supervisor must resolve it.',
} as const;
