import type { Db } from './sqlite';

/**
 * The examiner review's tables. The rules that make a lead (who may verify, who may resolve,
 * what may follow a submission) are triggers, so no service, channel or script writing to
 * the case can get round them; the records are append-only like the audit chain.
 */
export const REVIEW_SCHEMA = `
CREATE TABLE review_items (
  id INTEGER PRIMARY KEY,
  left_face_id INTEGER NOT NULL REFERENCES faces(id),
  right_face_id INTEGER NOT NULL REFERENCES faces(id),
  origin TEXT NOT NULL,
  opened_by TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  UNIQUE (left_face_id, right_face_id),
  CHECK (left_face_id <> right_face_id)
);
CREATE TABLE assessments (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES review_items(id),
  kind TEXT NOT NULL CHECK (kind IN ('examination', 'verification', 'resolution')),
  examiner TEXT NOT NULL,
  examiner_role TEXT NOT NULL CHECK (examiner_role IN ('analyst', 'reviewer', 'supervisor')),
  created_at TEXT NOT NULL,
  blind INTEGER NOT NULL CHECK (blind IN (0, 1)),
  corrects INTEGER REFERENCES assessments(id),
  correction_reason TEXT,
  scale TEXT NOT NULL,
  conclusion TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('same', 'different', 'neutral', 'unsuitable')),
  body TEXT NOT NULL,
  CHECK ((corrects IS NULL) = (correction_reason IS NULL))
);
CREATE INDEX assessments_by_item ON assessments(item_id, kind);
CREATE TABLE review_submissions (
  item_id INTEGER PRIMARY KEY REFERENCES review_items(id),
  assessment_id INTEGER NOT NULL REFERENCES assessments(id),
  submitted_by TEXT NOT NULL,
  submitted_at TEXT NOT NULL
);
CREATE TABLE review_reveals (
  item_id INTEGER NOT NULL REFERENCES review_items(id),
  examiner TEXT NOT NULL,
  revealed_at TEXT NOT NULL,
  PRIMARY KEY (item_id, examiner)
);
CREATE TABLE case_settings (
  seq INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  set_by TEXT NOT NULL,
  set_at TEXT NOT NULL,
  reason TEXT NOT NULL
);

CREATE TRIGGER review_items_fixed_update BEFORE UPDATE ON review_items BEGIN SELECT RAISE(ABORT, 'Review items are append-only'); END;
CREATE TRIGGER review_items_fixed_delete BEFORE DELETE ON review_items BEGIN SELECT RAISE(ABORT, 'Review items are append-only'); END;
CREATE TRIGGER assessments_append_only_update BEFORE UPDATE ON assessments BEGIN SELECT RAISE(ABORT, 'Assessments are append-only: a correction is a new record'); END;
CREATE TRIGGER assessments_append_only_delete BEFORE DELETE ON assessments BEGIN SELECT RAISE(ABORT, 'Assessments are append-only: a correction is a new record'); END;
CREATE TRIGGER review_submissions_fixed_update BEFORE UPDATE ON review_submissions BEGIN SELECT RAISE(ABORT, 'Submissions are append-only'); END;
CREATE TRIGGER review_submissions_fixed_delete BEFORE DELETE ON review_submissions BEGIN SELECT RAISE(ABORT, 'Submissions are append-only'); END;
CREATE TRIGGER review_reveals_fixed_update BEFORE UPDATE ON review_reveals BEGIN SELECT RAISE(ABORT, 'Reveals are append-only'); END;
CREATE TRIGGER review_reveals_fixed_delete BEFORE DELETE ON review_reveals BEGIN SELECT RAISE(ABORT, 'Reveals are append-only'); END;
CREATE TRIGGER case_settings_fixed_update BEFORE UPDATE ON case_settings BEGIN SELECT RAISE(ABORT, 'Case settings are append-only'); END;
CREATE TRIGGER case_settings_fixed_delete BEFORE DELETE ON case_settings BEGIN SELECT RAISE(ABORT, 'Case settings are append-only'); END;

-- The conclusion's side is the one its scale gives it: a record cannot claim a side its level does not have.
CREATE TRIGGER assessment_side_from_scale BEFORE INSERT ON assessments
WHEN NEW.side IS NOT (SELECT json_extract(l.value, '$.side') FROM json_each(NEW.scale, '$.levels') AS l WHERE json_extract(l.value, '$.id') = NEW.conclusion)
BEGIN SELECT RAISE(ABORT, 'The conclusion is not a level of its scale, or its side does not match the scale'); END;

-- One examiner per item; each later examination corrects their latest one; none after submission.
CREATE TRIGGER examination_one_examiner BEFORE INSERT ON assessments
WHEN NEW.kind = 'examination' AND EXISTS (SELECT 1 FROM assessments WHERE item_id = NEW.item_id AND kind = 'examination' AND examiner <> NEW.examiner)
BEGIN SELECT RAISE(ABORT, 'Another examiner has already examined this comparison: only they may revise it'); END;
CREATE TRIGGER examination_corrects_latest BEFORE INSERT ON assessments
WHEN NEW.kind = 'examination' AND NEW.corrects IS NOT (SELECT MAX(id) FROM assessments WHERE item_id = NEW.item_id AND kind = 'examination')
BEGIN SELECT RAISE(ABORT, 'A revision must name the examiner''s latest examination of this comparison, and a first examination none'); END;
CREATE TRIGGER examination_before_submission BEFORE INSERT ON assessments
WHEN NEW.kind = 'examination' AND EXISTS (SELECT 1 FROM review_submissions WHERE item_id = NEW.item_id)
BEGIN SELECT RAISE(ABORT, 'This comparison was submitted for verification: the examination can no longer be revised'); END;

-- Verification: a reviewer who did not examine the item, once, after submission.
CREATE TRIGGER verification_by_reviewer BEFORE INSERT ON assessments
WHEN NEW.kind = 'verification' AND NEW.examiner_role <> 'reviewer'
BEGIN SELECT RAISE(ABORT, 'Only a user with the reviewer role may verify'); END;
CREATE TRIGGER verification_not_by_examiner BEFORE INSERT ON assessments
WHEN NEW.kind = 'verification' AND EXISTS (SELECT 1 FROM assessments WHERE item_id = NEW.item_id AND kind = 'examination' AND examiner = NEW.examiner)
BEGIN SELECT RAISE(ABORT, 'The first examiner may not verify their own comparison: a second examiner must'); END;
CREATE TRIGGER verification_after_submission BEFORE INSERT ON assessments
WHEN NEW.kind = 'verification' AND NOT EXISTS (SELECT 1 FROM review_submissions WHERE item_id = NEW.item_id)
BEGIN SELECT RAISE(ABORT, 'This comparison has not been submitted for verification'); END;
CREATE TRIGGER verification_once BEFORE INSERT ON assessments
WHEN NEW.kind = 'verification' AND (NEW.corrects IS NOT NULL OR EXISTS (SELECT 1 FROM assessments WHERE item_id = NEW.item_id AND kind = 'verification'))
BEGIN SELECT RAISE(ABORT, 'This comparison has already been verified'); END;

-- Resolution: a supervisor who was neither examiner, once, of a disagreement.
CREATE TRIGGER resolution_by_supervisor BEFORE INSERT ON assessments
WHEN NEW.kind = 'resolution' AND NEW.examiner_role <> 'supervisor'
BEGIN SELECT RAISE(ABORT, 'Only a supervisor may resolve a disagreement'); END;
CREATE TRIGGER resolution_not_by_examiner BEFORE INSERT ON assessments
WHEN NEW.kind = 'resolution' AND EXISTS (SELECT 1 FROM assessments WHERE item_id = NEW.item_id AND kind IN ('examination', 'verification') AND examiner = NEW.examiner)
BEGIN SELECT RAISE(ABORT, 'A supervisor who examined or verified this comparison may not resolve it: another supervisor must'); END;
CREATE TRIGGER resolution_of_dispute BEFORE INSERT ON assessments
WHEN NEW.kind = 'resolution' AND (NEW.corrects IS NOT NULL OR EXISTS (SELECT 1 FROM assessments WHERE item_id = NEW.item_id AND kind = 'resolution') OR NOT EXISTS (
  SELECT 1 FROM review_submissions s JOIN assessments e ON e.id = s.assessment_id JOIN assessments v ON v.item_id = s.item_id AND v.kind = 'verification'
  WHERE s.item_id = NEW.item_id AND v.side <> e.side))
BEGIN SELECT RAISE(ABORT, 'Only a disputed comparison can be resolved, and only once'); END;

-- A submission is of the examiner's own latest examination; a reveal follows the revealer's own assessment.
CREATE TRIGGER submission_of_latest BEFORE INSERT ON review_submissions
WHEN NOT EXISTS (SELECT 1 FROM assessments WHERE id = NEW.assessment_id AND item_id = NEW.item_id AND kind = 'examination' AND examiner = NEW.submitted_by
  AND id = (SELECT MAX(id) FROM assessments WHERE item_id = NEW.item_id AND kind = 'examination'))
BEGIN SELECT RAISE(ABORT, 'Only the examiner may submit, and only their latest examination'); END;
CREATE TRIGGER reveal_after_assessment BEFORE INSERT ON review_reveals
WHEN NOT EXISTS (SELECT 1 FROM assessments WHERE item_id = NEW.item_id AND examiner = NEW.examiner)
BEGIN SELECT RAISE(ABORT, 'Save your analysis and a first evaluation before the score is revealed'); END;
`;

