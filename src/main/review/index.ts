import {
  Assessment,
  AssessmentBody,
  ConclusionScale,
  LoupeError,
  REVIEW_REFUSAL,
  ReviewOrigin,
  type Comparison,
  type SearchResult,
  sideOf,
  type BlindMode,
  type ReviewItemSummary,
  type ReviewPart,
  type ReviewQueue,
  type ReviewScore,
  type ReviewView,
  type User,
} from '../../shared';
import { reviewStatus, type AssessmentRow, type CaseStore, type ReviewItemRow } from '../store';

export { ScaleSetting } from './scale';

export interface ReviewDeps {
  store: CaseStore;
  now(): Date;
  /** The workstation's conclusion scale in force. */
  scale(): ConclusionScale;
  /** The recorded search a candidate came from. */
  search(searchId: number): SearchResult;
  /** A 1:1 comparison of two faces of the case, for a pair not taken from a search. */
  compare(leftFaceId: number, rightFaceId: number): Promise<Comparison>;
}

const BLIND_MODE = 'blind_mode';

/**
 * The examiner review of one case: comparison items, ACE-V assessments, blind reveal,
 * submission, verification by a second examiner and resolution of disputes. The rules that
 * make a lead are also triggers in the store (review-tables.ts); the checks here come first
 * so that a refusal says plainly why.
 */
export class ReviewService {
  constructor(private readonly deps: ReviewDeps) {}

  private get store(): CaseStore {
    return this.deps.store;
  }

  blindMode(): BlindMode {
    const s = this.store.reads.caseSetting(BLIND_MODE);
    return s ? { on: s.value === 'on', setBy: s.setBy, setAt: s.setAt, reason: s.reason } : { on: true, setBy: null, setAt: null, reason: null };
  }

  setBlindMode(user: User, on: boolean, reason: string): BlindMode {
    if (user.role !== 'supervisor') throw new LoupeError('forbidden', 'Only a supervisor may change blind mode.');
    this.store.writes.insertCaseSetting({ key: BLIND_MODE, value: on ? 'on' : 'off', setBy: user.username, setAt: this.deps.now().toISOString(), reason });
    return this.blindMode();
  }

  /** The item for two faces, made the first time they are opened together; returns its id. */
  open(user: User, leftFaceId: number, rightFaceId: number, origin: ReviewOrigin): number {
    if (leftFaceId === rightFaceId) throw new LoupeError('invalid_input', 'Choose two different faces to compare.', 'rightFaceId');
    const known = this.store.reads.faceContext([leftFaceId, rightFaceId]);
    for (const [id, field] of [[leftFaceId, 'leftFaceId'], [rightFaceId, 'rightFaceId']] as const) {
      if (!known.has(id)) throw new LoupeError('not_found', `There is no face ${id} in this case.`, field);
    }
    if (origin.kind === 'search') {
      const result = this.deps.search(origin.searchId);
      if (result.probe.id !== leftFaceId || !result.candidates.some((c) => c.face.id === rightFaceId)) {
        throw new LoupeError('invalid_input', `Face ${rightFaceId} is not a candidate of search ${origin.searchId} for probe face ${leftFaceId}.`, 'origin');
      }
    }
    const existing = this.store.reads.reviewItemByFaces(leftFaceId, rightFaceId);
    return existing?.id ?? this.write(() => this.store.writes.insertReviewItem({ leftFaceId, rightFaceId, origin: JSON.stringify(origin), openedBy: user.username, openedAt: this.deps.now().toISOString() }));
  }

  async view(user: User, itemId: number): Promise<ReviewView> {
    const row = this.item(itemId);
    const rows = this.store.reads.assessments(itemId);
    const summary = this.summary(row, rows);
    const part = this.partOf(user, summary, rows);
    const blind = this.blindMode().on && !this.store.reads.revealedTo(itemId, user.username) && user.role !== 'auditor';
    // Anyone who may yet verify it (a reviewer with no record of their own, before a verification exists)
    // sees none of the first examiner's records, even before they are submitted.
    const mayYetVerify = user.role === 'reviewer' && !rows.some((r) => r.examiner === user.username);
    const hideOthers = mayYetVerify && !rows.some((r) => r.kind === 'verification');
    const visible = rows.filter((r) => !hideOthers || r.examiner === user.username);
    const may = this.may(user, summary, rows, part);
    return {
      item: summary,
      part,
      blind,
      score: blind ? null : await this.score(summary),
      assessments: visible.map(toAssessment),
      withheld: rows.length - visible.length,
      scale: this.deps.scale(),
      may,
      why: this.why(user, summary, rows, part, may),
    };
  }

