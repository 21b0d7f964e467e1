import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCALE, REVIEW_REFUSAL, type SearchResult } from '../../shared';
import { openCaseStore } from '../store';
import { ReviewService } from './index';
import { assessmentBody as body, CASE_AUTHORITY, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_DIR, packInstalled, PASSPHRASE, PASSWORD, tempWorkstation } from '../testing';

const ready = facesAvailable && (packInstalled('yunet') || packInstalled('default'));
if (!ready) console.warn(`review tests: ${facesAvailable ? `no model pack in ${MODELS_DIR}` : FACES_MISSING}: skipped`);

const PEOPLE: Record<string, string> = {
  'obama.jpg': 'identities/Barack_Obama/obama.jpg',
  'obama2.jpg': 'identities/Barack_Obama/obama2.jpg',
  'biden.jpg': 'identities/Joe_Biden/biden.jpg',
  'group.jpg': 'groups/face_recognition/obama_and_biden.jpg',
};
const USERS = [
  { username: 'ann', role: 'analyst' },
  { username: 'rita', role: 'reviewer' },
  { username: 'rob', role: 'reviewer' },
  { username: 'sue', role: 'supervisor' },
  { username: 'aud', role: 'auditor' },
] as const;

describe.skipIf(!ready)('examiner review through the router', () => {
  let t: Awaited<ReturnType<typeof tempWorkstation>>;
  let src: string;
  let caseId: string;
  let search: SearchResult;

  const as = async (username: string) => {
    await t.must('session.signOut', {});
    await t.must('session.signIn', { username, password: PASSWORD });
    await t.must('cases.open', { caseId, passphrase: username === 'sup' ? PASSPHRASE : `${username} passphrase for the case` });
  };

  beforeAll(async () => {
    src = mkdtempSync(path.join(os.tmpdir(), 'loupe-review-src-'));
    for (const [name, rel] of Object.entries(PEOPLE)) copyFileSync(path.join(FACES_DIR, rel), path.join(src, name));
    t = await tempWorkstation('loupe-review-');
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    for (const u of USERS) await t.must('users.add', { username: u.username, displayName: u.username, role: u.role, password: PASSWORD });
    caseId = (await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE })).id;
    for (const u of USERS) await t.must('cases.grantAccess', { username: u.username, passphrase: `${u.username} passphrase for the case` });
    await t.must('evidence.import', { paths: [src] });
    await t.ws.importSettled();
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 500, status: 'done' });
    const obama = exhibits.find((e) => e.fileName === 'obama.jpg');
    const probeFace = (await t.must('evidence.get', { exhibitId: obama?.id ?? 0 })).faces[0];
    const seen = await t.must('search.run', { probeFaceId: probeFace?.id ?? 0, purpose: 'Find the man seen at the robbery in the seized photographs', maxFmr: null });
    // Blind by default: the searcher's own list withholds rank, score and rate, in face order.
    expect(seen.blind).toBe(true);
    expect(seen.candidates.every((c) => c.withheld && c.rank === null && c.score === null && c.fmr === null)).toBe(true);
    expect(seen.candidates.map((c) => c.face.id)).toEqual([...seen.candidates.map((c) => c.face.id)].sort((a, b) => a - b));
    // An auditor, who takes no part in the review, reads the list as recorded.
    await as('aud');
    search = await t.must('search.get', { searchId: seen.id });
    expect(search.blind).toBe(false);
    expect(search.candidates.map((c) => c.rank)).toEqual(search.candidates.map((_, i) => i + 1));
    expect(search.candidates.length).toBeGreaterThanOrEqual(3);
  });
  afterAll(async () => {
    await t?.dispose();
    rmSync(src, { recursive: true, force: true });
  });

  const open = (rank: number) => {
    const c = search.candidates[rank - 1];
    return t.must('review.open', { leftFaceId: search.probe.id, rightFaceId: c?.face.id ?? 0, origin: { kind: 'search', searchId: search.id } });
  };

  it('blind by default: the score comes only after the examiner saved an assessment; a reviewer verifies blind from the queue; agreement makes a lead', async () => {
    await as('ann');
    const opened = await open(1);
    expect(opened).toMatchObject({ blind: true, score: null, part: 'examiner', item: { state: 'not_examined', lead: false } });
    expect(await t.invoke('review.reveal', { itemId: opened.item.id })).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Save your analysis and a first evaluation before the score is revealed.' } });
    // Nor does Compare 1:1 give the pair's score away, whichever way round it is asked.
    const purpose = 'Compare the probe with the first candidate directly';
    for (const [faceA, faceB] of [[opened.item.leftFaceId, opened.item.rightFaceId], [opened.item.rightFaceId, opened.item.leftFaceId]] as const) {
      expect(await t.invoke('compare.faces', { faceA, faceB, purpose })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/under blind review/) } });
    }
    const assessed = await t.must('review.assess', { itemId: opened.item.id, body: body('moderate_same') });
    expect(assessed).toMatchObject({ blind: true, score: null, item: { state: 'assessed' }, may: { submit: true, reveal: true } });
    expect(assessed.assessments[0]).toMatchObject({ kind: 'examination', examiner: 'ann', blind: true, corrects: null, scale: { id: 'loupe-7', version: 1 } });
    const revealed = await t.must('review.reveal', { itemId: opened.item.id });
    expect(revealed.blind).toBe(false);
    expect(revealed.score).toMatchObject({ rank: 1, score: search.candidates[0]?.score });
    expect(revealed.score?.otherCandidates.length).toBe(search.candidates.length - 1);
    expect((await t.must('compare.faces', { faceA: opened.item.leftFaceId, faceB: opened.item.rightFaceId, purpose: 'Compare the probe with the first candidate directly' })).score).toBeCloseTo(revealed.score?.score ?? 0, 5);
    // A change of mind after the reveal is a new record naming the one it corrects.
    expect(await t.invoke('review.assess', { itemId: opened.item.id, body: body('strong_same') })).toMatchObject({ ok: false, error: { field: 'correctionReason' } });
    const revised = await t.must('review.assess', { itemId: opened.item.id, body: body('strong_same'), correctionReason: 'Looked again at the ear in the original frame' });
    expect(revised.assessments.map((a) => [a.body.conclusion, a.corrects])).toEqual([
      ['moderate_same', null],
      ['strong_same', revised.assessments[0]?.id],
    ]);
    expect(revised.assessments[1]?.blind).toBe(false);
    // In her list, only the candidate she revealed shows its rank and score.
    const list = await t.must('search.get', { searchId: search.id });
    expect(list.candidates.filter((c) => !c.withheld).map((c) => [c.face.id, c.rank, c.score])).toEqual([[search.candidates[0]?.face.id, 1, search.candidates[0]?.score]]);
    expect((await t.must('review.submit', { itemId: opened.item.id })).item.state).toBe('awaiting_verification');
    expect(await t.invoke('review.assess', { itemId: opened.item.id, body: body('limited_same'), correctionReason: 'One more change after submitting' })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    await as('rita');
    const next = await t.must('review.next', {});
    expect(next).toMatchObject({ part: 'verifier', blind: true, score: null, assessments: [], withheld: 2, item: { id: opened.item.id } });
    const verified = await t.must('review.verify', { itemId: opened.item.id, body: body('moderate_same') });
    expect(verified.item).toMatchObject({ state: 'verified', lead: true });
    expect(verified.assessments.map((a) => a.kind)).toEqual(['examination', 'examination', 'verification']);
    expect(await t.must('review.next', {})).toBeNull();
  });

  it('refuses self-verification with a clear message, through the channel and directly in the store', async () => {
    await as('rob');
    const mine = await open(2);
    await t.must('review.assess', { itemId: mine.item.id, body: body('limited_same') });
    await t.must('review.submit', { itemId: mine.item.id });
    expect(await t.must('review.next', {})).toBeNull();
    expect(await t.invoke('review.verify', { itemId: mine.item.id, body: body('limited_same') })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: 'You examined this comparison: you may not verify your own work. A second examiner must.' },
    });
    // An analyst, a supervisor and an auditor cannot verify at all: the contract says reviewers only.
    for (const u of ['ann', 'sue', 'aud']) {
      await as(u);
      expect(await t.invoke('review.verify', { itemId: mine.item.id, body: body('limited_same') })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    // A direct call of the service (a script in main) is refused the same way...
    const store = await openCaseStore(path.join(t.home, 'cases', caseId), { username: 'rob', passphrase: 'rob passphrase for the case' });
    const unreachable = () => {
      throw new Error('not reached: verifying writes and reads no score');
    };
    const direct = new ReviewService({ store, now: () => new Date(), scale: () => DEFAULT_SCALE, search: unreachable, compare: unreachable });
    const robUser = { id: 'rob', username: 'rob', displayName: 'rob', role: 'reviewer' as const, disabled: false, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'sup' };
    expect(() => direct.verify(robUser, mine.item.id, body('limited_same'))).toThrow(REVIEW_REFUSAL.selfVerification);
    // ...and past the service, the store's triggers refuse the same.
    const row = { itemId: mine.item.id, kind: 'verification' as const, createdAt: '2026-01-01T00:00:00.000Z', blind: 1 as const, corrects: null, correctionReason: null, scale: JSON.stringify(mine.scale), conclusion: 'limited_same', side: 'same' as const, body: '{}' };
    expect(() => store.writes.insertAssessment({ ...row, examiner: 'rob', examinerRole: 'reviewer' })).toThrow(/may not verify their own/);
    expect(() => store.writes.insertAssessment({ ...row, examiner: 'ann', examinerRole: 'analyst' })).toThrow(/Only a user with the reviewer role may verify/);
    expect(() => store.writes.insertAssessment({ ...row, examiner: 'rita', examinerRole: 'reviewer', side: 'different' })).toThrow(/side does not match the scale/);
    expect(() => store.writes.insertAssessment({ ...row, itemId: 1, examiner: 'zed', examinerRole: 'reviewer' })).toThrow(/already been verified/);
    expect(() => store.writes.insertSubmission({ itemId: mine.item.id, assessmentId: 1, submittedBy: 'ann', submittedAt: '2026-01-01T00:00:00.000Z' })).toThrow(/Only the examiner may submit/);
    store.close();
    await as('aud');
    expect((await t.must('review.get', { itemId: mine.item.id })).item).toMatchObject({ state: 'awaiting_verification', lead: false });
  });

  it('sends a disagreement to a supervisor who took no part; the examiners cannot resolve it', async () => {
    await as('sup');
    const item = await open(3);
    await t.must('review.assess', { itemId: item.item.id, body: body('limited_same') });
    // A reviewer who may later verify it sees nothing of the first examiner's work, even before submission.
    await as('rita');
    expect(await t.must('review.get', { itemId: item.item.id })).toMatchObject({ item: { state: 'assessed' }, assessments: [], withheld: 1, blind: true, score: null });
    await as('sup');
    await t.must('review.submit', { itemId: item.item.id });
    await as('rita');
    // Oldest submission first: rob's comparison before this one; she does not choose.
    const robs = await t.must('review.next', {});
    expect(robs?.item.examiner).toBe('rob');
    await t.must('review.verify', { itemId: robs?.item.id ?? 0, body: body('limited_same') });
    const next = await t.must('review.next', {});
    expect(next?.item.id).toBe(item.item.id);
    const disputed = await t.must('review.verify', { itemId: item.item.id, body: body('moderate_different') });
    expect(disputed.item).toMatchObject({ state: 'disputed', lead: false });
    await as('sup');
    expect(await t.invoke('review.resolve', { itemId: item.item.id, body: body('inconclusive') })).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'You examined or verified this comparison: another supervisor must resolve it.' } });
    await as('sue');
    const queue = await t.must('review.queue', {});
    expect(queue.disputes.map((d) => d.id)).toEqual([item.item.id]);
    const resolver = await t.must('review.get', { itemId: item.item.id });
    expect(resolver.assessments.map((a) => a.kind)).toEqual(['examination', 'verification']);
    const resolved = await t.must('review.resolve', { itemId: item.item.id, body: body('inconclusive') });
    expect(resolved.item).toMatchObject({ state: 'resolved', lead: false });
    const states = await t.must('review.states', { leftFaceId: search.probe.id, rightFaceIds: search.candidates.map((c) => c.face.id) });
    expect(states.map((s) => s.state).sort()).toEqual(['resolved', 'verified', 'verified']);
  });

  it('records every step, each naming its comparison, and lets a supervisor turn blind mode off with a reason', async () => {
    await as('sue');
    const records = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 500 })).records.filter((r) => r.action.startsWith('review.'));
    const first = records.filter((r) => r.object === 'review-item:1').map((r) => `${r.user} ${r.action} ${r.outcome}`).reverse();
    expect(first).toEqual(expect.arrayContaining(['ann review.open ok', 'ann review.assess ok', 'ann review.reveal ok', 'ann review.submit ok', 'rita review.next ok', 'rita review.verify ok']));
    expect(records.some((r) => r.action === 'review.verify' && r.user === 'rob' && r.outcome === 'refused')).toBe(true);
    expect(await t.invoke('review.setBlindMode', { on: false, reason: 'short' })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'reason' } });
    expect(await t.must('review.setBlindMode', { on: false, reason: 'Training case: scores shown from the start' })).toMatchObject({ on: false, setBy: 'sue' });
    await as('ann');
    expect(await t.invoke('review.setBlindMode', { on: true, reason: 'I would like it back on' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const sighted = await open(4 <= search.candidates.length ? 4 : 3);
    expect(sighted.blind).toBe(false);
    expect(sighted.score).not.toBeNull();
  });
});
