/**
 * Grouping on real photographs embedded by the real engine: identities/ (67 people) split
 * by person into a calibration half and an evaluation half, so the threshold never saw
 * the faces it groups; and two group photos whose faces must not be grouped together.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyseInput, AnalysedFace } from '../../shared';
import { buildCalibration } from '../calibration';
import { type FacePool, createFacePool } from '../face-pool';
import { bestPack, loadPack } from '../models';
import { FACES_DIR, FACES_MISSING, facesAvailable, MODELS_DIR } from '../testing';
import { type GroupingItem, groupFaces, groupingThresholds, pairwiseScores } from './index';

const identitiesDir = path.join(FACES_DIR, 'identities');
const hasPack = existsSync(MODELS_DIR) && readdirSync(MODELS_DIR).some((d) => existsSync(path.join(MODELS_DIR, d, 'manifest.json')));
if (!facesAvailable) console.warn(`grouping on real faces skipped: ${FACES_MISSING}`);
else if (!hasPack) console.warn(`grouping on real faces skipped: no model pack installed in ${MODELS_DIR} (npx tsx models/install.ts yunet)`);

/** The ORL faces are binary PGM, which the engine does not decode: read them into an RGB frame. */
function readImage(file: string): AnalyseInput {
  const b = new Uint8Array(readFileSync(file));
  if (!/\.pgm$/i.test(file)) return b;
  const head = Buffer.from(b.subarray(0, 64)).toString('latin1');
  const m = /^P5\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s/.exec(head);
  if (!m) throw new Error(`${file} is not a binary PGM`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  const grey = b.subarray(m[0].length, m[0].length + width * height);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i]!;
  return { width, height, data: rgb };
}

/** The face an identity photo is about: the largest. */
const mainFace = (faces: AnalysedFace[]) => faces.reduce<AnalysedFace | null>((best, f) => (!best || f.box.w * f.box.h > best.box.w * best.box.h ? f : best), null);

interface Face {
  id: number;
  embedding: Float32Array;
  identity: string | null;
  file: string;
}

describe.skipIf(!facesAvailable || !hasPack)('groupFaces on real faces', () => {
  let pool: FacePool;
  const faces: Face[] = [];

  beforeAll(async () => {
    pool = await createFacePool({ pack: await loadPack(MODELS_DIR, await bestPack(MODELS_DIR)), size: 2 });
    const jobs: Promise<void>[] = [];
    const analyse = async (file: string, identity: string | null) => {
      await pool.whenReady();
      jobs.push(
        pool.analyse(readImage(file), { thumbnail: false }).then((a) => {
          const chosen = identity === null ? a.faces : [mainFace(a.faces)].filter((f): f is AnalysedFace => f !== null);
          for (const f of chosen) faces.push({ id: faces.length + 1, embedding: f.embedding, identity, file });
        }),
      );
    };
    for (const person of readdirSync(identitiesDir).sort()) {
      const dir = path.join(identitiesDir, person);
      if (!statSync(dir).isDirectory()) continue;
      for (const f of readdirSync(dir).sort()) if (/\.(jpe?g|png|pgm)$/i.test(f)) await analyse(path.join(dir, f), person);
    }
    for (const photo of ['obama_and_biden.jpg', 'kit_with_rose.jpg']) await analyse(path.join(FACES_DIR, 'groups', 'face_recognition', photo), null);
    await Promise.all(jobs);
    faces.sort((a, b) => a.file.localeCompare(b.file) || a.id - b.id);
  });
  afterAll(async () => {
    await pool?.close();
  });

  const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

  it('groups the people it was not calibrated on with pairwise precision >= 0.98 and recall >= 0.90', async () => {
    const people = [...new Set(faces.filter((f) => f.identity).map((f) => f.identity!))].sort();
    expect(people.length).toBeGreaterThanOrEqual(60);
    const half = (f: Face) => people.indexOf(f.identity!) % 2;
    const calibrationFaces = faces.filter((f) => f.identity && half(f) === 0);
    const impostors: number[] = [];
    for (let i = 0; i < calibrationFaces.length; i++) {
      for (let j = i + 1; j < calibrationFaces.length; j++) {
        if (calibrationFaces[i]!.identity !== calibrationFaces[j]!.identity) impostors.push(dot(calibrationFaces[i]!.embedding, calibrationFaces[j]!.embedding));
      }
    }
    const table = buildCalibration(impostors, { dataset: 'identities/, even-numbered people', pairs: 'every cross-identity pair' });
    const evaluation = faces.filter((f) => f.identity && half(f) === 1);
    const t = groupingThresholds(table, evaluation.length);
    const items: GroupingItem[] = evaluation.map((f) => ({ id: f.id, embedding: f.embedding, frameKey: f.file }));
    const out = await groupFaces(items, { threshold: t.threshold, pairThreshold: t.pairThreshold });
    const score = pairwiseScores(out.groups, new Map(evaluation.map((f) => [f.id, f.identity!])));
    console.log(
      `real grouping: ${evaluation.length} faces of ${new Set(evaluation.map((f) => f.identity)).size} people; threshold ${t.threshold.toFixed(3)} (FMR ${t.fmr.toExponential(1)}), ` +
        `pair threshold ${t.pairThreshold.toFixed(3)} (FMR ${t.pairFmr.toExponential(1)}), calibrated on ${impostors.length} impostor pairs: ` +
        `precision ${score.precision.toFixed(4)}, recall ${score.recall.toFixed(4)}, ${out.groups.length} groups, ${out.unassigned.length} unassigned`,
    );
    expect(score.precision).toBeGreaterThanOrEqual(0.98);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('never groups two faces of one photo, and puts each beside its own person', async () => {
    const wanted = ['Barack_Obama', 'Joe_Biden', 'Kit_Harington', 'Rose_Leslie'];
    const chosen = faces.filter((f) => (f.identity && wanted.includes(f.identity)) || f.identity === null);
    const inPhotos = chosen.filter((f) => f.identity === null);
    expect(inPhotos.length).toBeGreaterThanOrEqual(4);
    const impostors: number[] = [];
    const others = faces.filter((f) => f.identity && !wanted.includes(f.identity));
    for (let i = 0; i < others.length; i += 2) for (let j = i + 1; j < others.length; j += 3) if (others[i]!.identity !== others[j]!.identity) impostors.push(dot(others[i]!.embedding, others[j]!.embedding));
    const t = groupingThresholds(buildCalibration(impostors, { dataset: 'identities/ without these four people', pairs: 'a third of the cross-identity pairs' }), chosen.length);
    const out = await groupFaces(
      chosen.map((f) => ({ id: f.id, embedding: f.embedding, frameKey: f.file })),
      { threshold: t.threshold, pairThreshold: t.pairThreshold },
    );
    const groupOf = new Map(out.groups.flatMap((g, i) => g.map((id) => [id, i] as const)));
    for (const a of inPhotos) {
      for (const b of inPhotos) if (a.id < b.id && a.file === b.file && groupOf.has(a.id)) expect(groupOf.get(a.id)).not.toBe(groupOf.get(b.id));
    }
    // Each of the four people in the two photos is recognised: a photo face joins a group of exactly one person.
    const placed = new Set<string>();
    for (const f of inPhotos) {
      const g = groupOf.get(f.id);
      if (g === undefined) continue;
      const names = new Set(out.groups[g]!.map((id) => chosen.find((c) => c.id === id)!.identity).filter((n) => n !== null));
      expect(names.size).toBe(1);
      placed.add([...names][0]!);
    }
    expect([...placed].sort()).toEqual([...wanted].sort());
  });
});