  /** The first examiner's assessment, or their revision of it (naming the record it corrects and why). */
  assess(user: User, itemId: number, body: AssessmentBody, correctionReason?: string): number {
    const rows = this.store.reads.assessments(itemId);
    const summary = this.summary(this.item(itemId), rows);
    const mine = rows.filter((r) => r.kind === 'examination');
    if (summary.examiner && summary.examiner !== user.username) throw new LoupeError('forbidden', `${summary.examiner} has examined this comparison; only they may revise it. A second examiner verifies it from the review queue.`);
    if (this.store.reads.submission(itemId)) throw new LoupeError('conflict', 'This comparison was submitted for verification: its examination can no longer be revised.');
    const previous = mine.at(-1) ?? null;
    if (previous && !correctionReason) throw new LoupeError('invalid_input', 'Say why you revise your earlier assessment.', 'correctionReason');
    return this.insert(user, itemId, 'examination', body, previous ? { id: previous.id, reason: correctionReason ?? '' } : null);
  }

  submit(user: User, itemId: number): void {
    const rows = this.store.reads.assessments(itemId);
    const latest = rows.filter((r) => r.kind === 'examination').at(-1);
    if (!latest) throw new LoupeError('conflict', 'Save an assessment before submitting it for verification.');
    if (latest.examiner !== user.username) throw new LoupeError('forbidden', `Only the examiner (${latest.examiner}) may submit this comparison.`);
    if (this.store.reads.submission(itemId)) throw new LoupeError('conflict', 'This comparison has already been submitted for verification.');
    this.write(() => this.store.writes.insertSubmission({ itemId, assessmentId: latest.id, submittedBy: user.username, submittedAt: this.deps.now().toISOString() }));
  }

  reveal(user: User, itemId: number): void {
    this.item(itemId);
    if (!this.store.reads.assessments(itemId).some((r) => r.examiner === user.username)) {
      throw new LoupeError('forbidden', 'Save your analysis and a first evaluation before the score is revealed.');
    }
    this.write(() => this.store.writes.insertReveal(itemId, user.username, this.deps.now().toISOString()));
  }

  verify(user: User, itemId: number, body: AssessmentBody): number {
    const rows = this.store.reads.assessments(itemId);
    const summary = this.summary(this.item(itemId), rows);
    if (user.role !== 'reviewer') throw new LoupeError('forbidden', 'Only a user with the reviewer role may verify a comparison.');
    if (summary.examiner === user.username) throw new LoupeError('forbidden', REVIEW_REFUSAL.selfVerification);
    if (summary.state !== 'awaiting_verification') throw new LoupeError('conflict', `This comparison is ${summary.state.replace('_', ' ')}, not awaiting verification.`);
    return this.insert(user, itemId, 'verification', body, null);
  }

  resolve(user: User, itemId: number, body: AssessmentBody): number {
    const rows = this.store.reads.assessments(itemId);
    const summary = this.summary(this.item(itemId), rows);
    if (user.role !== 'supervisor') throw new LoupeError('forbidden', 'Only a supervisor may resolve a disagreement.');
    if (rows.some((r) => r.examiner === user.username && r.kind !== 'resolution')) throw new LoupeError('forbidden', REVIEW_REFUSAL.resolverTookPart);
    if (summary.state !== 'disputed') throw new LoupeError('conflict', `This comparison is ${summary.state.replace('_', ' ')}: only a disputed comparison is resolved.`);
    return this.insert(user, itemId, 'resolution', body, null);
  }

  /** The oldest submission this reviewer may verify: a reviewer does not choose whose work to check. */
  async next(user: User): Promise<ReviewView | null> {
    const item = this.queue(user).toVerify[0];
    return item ? this.view(user, item.id) : null;
  }

  queue(user: User): ReviewQueue {
    const all = this.store.reads.reviewItems().map((row) => {
      const rows = this.store.reads.assessments(row.id);
      return { summary: this.summary(row, rows), rows };
    });
    const bySubmission = new Map(this.store.reads.submissions().map((s, i) => [s.itemId, i]));
    const mine = all.filter(({ summary: s }) => (s.state === 'not_examined' && s.openedBy === user.username) || (s.state === 'assessed' && s.examiner === user.username));
    const toVerify =
      user.role === 'reviewer'
        ? all.filter(({ summary: s }) => s.state === 'awaiting_verification' && s.examiner !== user.username).sort((a, b) => (bySubmission.get(a.summary.id) ?? 0) - (bySubmission.get(b.summary.id) ?? 0))
        : [];
    const disputes = user.role === 'supervisor' ? all.filter(({ summary: s, rows }) => s.state === 'disputed' && !rows.some((r) => r.examiner === user.username)) : [];
    return { mine: mine.map((x) => x.summary), toVerify: toVerify.map((x) => x.summary), disputes: disputes.map((x) => x.summary) };
  }

