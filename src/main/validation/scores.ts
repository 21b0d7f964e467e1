import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { dotAt } from '../../shared';
import { addScore, emptyHistogram, type ImpostorPair, type ScoreHistogram, type ScoreSet } from '../validation-stats';

/** The impostor tail kept for thresholds: at least this many pairs, or this share of all impostor pairs. */
const TAIL_MIN_PAIRS = 2000;
const TAIL_SHARE = 0.01;

export interface ScoredImage {
  person: number;
  /** Group index, or -1 when there are no groups. */
  group: number;
  /** The largest face's embedding, null when no face was found. */
  embedding: Float32Array | null;
}

export interface Distributions {
  genuine: ScoreHistogram;
  impostor: ScoreHistogram;
}

/**
 * Scores every pair of images once and every image as a probe against all others. Only
 * what the statistics need is kept: every genuine pair, the impostor pairs of the upper
 * tail (the highest 1%, and every pair at or above the operating threshold), histograms of
 * all pairs per set, and each probe's rank. Yields to the event loop as it goes.
 */
export async function scorePairs(
  images: readonly ScoredImage[],
  people: number,
  groups: number,
  operatingThreshold: number | null,
  onProgress: (done: number, total: number) => void,
): Promise<{ set: ScoreSet; all: Distributions; byGroup: Distributions[] }> {
  const n = images.length;
  const dim = images.find((i) => i.embedding)?.embedding?.length ?? 0;
  const rows = new Float32Array(n * dim);
  images.forEach((img, i) => img.embedding && rows.set(img.embedding, i * dim));
  const imagesPerPerson = new Array<number>(people).fill(0);
  const imagesInGroup = Array.from({ length: groups }, () => new Array<number>(people).fill(0));
  for (const img of images) {
    imagesPerPerson[img.person]!++;
    if (img.group >= 0) imagesInGroup[img.group]![img.person]!++;
  }
  const sumSq = imagesPerPerson.reduce((s, x) => s + x * x, 0);
  const totalImpostors = (n * n - sumSq) / 2;
  const keep = Math.max(TAIL_MIN_PAIRS, Math.ceil(totalImpostors * TAIL_SHARE));

  const all: Distributions = { genuine: emptyHistogram(), impostor: emptyHistogram() };
  const byGroup: Distributions[] = Array.from({ length: groups }, () => ({ genuine: emptyHistogram(), impostor: emptyHistogram() }));
  const genuine: ScoreSet['genuine'][number][] = [];
  let tail: ImpostorPair[] = [];
  let floor = -Infinity;
  let pruneAt = 4 * keep;
  const prune = () => {
    const scores = tail.map((p) => p.score).sort((x, y) => y - x);
    floor = Math.min(scores[keep - 1]!, operatingThreshold ?? Infinity);
    tail = tail.filter((p) => p.score >= floor);
    pruneAt = Math.max(4 * keep, 2 * tail.length);
  };
  const probes: ScoreSet['probes'][number][] = [];
  const best = new Float64Array(people);
  let lastYield = performance.now();

  for (let i = 0; i < n; i++) {
    const a = images[i]!;
    const ea = a.embedding;
    best.fill(-Infinity);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const b = images[j]!;
      const s = ea && b.embedding ? dotAt(ea, rows, j * dim) : -Infinity;
      if (s > best[b.person]!) best[b.person] = s;
      if (j < i) continue;
      const group = a.group >= 0 && a.group === b.group ? a.group : -1;
      if (a.person === b.person) {
        genuine.push({ score: s, person: a.person, group });
        addScore(all.genuine, s);
        if (group >= 0) addScore(byGroup[group]!.genuine, s);
      } else {
        addScore(all.impostor, s);
        if (group >= 0) addScore(byGroup[group]!.impostor, s);
        if (s >= floor) {
          tail.push({ score: s, a: a.person, b: b.person, group });
          if (tail.length >= pruneAt) prune();
        }
      }
    }
    if (imagesPerPerson[a.person]! > 1) {
      const mate = best[a.person]!;
      let rank = Infinity;
      if (ea && mate > -Infinity) {
        rank = 1;
        for (let q = 0; q < people; q++) if (q !== a.person && best[q]! >= mate) rank++;
      }
      probes.push({ rank, person: a.person, group: a.group });
    }
    if (performance.now() - lastYield > 50) {
      onProgress(i + 1, n);
      await yieldToEvents();
      lastYield = performance.now();
    }
  }
  if (tail.length > keep) prune();
  onProgress(n, n);
  return {
    set: { imagesPerPerson, groups: [], imagesInGroup, genuine, impostorTail: tail, tailFloor: floor, probes },
    all,
    byGroup,
  };
}
