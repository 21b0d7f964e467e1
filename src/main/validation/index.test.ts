import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPING_NOTE, type ApiEvent, type ValidationRecord } from '../../shared';
import { openWorkstationStore } from '../store';
import { calibratedPack, FACES_DIR, FACES_MISSING, facesAvailable, PASSWORD, tempWorkstation } from '../testing';

/*
 * A subset of identities/, to keep the test short on a shared machine: the 8 bbt_* people
 * (greyscale crops), ORL_s1 to ORL_s12 (greyscale), and 5 people of the colour press photos,
 * grouped by their source. The full folder is validated by `loupe validate` for docs/figures.md.
 */
const ORL = Array.from({ length: 12 }, (_, i) => `ORL_s${i + 1}`);
const PRESS = ['Kit_Harington', 'Rose_Leslie', 'Joe_Biden', 'Alex_Lacamoire', 'Barack_Obama'];
const source = (p: string) => (p.startsWith('ORL_') ? 'ORL' : p.startsWith('bbt_') ? 'bbt' : 'press');

describe.skipIf(!facesAvailable || !calibratedPack)(`validation of a pack on identities/ by source${facesAvailable ? '' : ` (skipped: ${FACES_MISSING})`}`, () => {
  let t: Awaited<ReturnType<typeof tempWorkstation>>;
  let data: string;
  let groups: string;
  const events: ApiEvent[] = [];
  let record: ValidationRecord;

  beforeAll(async () => {
    data = mkdtempSync(path.join(os.tmpdir(), 'loupe-validation-data-'));
    const identities = path.join(FACES_DIR, 'identities');
    const people = [...readdirSync(identities).filter((p) => p.startsWith('bbt_')), ...ORL, ...PRESS];
    for (const p of people) cpSync(path.join(identities, p), path.join(data, p), { recursive: true });
    // Not an image: left out, and said so.
    writeFileSync(path.join(data, 'ORL_s1', 'notes.txt'), 'taken 1992-1994\n');
    groups = path.join(data, '..', `${path.basename(data)}-groups.csv`);
    writeFileSync(groups, `person,source\n${people.map((p) => `${p},${source(p)}`).join('\n')}\n`);
    t = await tempWorkstation();
    t.ws.onEvent((e) => events.push(e));
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    record = await t.must('validation.run', { dataDirs: [data], groupsFile: groups, description: 'Subset of the identities/ test photos, grouped by source', pack: calibratedPack!, replicates: 200, seed: 3 });
  });

  afterAll(async () => {
    await t?.dispose();
    rmSync(data, { recursive: true, force: true });
    rmSync(groups, { force: true });
  });

  it('describes and hashes the data set, with its groups', () => {
    expect(record).toMatchObject({ pack: calibratedPack, createdBy: 'sup', people: 25, images: 178, grouping: 'source' });
    expect(record.dataset.groups).toMatchObject({ grouping: 'source', by: 'person', labels: ['ORL', 'bbt', 'press'] });
    // The hash is over the sorted lines "folder/person/file <TAB> sha256 of its bytes".
    const folder = path.basename(data);
    const lines = readdirSync(data)
      .flatMap((p) => readdirSync(path.join(data, p)).filter((f) => f !== 'notes.txt').map((f) => `${folder}/${p}/${f}\t${createHash('sha256').update(readFileSync(path.join(data, p, f))).digest('hex')}\n`))
      .sort();
    expect(record.datasetSha256).toBe(createHash('sha256').update(lines.join('')).digest('hex'));
    expect(record.notes).toContain(GROUPING_NOTE);
    expect(record.notes.join(' ')).toMatch(/1 files that are not images were left out/);
  });

  it('measures every figure overall and per group, with intervals, and says what it cannot measure', () => {
    const all = record.figures.overall;
    // 178 images of 25 people: about 15,500 impostor pairs support 1 in 1,000 but not 1 in 10,000.
    expect(all.impostorPairs).toBeGreaterThan(10_000);
    expect(all.impostorPairs).toBeLessThan(100_000);
    for (const m of ['fnmrAtFmr1e-3', 'fmrAtOperating', 'fnmrAtOperating', 'rank1', 'fnirAtRank'] as const) {
      const e = all.metrics[m]!;
      expect(e.value, m).not.toBeNull();
      expect(e.low!, m).toBeLessThanOrEqual(e.value!);
      expect(e.high!, m).toBeGreaterThanOrEqual(e.value!);
    }
    expect(all.metrics['fnmrAtFmr1e-4']!.value).toBeNull();
    expect(all.metrics['fnmrAtFmr1e-4']!.note).toMatch(/^Cannot be measured: [\d,]+ impostor pairs support false match rates down to /);
    expect(record.figures.thresholds['fnmrAtFmr1e-3']).toBeGreaterThan(0.2);
    expect(record.figures.groups.map((g) => [g.label, g.people])).toEqual([
      ['ORL', 12],
      ['bbt', 8],
      ['press', 5],
    ]);
    // Rank-1 on these faces is high in every group; each has its interval.
    for (const g of record.figures.groups) expect(g.metrics.rank1!.value).toBeGreaterThan(0.8);
    expect(record.figures.differentials.map((d) => d.metric)).toEqual(['fnmrAtFmr1e-3', 'fnmrAtFmr1e-4', 'fmrAtOperating', 'fnmrAtOperating', 'rank1', 'fnirAtRank']);
    expect(record.figures).toMatchObject({ replicates: 200, seed: 3, strata: 3 });
  });

  it('draws DET curves and score histograms, overall and per group, as SVG and PNG', async () => {
    expect(record.charts.map((c) => c.name)).toEqual(['det', 'scores-all', 'scores-1-orl', 'scores-2-bbt', 'scores-3-press']);
    const det = record.charts[0]!.svg;
    expect(det).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const text of ['False match rate (FMR), log scale', 'False non-match rate (FNMR), log scale', '>All<', '>ORL<', '>bbt<', '>press<', 'operating threshold']) expect(det).toContain(text);
    expect(record.charts[1]!.svg).toContain('Similarity score (cosine)');
    // The PNGs are kept beside the record for reports: the typed read gives them back.
    const store = openWorkstationStore(path.join(t.home, 'workstation.db'));
    try {
      const pngs = store.validations.pngs(record.id);
      expect(pngs.map((p) => p.name)).toEqual(record.charts.map((c) => c.name));
      const meta = await sharp(pngs[0]!.png).metadata();
      expect(meta).toMatchObject({ format: 'png', width: 1640, height: 1000 });
      expect(store.validations.get(record.id)).toEqual(record);
    } finally {
      store.close();
    }
  });

  it('is listed and read back, and reported its progress', async () => {
    expect(await t.must('validation.list', {})).toEqual([
      { id: record.id, createdAt: record.createdAt, createdBy: 'sup', pack: record.pack, packVersion: record.packVersion, description: record.description, datasetSha256: record.datasetSha256, people: 25, images: 178, grouping: 'source' },
    ]);
    expect(await t.must('validation.get', { id: record.id })).toEqual(record);
    const analysing = events.filter((e) => e.type === 'validation.progress' && e.stage === 'analysing');
    expect(analysing.at(-1)).toEqual({ type: 'validation.progress', stage: 'analysing', done: 178, total: 178 });
  });

  it('refuses a groups file that names someone the data does not hold, before any analysis', async () => {
    const bad = path.join(os.tmpdir(), `loupe-bad-groups-${process.pid}.csv`);
    writeFileSync(bad, `person,source\n${readFileSync(groups, 'utf8').split('\n').slice(1).join('\n')}Nobody_Here,press\n`);
    const before = events.length;
    try {
      const r = await t.invoke('validation.run', { dataDirs: [data], groupsFile: bad, description: 'A groups file with a mistake in it', pack: calibratedPack! });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.message).toMatch(/names 1 people the data does not hold \(Nobody_Here\)/);
      expect(events.slice(before).some((e) => e.type === 'validation.progress' && e.stage === 'analysing')).toBe(false);
    } finally {
      rmSync(bad, { force: true });
    }
  });
});