  /**
   * A search as this user may see it: in a blind case, each candidate's rank, score, rate and
   * watch-list entry are withheld until the user has assessed it and revealed the score, and
   * the list is in a neutral order (by face) so its order says nothing either. Auditors see all.
   */
  /**
   * A 1:1 comparison must not hand over the score a blind examiner has not yet revealed:
   * refused while the pair (either way round) is under review and this user has not revealed it.
   */
  refuseBlindCompare(user: User, faceA: number, faceB: number): void {
    if (!this.blindMode().on || user.role === 'auditor') return;
    for (const row of [this.store.reads.reviewItemByFaces(faceA, faceB), this.store.reads.reviewItemByFaces(faceB, faceA)]) {
      if (row && !this.store.reads.revealedTo(row.id, user.username)) {
        throw new LoupeError('forbidden', `These two faces are under blind review (comparison ${row.id}): their score is shown in the comparison view once you have saved your assessment and revealed it.`);
      }
    }
  }

  shownTo(user: User, result: SearchResult): SearchResult {
    if (!this.blindMode().on || user.role === 'auditor') return { ...result, blind: false };
    const revealed = new Set<number>();
    for (const c of result.candidates) {
      const row = this.store.reads.reviewItemByFaces(result.probe.id, c.face.id);
      if (row && this.store.reads.revealedTo(row.id, user.username)) revealed.add(c.face.id);
    }
    const candidates = result.candidates
      .map((c) => (revealed.has(c.face.id) ? c : { ...c, rank: null, score: null, fmr: null, watchlist: null, template: null, withheld: true }))
      .sort((a, b) => a.face.id - b.face.id);
    return { ...result, blind: true, candidates };
  }

  /** The review item of each right face opened against this left face (a search's candidates against its probe). */
  itemsFor(leftFaceId: number, rightFaceIds: readonly number[]): Map<number, ReviewItemSummary> {
    const out = new Map<number, ReviewItemSummary>();
    for (const right of rightFaceIds) {
      const row = this.store.reads.reviewItemByFaces(leftFaceId, right);
      if (row) out.set(right, this.summary(row, this.store.reads.assessments(row.id)));
    }
    return out;
  }

  /** The score as the system gave it: the candidate's line of its search, or a 1:1 comparison for a pair. */
  private async score(item: ReviewItemSummary): Promise<ReviewScore> {
    if (item.origin.kind === 'pair') {
      const c = await this.deps.compare(item.leftFaceId, item.rightFaceId);
      return { score: c.score, fmr: c.fmr, rank: null, otherCandidates: [], watchlist: null };
    }
    const result = this.deps.search(item.origin.searchId);
    const candidate = result.candidates.find((c) => c.face.id === item.rightFaceId);
    if (!candidate || candidate.score === null) throw new LoupeError('integrity', `Search ${result.id} has no scored candidate face ${item.rightFaceId}, yet this comparison names it.`);
    const entry = candidate.watchlist ? this.store.reads.entry(candidate.watchlist.entryId) : null;
    return {
      score: candidate.score,
      fmr: candidate.fmr,
      rank: candidate.rank,
      otherCandidates: result.candidates.filter((c) => c !== candidate).map((c) => c.face.id),
      watchlist: candidate.watchlist ? { listName: candidate.watchlist.listName, label: candidate.watchlist.label, reason: entry?.reason ?? '' } : null,
    };
  }

  /** Who examined and who verified an item: the facts the contract's review policies ask. */
  participants(itemId: number): { examiners: string[]; verifiers: string[] } {
    const rows = this.store.reads.assessments(itemId);
    const who = (kind: AssessmentRow['kind']) => [...new Set(rows.filter((r) => r.kind === kind).map((r) => r.examiner))];
    return { examiners: who('examination'), verifiers: who('verification') };
  }

  /** An item's state now, for the audit record of the call that changed it. */
  status(itemId: number): ReviewItemSummary {
    return this.summary(this.item(itemId), this.store.reads.assessments(itemId));
  }

  private item(itemId: number): ReviewItemRow {
    const row = this.store.reads.reviewItem(itemId);
    if (!row) throw new LoupeError('not_found', `There is no comparison ${itemId} in this case.`, 'itemId');
    return row;
  }