export interface ReviewItemRow {
  id: number;
  leftFaceId: number;
  rightFaceId: number;
  origin: string;
  openedBy: string;
  openedAt: string;
}

export interface AssessmentRow {
  id: number;
  itemId: number;
  kind: 'examination' | 'verification' | 'resolution';
  examiner: string;
  examinerRole: 'analyst' | 'reviewer' | 'supervisor';
  createdAt: string;
  blind: 0 | 1;
  corrects: number | null;
  correctionReason: string | null;
  scale: string;
  conclusion: string;
  side: 'same' | 'different' | 'neutral' | 'unsuitable';
  body: string;
}

export type NewAssessment = Omit<AssessmentRow, 'id'>;

export interface SubmissionRow {
  itemId: number;
  assessmentId: number;
  submittedBy: string;
  submittedAt: string;
}

export interface CaseSettingRow {
  key: string;
  value: string;
  setBy: string;
  setAt: string;
  reason: string;
}

export interface ReviewReads {
  reviewItem(id: number): ReviewItemRow | null;
  reviewItemByFaces(leftFaceId: number, rightFaceId: number): ReviewItemRow | null;
  reviewItems(): ReviewItemRow[];
  /** Every assessment of one item, oldest first. */
  assessments(itemId: number): AssessmentRow[];
  submission(itemId: number): SubmissionRow | null;
  revealedTo(itemId: number, examiner: string): boolean;
  /** Oldest submission first. */
  submissions(): SubmissionRow[];
  /** The latest value of a case setting, with who set it, when and why; null when never set. */
  caseSetting(key: string): CaseSettingRow | null;
}

