/*
 * Groups a case's faces into putative persons, for the analyst to review (never a finding).
 *
 * Units: the faces of one track are one unit (the tracker already says they are one person),
 * every other face is a unit of its own; a unit is represented by the normalised mean of its
 * faces' embeddings. Two units may be linked when their similarity reaches the threshold
 * (from the pack's calibration, e.g. the score at a false match rate of 1 in 10,000).
 *
 * Why not just connected components of that graph: at FMR 1e-4 a case of 10,000 faces has
 * about 5,000 impostor pairs above the threshold, and one of them is enough to chain two
 * people together. So:
 * 1. Links are taken best first (constrained agglomeration), and two groups merge only when
 *    the links between them reach `linkShare` of the pairs that could link: all |A|x|B|
 *    pairs, or, once groups outgrow the neighbour lists, `neighbours` per unit of the
 *    smaller group. Two single faces merge on their link; a face joins a group of six when
 *    it links to three of them; one stray link is never a bridge between two people.
 *    Two lone units have only their one link as evidence, so that link must reach
 *    `pairThreshold` (pass a stricter score than `threshold`, e.g. the calibration's score
 *    at a tenth of the rate: on LFW most wrong pairs were two strangers' single photos).
 * 2. Cannot-link: faces from one frame are different people, so groups whose frames overlap
 *    never merge.
 * 3. Density: in a final group every unit must link to at least min(minLinks, size - 1)
 *    others; units that do not are peeled off (repeatedly, re-splitting into components).
 * 4. A face that ends alone is unassigned, never forced into a group. A track of several
 *    faces that links to nothing is still a group of its own: its faces belong together.
 *
 * `groupingThresholds(calibration, faceCount)` picks both thresholds for a case of that size.
 *
 * Neighbours come from the face index (each unit's `neighbours` best, exhaustive for small
 * sets, HNSW above that), so 100k faces is minutes, not hours.
 */
import { LoupeError } from '../../shared';
import { type CalibrationTable, checkCalibration, thresholdFor } from '../calibration';
import { FaceIndex, eventLoopSlices } from '../face-index';

export { type PairwiseScores, pairwiseScores } from './pairwise';

export interface GroupingItem {
  id: number;
  /** L2-normalised embedding; every item from one model. */
  embedding: Float32Array;
  /** Faces with the same frame key (same image or video frame) are never grouped together. */
  frameKey: string;
  /** Faces with the same track id are one person and stay together. */
  trackId?: string;
}

