import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peopleCase, peopleCaseReady, PEOPLE_CASE_MISSING } from '../testing';

if (!peopleCaseReady) console.warn(`persons tests: ${PEOPLE_CASE_MISSING}: skipped`);

describe.skipIf(!peopleCaseReady)('persons', () => {
  let t: Awaited<ReturnType<typeof peopleCase>>['t'];
  let faceOf: Map<number, string>;

  beforeAll(async () => {
    ({ t, faceOf } = await peopleCase());
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('groups faces into persons, merges and undoes, every step audited', async () => {
    const view = await t.must('persons.group', {});
    expect(view.persons.length).toBeGreaterThan(3);
    // Without a rate from the examiner, the thresholds follow the size of the case; lone faces need more.
    expect(view.threshold).toMatchObject({ rule: 'case size', limitedByCalibration: false });
    expect(view.threshold!.pairScore!).toBeGreaterThan(view.threshold!.score);
    const groupOf = (face: number) => view.persons.find((p) => p.faceIds.includes(face))?.id;
    // The photos of one person land in one group, and no group mixes two people of the photos.
    for (const p of view.persons) {
      const people = new Set(p.faceIds.map((f) => faceOf.get(f)).filter((x) => x && x !== 'video' && x !== 'background'));
      expect(people.size, `group ${p.id}`).toBeLessThanOrEqual(1);
    }
    const obama = [...faceOf].filter(([, p]) => p === 'Barack_Obama').map(([id]) => groupOf(id));
    expect(new Set(obama).size).toBe(1);
    // Faces not fit for comparison are left for the examiner, never grouped automatically.
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 500, status: 'done' });
    const weak = (await Promise.all(exhibits.filter((e) => e.role === 'evidence').map((e) => t.must('evidence.get', { exhibitId: e.id })))).flatMap((d) => d.faces.filter((f) => f.quality.insufficient).map((f) => f.id));
    expect(weak.length).toBeGreaterThan(0);
    for (const id of weak) expect(view.unassigned).toContain(id);

    const [a, b] = view.persons;
    const merged = await t.must('persons.merge', { into: a!.id, from: b!.id });
    expect(merged.persons.find((p) => p.id === a!.id)?.faceIds.length).toBe(a!.faceIds.length + b!.faceIds.length);
    expect(merged.canUndo).toBe(true);
    const undone = await t.must('persons.undo', {});
    expect(undone.persons.find((p) => p.id === b!.id)?.faceIds).toEqual(b!.faceIds);
    // A face listed twice does not pass for two: splitting every face off would empty the group.
    const emptied = await t.invoke('persons.split', { personId: a!.id, faceIds: [...a!.faceIds, a!.faceIds[0]!] });
    expect(emptied).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'faceIds' } });
    const named = await t.must('persons.name', { personId: a!.id, name: 'Unknown male 1' });
    expect(named.persons.find((p) => p.id === a!.id)?.name).toBe('Unknown male 1');

    const chosen = await t.must('persons.group', { maxFmr: 0.01 });
    expect(chosen.threshold).toMatchObject({ rule: 'examiner', fmr: 0.01 });
    expect(chosen.threshold!.score).toBeLessThan(view.threshold!.score);

    const records = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 200 })).records;
    expect(records.map((r) => r.action)).toEqual(expect.arrayContaining(['persons.group', 'persons.merge', 'persons.undo', 'persons.name']));
    expect(records.find((r) => r.action === 'persons.undo')?.details).toMatchObject({ undone: { kind: 'merge', by: expect.any(String) } });
    expect(records.filter((r) => r.action === 'persons.group').map((r) => (r.details as { threshold: { rule: string } }).threshold.rule).sort()).toEqual(['case size', 'examiner']);
  });
});