export interface ReviewWrites {
  insertReviewItem(row: Omit<ReviewItemRow, 'id'>): number;
  insertAssessment(row: NewAssessment): number;
  insertSubmission(row: SubmissionRow): void;
  insertReveal(itemId: number, examiner: string, at: string): void;
  insertCaseSetting(row: CaseSettingRow): void;
}

const ITEM = 'SELECT id, left_face_id AS leftFaceId, right_face_id AS rightFaceId, origin, opened_by AS openedBy, opened_at AS openedAt FROM review_items';
const ASSESSMENT =
  'SELECT id, item_id AS itemId, kind, examiner, examiner_role AS examinerRole, created_at AS createdAt, blind, corrects, correction_reason AS correctionReason, scale, conclusion, side, body FROM assessments';
const SUBMISSION = 'SELECT item_id AS itemId, assessment_id AS assessmentId, submitted_by AS submittedBy, submitted_at AS submittedAt FROM review_submissions';

export function reviewTables(db: Db): { reads: ReviewReads; writes: ReviewWrites } {
  const q = {
    item: db.prepare(`${ITEM} WHERE id = ?`),
    itemByFaces: db.prepare(`${ITEM} WHERE left_face_id = ? AND right_face_id = ?`),
    items: db.prepare(`${ITEM} ORDER BY id`),
    assessments: db.prepare(`${ASSESSMENT} WHERE item_id = ? ORDER BY id`),
    submission: db.prepare(`${SUBMISSION} WHERE item_id = ?`),
    submissions: db.prepare(`${SUBMISSION} ORDER BY submitted_at, item_id`),
    revealed: db.prepare('SELECT 1 FROM review_reveals WHERE item_id = ? AND examiner = ?'),
    setting: db.prepare('SELECT key, value, set_by AS setBy, set_at AS setAt, reason FROM case_settings WHERE key = ? ORDER BY seq DESC LIMIT 1'),
    insertItem: db.prepare('INSERT INTO review_items (left_face_id, right_face_id, origin, opened_by, opened_at) VALUES (@leftFaceId, @rightFaceId, @origin, @openedBy, @openedAt)'),
    insertAssessment: db.prepare(
      'INSERT INTO assessments (item_id, kind, examiner, examiner_role, created_at, blind, corrects, correction_reason, scale, conclusion, side, body) VALUES (@itemId, @kind, @examiner, @examinerRole, @createdAt, @blind, @corrects, @correctionReason, @scale, @conclusion, @side, @body)',
    ),
    insertSubmission: db.prepare('INSERT INTO review_submissions (item_id, assessment_id, submitted_by, submitted_at) VALUES (@itemId, @assessmentId, @submittedBy, @submittedAt)'),
    insertReveal: db.prepare('INSERT OR IGNORE INTO review_reveals (item_id, examiner, revealed_at) VALUES (?, ?, ?)'),
    insertSetting: db.prepare('INSERT INTO case_settings (key, value, set_by, set_at, reason) VALUES (@key, @value, @setBy, @setAt, @reason)'),
  };
  return {
    reads: {
      reviewItem: (id) => (q.item.get(id) as ReviewItemRow | undefined) ?? null,
      reviewItemByFaces: (l, r) => (q.itemByFaces.get(l, r) as ReviewItemRow | undefined) ?? null,
      reviewItems: () => q.items.all() as ReviewItemRow[],
      assessments: (itemId) => q.assessments.all(itemId) as AssessmentRow[],
      submission: (itemId) => (q.submission.get(itemId) as SubmissionRow | undefined) ?? null,
      submissions: () => q.submissions.all() as SubmissionRow[],
      revealedTo: (itemId, examiner) => q.revealed.get(itemId, examiner) !== undefined,
      caseSetting: (key) => (q.setting.get(key) as CaseSettingRow | undefined) ?? null,
    },
    writes: {
      insertReviewItem: (row) => Number(q.insertItem.run(row).lastInsertRowid),
      insertAssessment: (row) => Number(q.insertAssessment.run(row).lastInsertRowid),
      insertSubmission: (row) => void q.insertSubmission.run(row),
      insertReveal: (itemId, examiner, at) => void q.insertReveal.run(itemId, examiner, at),
      insertCaseSetting: (row) => void q.insertSetting.run(row),
    },
  };
}