export interface GroupingOptions {
  /** Cosine similarity at or above which two units may be linked. */
  threshold: number;
  /** Similarity two lone units (a single face or one track each) need to form a group on their one link. Default: threshold. */
  pairThreshold?: number;
  /** Density: links each member of a group needs to other members (capped at size - 1). Default 2. */
  minLinks?: number;
  /** Share of the possible links between two groups that must exist before they merge. Default 0.5. */
  linkShare?: number;
  /** Neighbours looked up per unit. Default 32. */
  neighbours?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface Grouping {
  /** Largest first; face ids ascending within a group. */
  groups: number[][];
  /** Faces that belong to no group, ascending. */
  unassigned: number[];
}

export interface GroupingThresholds {
  threshold: number;
  fmr: number;
  pairThreshold: number;
  pairFmr: number;
  /** True when a rate had to be raised to the lowest one the calibration measured. */
  limitedByCalibration: boolean;
}

/**
 * Thresholds for grouping `faceCount` faces. About FMR x n^2 / 2 impostor pairs clear the
 * threshold, so the rate must fall as the case grows, but a recogniser's true matches fall
 * away fast at very low rates, so it falls more slowly than 1/n: FMR = min(1e-4,
 * 1e-3 / n^0.4), and two lone faces need a tenth of that: on real and synthetic galleries
 * this keeps precision high where a much lower rate loses many true pairs (docs/figures.md,
 * "Grouping"). Rates below the lowest the
 * calibration measured are raised to it (and say so): the data cannot support them.
 * An examiner's own rate (`chosenFmr`) replaces the size rule; lone faces still need a tenth of it.
 */
export function groupingThresholds(table: CalibrationTable, faceCount: number, chosenFmr?: number): GroupingThresholds {
  const t = checkCalibration(table);
  if (!Number.isInteger(faceCount) || faceCount < 1) throw new LoupeError('invalid_input', `The number of faces to group must be a positive whole number (got ${faceCount}).`);
  if (chosenFmr !== undefined && !(chosenFmr > 0 && chosenFmr < 1)) throw new LoupeError('invalid_input', `A grouping false match rate is above 0 and below 1 (got ${chosenFmr}).`);
  const lowest = t.points[t.points.length - 1]!.fmr;
  const wantFmr = chosenFmr ?? Math.min(1e-4, 1e-3 / faceCount ** 0.4);
  const fmr = Math.max(wantFmr, lowest);
  const pairFmr = Math.max(fmr / 10, lowest);
  return {
    threshold: thresholdFor(t, fmr),
    fmr,
    pairThreshold: thresholdFor(t, pairFmr),
    pairFmr,
    limitedByCalibration: fmr > wantFmr || pairFmr > fmr / 10,
  };
}

/** Up to this many units the neighbour lists are exact (exhaustive); above it, HNSW. */
const EXACT_NEIGHBOURS_BELOW = 2000;
const NEIGHBOUR_EF = 160;

interface Unit {
  faces: number[];
  frames: Set<string>;
}

function buildUnits(items: readonly GroupingItem[]): { units: Unit[]; templates: Float32Array[]; dim: number } {
  const dim = items[0]?.embedding.length ?? 0;
  const seen = new Set<number>();
  const byTrack = new Map<string, number>();
  const units: Unit[] = [];
  const sums: Float64Array[] = [];
  for (const it of items) {
    if (!Number.isInteger(it.id)) throw new LoupeError('invalid_input', `Face id ${it.id} is not an integer.`);
    if (seen.has(it.id)) throw new LoupeError('invalid_input', `Face ${it.id} is listed twice.`);
    seen.add(it.id);
    if (!(it.embedding instanceof Float32Array) || it.embedding.length !== dim) {
      throw new LoupeError('invalid_input', `The embedding of face ${it.id} is not a Float32Array of ${dim} values like the others: group faces of one model at a time.`);
    }
    if (typeof it.frameKey !== 'string' || it.frameKey.length === 0) throw new LoupeError('invalid_input', `Face ${it.id} has no frame key.`);
    let u = it.trackId === undefined ? undefined : byTrack.get(it.trackId);
    if (u === undefined) {
      u = units.length;
      units.push({ faces: [], frames: new Set() });
      sums.push(new Float64Array(dim));
      if (it.trackId !== undefined) byTrack.set(it.trackId, u);
    }
    const unit = units[u]!;
    if (unit.frames.has(it.frameKey)) {
      throw new LoupeError('invalid_input', `Track ${it.trackId} holds two faces of frame ${it.frameKey}; a track follows one person, so it cannot.`);
    }
    unit.faces.push(it.id);
    unit.frames.add(it.frameKey);
    const sum = sums[u]!;
    for (let d = 0; d < dim; d++) {
      const x = it.embedding[d]!;
      if (!Number.isFinite(x)) throw new LoupeError('invalid_input', `The embedding of face ${it.id} holds a value that is not a finite number.`);
      sum[d]! += x;
    }
  }
  const templates = sums.map((sum) => {
    let ss = 0;
    for (const x of sum) ss += x * x;
    const n = Math.sqrt(ss);
    if (n === 0) throw new LoupeError('invalid_input', 'An embedding (or the mean of a track) is all zeros.');
    return Float32Array.from(sum, (x) => x / n);
  });
  return { units, templates, dim };
}

/** Links between units with similarity at or above the threshold, best first, each pair once. */
async function neighbourLinks(templates: Float32Array[], dim: number, o: Required<Pick<GroupingOptions, 'threshold' | 'neighbours'>> & GroupingOptions) {
  const n = templates.length;
  // A sparser, quicker graph than the search index: grouping needs only the close neighbours, which stand far above the noise.
  // Never saved, so hnswlib's native graph serves on every OS.
  const index = FaceIndex.create({ dim, modelId: 'grouping', capacity: n, exactBelow: EXACT_NEIGHBOURS_BELOW, m: 16, efConstruction: 100, engine: 'native' });
  const total = 2 * n;
  const slice = eventLoopSlices();
  for (let u = 0; u < n; u++) {
    index.add(u, templates[u]!);
    if (await slice()) {
      o.onProgress?.(u + 1, total);
      if (o.signal?.aborted) throw new LoupeError('cancelled', 'Grouping was cancelled.');
    }
  }
  const embeddings = (ids: readonly number[]) => ids.map((id) => templates[id]);
  const links: { a: number; b: number; score: number }[] = [];
  const k = Math.min(o.neighbours + 1, n);
  for (let u = 0; u < n; u++) {
    const { candidates } = await index.search(templates[u]!, k, { embeddings, ef: Math.max(NEIGHBOUR_EF, 4 * k) });
    for (const c of candidates) {
      if (c.score < o.threshold) break;
      // A unit finds itself; a pair found from both ends is stored (lower, higher) and kept once below.
      if (c.id === u) continue;
      links.push(u < c.id ? { a: u, b: c.id, score: c.score } : { a: c.id, b: u, score: c.score });
    }
    if (await slice()) {
      o.onProgress?.(n + u + 1, total);
      if (o.signal?.aborted) throw new LoupeError('cancelled', 'Grouping was cancelled.');
    }
  }
  links.sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);
  const unique: typeof links = [];
  const seen = new Set<number>();
  for (const l of links) {
    const key = l.a * n + l.b;
    if (!seen.has(key)) {
      seen.add(key);
      unique.push(l);
    }
  }
  return unique;
}

