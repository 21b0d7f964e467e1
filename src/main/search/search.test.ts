import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, ExhibitDetails } from '../../shared';
import { calibratedPack, FACES_DIR, PASSPHRASE, peopleCase, peopleCaseReady, PEOPLE_CASE_MISSING } from '../testing';

if (!peopleCaseReady) console.warn(`search tests: ${PEOPLE_CASE_MISSING}: skipped`);

const PURPOSE = 'Find where the suspect of robbery OP-TEST/001 appears in the seized footage';

describe.skipIf(!peopleCaseReady)('search, compare and watch lists', () => {
  let t: Awaited<ReturnType<typeof peopleCase>>['t'];
  let faceOf: Map<number, string>;
  let probe: ExhibitDetails;
  const events: ApiEvent[] = [];

  beforeAll(async () => {
    ({ t, faceOf } = await peopleCase());
    t.ws.onEvent((e) => events.push(e));
    // These tests read searches as recorded; blind review (on by default) withholds scores from examiners (review.test.ts).
    await t.must('review.setBlindMode', { on: false, reason: 'Search tests read the recorded scores' });
    probe = await t.must('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Barack_Obama/obama-240p.jpg'), exhibitRef: 'PROBE/1' });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('imports a probe image as a probe exhibit, with its face', () => {
    expect(probe.exhibit).toMatchObject({ role: 'probe', exhibitRef: 'PROBE/1', status: 'done' });
    expect(probe.faces).toHaveLength(1);
  });

  it('finds the probe person first, with estimated false match rates, and records the search', async () => {
    const r = await t.must('search.run', { probeFaceId: probe.faces[0]!.id, purpose: PURPOSE, maxFmr: 0.001 });
    expect(r.candidates.length).toBeGreaterThan(0);
    expect(faceOf.get(r.candidates[0]!.face.id)).toBe('Barack_Obama');
    // Ranked by score; all above the threshold; each with a "1 in N".
    for (const [i, c] of r.candidates.entries()) {
      expect(c.rank).toBe(i + 1);
      expect(c.score).toBeGreaterThanOrEqual(r.thresholdScore!);
      expect(c.fmr?.oneIn).toMatch(/1 in [\d,]+/);
      // A track is ranked by its fused template's score, a still by its face's.
      if (i > 0) expect(c.template?.score ?? c.score!).toBeLessThanOrEqual(r.candidates[i - 1]!.template?.score ?? r.candidates[i - 1]!.score!);
    }
    // The probe itself, and probe images, are never candidates.
    expect(r.candidates.some((c) => c.face.id === probe.faces[0]!.id || c.exhibit.id === probe.exhibit.id)).toBe(false);
    expect(r.caveat).toMatch(/not identifications/);
    expect(await t.must('search.get', { searchId: r.id })).toEqual(r);

    const audit = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 5 })).records.find((x) => x.action === 'search.run');
    expect(audit?.object).toBe(`search:${r.id}`);
    expect(audit?.details).toMatchObject({ input: { purpose: PURPOSE, probeFaceId: probe.faces[0]!.id }, pack: { name: calibratedPack }, thresholdScore: r.thresholdScore });
    expect((audit?.details as { candidates: unknown[] }).candidates).toHaveLength(r.candidates.length);
  });

  it('refuses a search without a purpose, naming the field', async () => {
    const r = await t.invoke('search.run', { probeFaceId: probe.faces[0]!.id, purpose: 'x' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'purpose' } });
  });

  it('refuses a false match rate finer than the calibration can support', async () => {
    const r = await t.invoke('search.run', { probeFaceId: probe.faces[0]!.id, purpose: PURPOSE, maxFmr: 1e-9 });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'maxFmr' } });
  });

  it('needs a written reason to search with a probe of insufficient quality', async () => {
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 500, status: 'done' });
    let weak: number | undefined;
    for (const e of exhibits) {
      weak = (await t.must('evidence.get', { exhibitId: e.id })).faces.find((f) => f.quality.insufficient)?.id;
      if (weak) break;
    }
    expect(weak, 'the footage has faces flagged insufficient').toBeDefined();
    const refused = await t.invoke('search.run', { probeFaceId: weak!, purpose: PURPOSE });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', field: 'qualityOverride' } });
    const allowed = await t.must('search.run', { probeFaceId: weak!, purpose: PURPOSE, qualityOverride: 'Only image of the suspect; examiner aware of its quality' });
    expect(allowed.qualityOverride).toMatch(/Only image/);
  });

  it('folds the faces of one video track into one candidate', async () => {
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 500, status: 'done' });
    const video = await t.must('evidence.get', { exhibitId: exhibits.find((e) => e.kind === 'video')!.id });
    const longest = video.tracks.reduce((a, b) => (b.faceCount > a.faceCount ? b : a));
    const r = await t.must('search.run', { probeFaceId: longest.bestFaceId, purpose: PURPOSE, maxFmr: null, maxCandidates: 20 });
    const tracks = r.candidates.filter((c) => c.face.trackId !== null).map((c) => c.face.trackId);
    expect(new Set(tracks).size).toBe(tracks.length);
    const sameTrack = r.candidates.find((c) => c.face.trackId === longest.id);
    expect(sameTrack?.trackFaces).toBeGreaterThan(0);
  });

  it('scores a video track by its fused template and gives its best single face with that face\'s false match rate; a still has no template', async () => {
    const r = await t.must('search.run', { probeFaceId: probe.faces[0]!.id, purpose: PURPOSE, maxFmr: null, maxCandidates: 100 });
    const still = r.candidates.find((c) => c.face.trackId === null)!;
    expect(still.template).toBeNull();
    const tracked = r.candidates.find((c) => c.face.trackId !== null)!;
    const video = await t.must('evidence.get', { exhibitId: tracked.exhibit.id });
    const members = video.faces.filter((f) => f.trackId === tracked.face.trackId);
    expect(tracked.template).toEqual({ score: expect.any(Number), probeFaces: 1, candidateFaces: Math.min(5, members.length) });
    // Its score is that of its best single face (as a 1:1 comparison gives it), with the rate calibrated for single faces.
    const pairs = await Promise.all(members.map((f) => t.must('compare.faces', { faceA: probe.faces[0]!.id, faceB: f.id, purpose: PURPOSE })));
    const best = pairs.reduce((a, b) => (b.score > a.score ? b : a));
    expect(tracked.face.id).toBe(best.faceB.id);
    expect(tracked.score).toBeCloseTo(best.score, 6);
    expect(tracked.fmr).toEqual(best.fmr);
  });

  it('searches with the fused template of the probe face\'s track, leaving its own track out; a still has no track to search with', async () => {
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 500, status: 'done' });
    const video = await t.must('evidence.get', { exhibitId: exhibits.find((e) => e.kind === 'video')!.id });
    const longest = video.tracks.reduce((a, b) => (b.faceCount > a.faceCount ? b : a));
    const r = await t.must('search.run', { probeFaceId: longest.bestFaceId, probeTrack: true, purpose: PURPOSE, maxFmr: null, maxCandidates: 20 });
    expect(r.probeTemplate).toMatchObject({ faceIds: [longest.bestFaceId], trackId: longest.id, faces: Math.min(5, longest.faceCount), method: expect.stringMatching(/quality-weighted mean/) });
    expect(r.candidates.length).toBeGreaterThan(0);
    expect(r.candidates.some((c) => c.face.trackId === longest.id)).toBe(false);
    for (const c of r.candidates) expect(c.template?.probeFaces).toBe(Math.min(5, longest.faceCount));
    const still = [...faceOf].find(([, p]) => p === 'Barack_Obama')![0];
    expect(await t.invoke('search.run', { probeFaceId: still, probeTrack: true, purpose: PURPOSE })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'probeTrack' } });
  });

  it('searches with several stills of one person fused into one probe, each still\'s single scores kept', async () => {
    const stills = [...faceOf].filter(([, p]) => p === 'Barack_Obama').map(([id]) => id).slice(0, 3);
    const r = await t.must('search.run', { probeFaceId: stills[0]!, moreProbeFaceIds: stills.slice(1), purpose: PURPOSE, maxFmr: 0.001 });
    expect(r.probeTemplate).toMatchObject({ faceIds: stills, trackId: null, faces: 3 });
    expect(faceOf.get(r.candidates[0]!.face.id)).toBe('Barack_Obama');
    for (const c of r.candidates) {
      expect(stills).not.toContain(c.face.id);
      expect(c.template?.probeFaces).toBe(3);
      // The threshold holds the best single pair of faces, whose rate is calibrated; the template's is not.
      expect(c.score).toBeGreaterThanOrEqual(r.thresholdScore!);
      expect(c.fmr?.oneIn).toMatch(/1 in [\d,]+/);
    }
    expect(await t.invoke('search.run', { probeFaceId: stills[0]!, moreProbeFaceIds: [stills[1]!], probeTrack: true, purpose: PURPOSE })).toMatchObject({ ok: false, error: { field: 'probeTrack' } });
  });

  it('compares two faces 1:1: the same person scores far above two different people', async () => {
    const ids = [...faceOf].filter(([, p]) => p === 'Barack_Obama').map(([id]) => id);
    const biden = [...faceOf].find(([, p]) => p === 'Joe_Biden')![0];
    const same = await t.must('compare.faces', { faceA: ids[0]!, faceB: ids[1]!, purpose: PURPOSE });
    const different = await t.must('compare.faces', { faceA: ids[0]!, faceB: biden, purpose: PURPOSE });
    expect(same.score).toBeGreaterThan(different.score + 0.2);
    expect(same.fmr?.fmr).toBeTypeOf('number');
    expect(different.fmr?.fmr).toBeTypeOf('number');
    expect(same.fmr!.fmr!).toBeLessThan(different.fmr!.fmr!);
    expect(same.faceA.quality.score).toBeGreaterThan(0);
  });

  it('searches a watch list of reference faces, and stops searching an entry once removed', async () => {
    const list = await t.must('watchlists.create', { name: 'Wanted OP-TEST', description: 'Persons wanted in connection with OP-TEST/001' });
    const ref = await t.must('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg'), role: 'reference', exhibitRef: 'REF/1' });
    // The same bytes as a case exhibit: linked to it, so the reference face is the case's face.
    const refFace = ref.faces[0]!.id;
    const entry = await t.must('watchlists.addEntry', { watchlistId: list.id, faceId: refFace, label: 'Joe Biden', source: 'Custody photo 2019-03-02', reason: 'Named by a witness in statement 14', retentionDate: '2031-01-01' });
    expect(entry).toMatchObject({ label: 'Joe Biden', addedBy: 'sup' });
    const bidenProbe = [...faceOf].find(([id, p]) => p === 'Joe_Biden' && id !== refFace)![0];
    const r = await t.must('search.run', { probeFaceId: bidenProbe, purpose: PURPOSE, target: { case: false, watchlists: [list.id] }, maxFmr: 0.01 });
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0]!.watchlist).toMatchObject({ listName: 'Wanted OP-TEST', label: 'Joe Biden' });
    // Exhibit and capture-time filters narrow the evidence; they do not silently drop the watch list's reference photo.
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 500, status: 'done' });
    const evidenceOnly = { exhibitIds: [exhibits.find((e) => e.role === 'evidence' && e.id !== ref.faces[0]!.exhibitId)!.id], from: '1990-01-01T00:00:00Z' };
    const filtered = await t.must('search.run', { probeFaceId: bidenProbe, purpose: PURPOSE, target: { case: false, watchlists: [list.id] }, maxFmr: 0.01, filters: evidenceOnly });
    expect(filtered.candidates.map((c) => c.face.id)).toEqual([refFace]);
    await t.must('watchlists.removeEntry', { entryId: entry.id, reason: 'Eliminated from the enquiry on 2026-11-20' });
    const after = await t.must('search.run', { probeFaceId: bidenProbe, purpose: PURPOSE, target: { case: false, watchlists: [list.id] }, maxFmr: 0.01 });
    expect(after.candidates).toHaveLength(0);
    expect((await t.must('watchlists.list', {}))[0]?.entries).toBe(0);
  });

  it('saves the face index encrypted at close and loads it, not rebuilds it, on reopen', async () => {
    const before = await t.must('search.run', { probeFaceId: probe.faces[0]!.id, purpose: PURPOSE, maxFmr: 0.001 });
    const [c] = await t.must('cases.list', {});
    await t.must('cases.close', {});
    events.length = 0;
    await t.must('cases.open', { caseId: c!.id, passphrase: PASSPHRASE });
    const after = await t.must('search.run', { probeFaceId: probe.faces[0]!.id, purpose: PURPOSE, maxFmr: 0.001 });
    expect(after.candidates.map((x) => [x.face.id, x.score])).toEqual(before.candidates.map((x) => [x.face.id, x.score]));
    const stages = events.filter((e) => e.type === 'index.progress').map((e) => (e as { stage: string }).stage);
    expect(stages).toContain('ready');
    expect(stages).not.toContain('rebuilding');
  });
});