export interface ReviewStatus {
  state: 'not_examined' | 'assessed' | 'awaiting_verification' | 'verified' | 'excluded' | 'disputed' | 'resolved';
  /** Only an agreed or resolved conclusion for the same person is a lead. */
  lead: boolean;
  examiner: string | null;
}

/** The state of an item from its records alone: the one rule the screens, the CLI and reports share. */
export function reviewStatus(assessments: readonly AssessmentRow[], submission: SubmissionRow | null): ReviewStatus {
  const examinations = assessments.filter((a) => a.kind === 'examination');
  const examiner = examinations[0]?.examiner ?? null;
  if (examinations.length === 0) return { state: 'not_examined', lead: false, examiner };
  if (!submission) return { state: 'assessed', lead: false, examiner };
  const submitted = examinations.find((a) => a.id === submission.assessmentId);
  const verification = assessments.find((a) => a.kind === 'verification');
  if (!submitted || !verification) return { state: 'awaiting_verification', lead: false, examiner };
  if (verification.side === submitted.side) return { state: submitted.side === 'same' ? 'verified' : 'excluded', lead: submitted.side === 'same', examiner };
  const resolution = assessments.find((a) => a.kind === 'resolution');
  return resolution ? { state: 'resolved', lead: resolution.side === 'same', examiner } : { state: 'disputed', lead: false, examiner };
}