/** Agglomeration over the links, best first, with cannot-link and the cross-link rule. */
function agglomerate(units: Unit[], links: { a: number; b: number; score: number }[], linkShare: number, neighbours: number, pairThreshold: number): Int32Array {
  const n = units.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const size = new Int32Array(n).fill(1);
  const frames = units.map((u) => new Set(u.frames));
  /** Pending cross links between current groups (by root). */
  const pending = units.map(() => new Map<number, number>());
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const needed = (a: number, b: number): number => {
    const sa = size[a]!;
    const sb = size[b]!;
    return Math.max(1, Math.ceil(linkShare * Math.min(sa * sb, neighbours * Math.min(sa, sb))));
  };
  const disjointFrames = (a: number, b: number): boolean => {
    const [x, y] = frames[a]!.size <= frames[b]!.size ? [frames[a]!, frames[b]!] : [frames[b]!, frames[a]!];
    for (const f of x) if (y.has(f)) return false;
    return true;
  };
  const merge = (a: number, b: number): number => {
    const [keep, gone] = size[a]! >= size[b]! ? [a, b] : [b, a];
    parent[gone] = keep;
    size[keep]! += size[gone]!;
    for (const f of frames[gone]!) frames[keep]!.add(f);
    frames[gone]!.clear();
    const pk = pending[keep]!;
    pk.delete(gone);
    for (const [other, count] of pending[gone]!) {
      if (other === keep) continue;
      pk.set(other, (pk.get(other) ?? 0) + count);
      const po = pending[other]!;
      po.delete(gone);
      po.set(keep, (po.get(keep) ?? 0) + count);
    }
    pending[gone]!.clear();
    return keep;
  };
  for (const link of links) {
    let ra = find(link.a);
    let rb = find(link.b);
    if (ra === rb) continue;
    const count = (pending[ra]!.get(rb) ?? 0) + 1;
    pending[ra]!.set(rb, count);
    pending[rb]!.set(ra, count);
    if (count < needed(ra, rb) || !disjointFrames(ra, rb)) continue;
    if (size[ra] === 1 && size[rb] === 1 && link.score < pairThreshold) continue;
    // A merge can complete other pairs whose pending links now add up: follow them.
    const work: [number, number][] = [[ra, rb]];
    while (work.length > 0) {
      const [x, y] = work.pop()!;
      ra = find(x);
      rb = find(y);
      if (ra === rb || (pending[ra]!.get(rb) ?? 0) < needed(ra, rb) || !disjointFrames(ra, rb)) continue;
      const kept = merge(ra, rb);
      for (const [other, c] of pending[kept]!) if (c >= needed(kept, other)) work.push([kept, other]);
    }
  }
  return Int32Array.from({ length: n }, (_, i) => find(i));
}