  private summary(row: ReviewItemRow, rows: readonly AssessmentRow[]): ReviewItemSummary {
    const status = reviewStatus(rows, this.store.reads.submission(row.id));
    return {
      id: row.id,
      leftFaceId: row.leftFaceId,
      rightFaceId: row.rightFaceId,
      origin: ReviewOrigin.parse(JSON.parse(row.origin)),
      openedBy: row.openedBy,
      openedAt: row.openedAt,
      ...status,
    };
  }

  private partOf(user: User, s: ReviewItemSummary, rows: readonly AssessmentRow[]): ReviewPart {
    const mine = rows.find((r) => r.examiner === user.username);
    if (mine) return mine.kind === 'examination' ? 'examiner' : mine.kind === 'verification' ? 'verifier' : 'resolver';
    if (user.role === 'auditor') return 'observer';
    if (s.examiner === null) return 'examiner';
    if (user.role === 'reviewer' && s.state === 'awaiting_verification') return 'verifier';
    if (user.role === 'supervisor' && s.state === 'disputed') return 'resolver';
    return 'observer';
  }

  private may(user: User, s: ReviewItemSummary, rows: readonly AssessmentRow[], part: ReviewPart): ReviewView['may'] {
    const examiner = part === 'examiner' && user.role !== 'auditor';
    return {
      assess: examiner && (s.state === 'not_examined' || s.state === 'assessed'),
      submit: examiner && s.state === 'assessed',
      reveal: rows.some((r) => r.examiner === user.username) && !this.store.reads.revealedTo(s.id, user.username),
      verify: part === 'verifier' && user.role === 'reviewer' && s.state === 'awaiting_verification',
      resolve: part === 'resolver' && user.role === 'supervisor' && s.state === 'disputed',
    };
  }

  private why(user: User, s: ReviewItemSummary, rows: readonly AssessmentRow[], part: ReviewPart, may: ReviewView['may']): string | null {
    if (Object.values(may).some(Boolean)) return null;
    if (user.role === 'auditor') return 'Auditors read the review; they do not take part in it.';
    if (s.examiner === user.username && s.state === 'awaiting_verification') return 'Submitted: a second examiner with the reviewer role will verify it from the review queue. You may not verify your own work.';
    if (part === 'observer' && s.state === 'awaiting_verification') return 'Awaiting verification by a reviewer who did not examine it.';
    if (part === 'observer' && s.state === 'disputed') return 'Disputed: a supervisor who took no part resolves it.';
    if (part === 'observer' && s.examiner) return `Examined by ${s.examiner}.`;
    return rows.length > 0 ? null : 'Nothing to do here.';
  }

  private insert(user: User, itemId: number, kind: AssessmentRow['kind'], body: AssessmentBody, corrects: { id: number; reason: string } | null): number {
    const scale = this.deps.scale();
    const side = sideOf(scale, body.conclusion);
    if (!side) throw new LoupeError('invalid_input', `“${body.conclusion}” is not a conclusion on the scale ${scale.name} (version ${scale.version}).`, 'body.conclusion');
    const unsuitable = body.analysis.left.suitability === 'not_suitable' || body.analysis.right.suitability === 'not_suitable';
    if (unsuitable && side !== 'unsuitable') throw new LoupeError('invalid_input', 'An image was analysed as not suitable: the conclusion must be that the pair is not suitable for comparison.', 'body.conclusion');
    const role = user.role;
    if (role === 'auditor') throw new LoupeError('forbidden', 'Auditors read the review; they do not take part in it.');
    const blind = this.blindMode().on && !this.store.reads.revealedTo(itemId, user.username);
    return this.write(() =>
      this.store.writes.insertAssessment({
        itemId,
        kind,
        examiner: user.username,
        examinerRole: role,
        createdAt: this.deps.now().toISOString(),
        blind: blind ? 1 : 0,
        corrects: corrects?.id ?? null,
        correctionReason: corrects?.reason ?? null,
        scale: JSON.stringify(scale),
        conclusion: body.conclusion,
        side,
        body: JSON.stringify(body),
      }),
    );
  }

  /** The store's triggers are the last word: their refusal reaches the user as a refusal, not an internal error. */
  private write<T>(fn: () => T): T {
    try {
      return this.store.transaction(fn);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_CONSTRAINT_TRIGGER') throw new LoupeError('forbidden', `${(err as Error).message}.`);
      throw err;
    }
  }
}

function toAssessment(r: AssessmentRow): Assessment {
  return Assessment.parse({
    id: r.id,
    itemId: r.itemId,
    kind: r.kind,
    examiner: r.examiner,
    examinerRole: r.examinerRole,
    createdAt: r.createdAt,
    blind: r.blind === 1,
    corrects: r.corrects,
    correctionReason: r.correctionReason,
    scale: JSON.parse(r.scale),
    body: JSON.parse(r.body),
  });
}