/** Peels units with too few links inside their group, re-splitting into connected parts until every part is dense. */
function densify(members: number[], adjacency: Map<number, number[]>, minLinks: number): { dense: number[][]; peeled: number[] } {
  const dense: number[][] = [];
  const peeled: number[] = [];
  const queue: number[][] = [members];
  while (queue.length > 0) {
    const part = queue.pop()!;
    if (part.length === 1) {
      peeled.push(part[0]!);
      continue;
    }
    const alive = new Set(part);
    for (let changed = true; changed; ) {
      changed = false;
      const need = Math.min(minLinks, alive.size - 1);
      for (const u of [...alive]) {
        let deg = 0;
        for (const v of adjacency.get(u) ?? []) if (alive.has(v)) deg++;
        if (deg < need) {
          alive.delete(u);
          peeled.push(u);
          changed = true;
        }
      }
    }
    // Connected parts of what is left; a part that splits is checked again.
    const unvisited = new Set(alive);
    const parts: number[][] = [];
    for (const start of alive) {
      if (!unvisited.has(start)) continue;
      unvisited.delete(start);
      const comp = [start];
      for (let i = 0; i < comp.length; i++) {
        for (const v of adjacency.get(comp[i]!) ?? []) {
          if (unvisited.has(v)) {
            unvisited.delete(v);
            comp.push(v);
          }
        }
      }
      parts.push(comp);
    }
    if (parts.length === 1 && parts[0]!.length === part.length) dense.push(parts[0]!);
    else queue.push(...parts);
  }
  return { dense, peeled };
}

export async function groupFaces(items: readonly GroupingItem[], options: GroupingOptions): Promise<Grouping> {
  const o = { minLinks: 2, linkShare: 0.5, neighbours: 32, ...options };
  if (!(o.threshold > -1 && o.threshold <= 1)) throw new LoupeError('invalid_input', `The grouping threshold is a cosine similarity above -1 and at most 1 (got ${o.threshold}).`);
  if (o.pairThreshold !== undefined && !(o.pairThreshold >= o.threshold && o.pairThreshold <= 1)) {
    throw new LoupeError('invalid_input', `The pair threshold must be at least the grouping threshold and at most 1 (got ${o.pairThreshold}).`);
  }
  if (!Number.isInteger(o.minLinks) || o.minLinks < 1) throw new LoupeError('invalid_input', `minLinks must be a whole number of at least 1 (got ${o.minLinks}).`);
  if (!(o.linkShare > 0 && o.linkShare <= 1)) throw new LoupeError('invalid_input', `linkShare must be above 0 and at most 1 (got ${o.linkShare}).`);
  if (!Number.isInteger(o.neighbours) || o.neighbours < 1 || o.neighbours > 1000) throw new LoupeError('invalid_input', `neighbours must be a whole number from 1 to 1000 (got ${o.neighbours}).`);
  if (items.length === 0) return { groups: [], unassigned: [] };

  const { units, templates, dim } = buildUnits(items);
  const links = await neighbourLinks(templates, dim, o);
  const root = agglomerate(units, links, o.linkShare, o.neighbours, o.pairThreshold ?? o.threshold);

  const adjacency = new Map<number, number[]>();
  for (const { a, b } of links) {
    if (root[a] !== root[b]) continue;
    (adjacency.get(a) ?? adjacency.set(a, []).get(a)!).push(b);
    (adjacency.get(b) ?? adjacency.set(b, []).get(b)!).push(a);
  }
  const byRoot = new Map<number, number[]>();
  root.forEach((r, u) => (byRoot.get(r) ?? byRoot.set(r, []).get(r)!).push(u));

  const groups: number[][] = [];
  const unassigned: number[] = [];
  const emit = (unitsOfGroup: number[]) => {
    const faces = unitsOfGroup.flatMap((u) => units[u]!.faces).sort((x, y) => x - y);
    if (faces.length >= 2) groups.push(faces);
    else unassigned.push(...faces);
  };
  for (const members of byRoot.values()) {
    const { dense, peeled } = densify(members, adjacency, o.minLinks);
    dense.forEach(emit);
    peeled.forEach((u) => emit([u]));
  }
  o.onProgress?.(2 * units.length, 2 * units.length);
  groups.sort((x, y) => y.length - x.length || x[0]! - y[0]!);
  return { groups, unassigned: unassigned.sort((x, y) => x - y) };
}
