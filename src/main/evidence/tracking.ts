import { type FaceBox, similarity } from '../../shared';

/**
 * Links the faces of a video's sampled frames into tracks, so one person walking past a
 * camera becomes one track with a best face rather than dozens of separate candidates, and
 * a track never holds two people. Identity evidence is an embedding only where the face's
 * quality lets it speak (quality score at or above `identityQuality`): tiny or blurred faces
 * give embeddings that resemble each other whoever they show, so they link only by place
 * (the box overlaps the track's last box in the next frames), never by likeness. A track ends
 *  - when its face is not seen for `maxGapMs` (the face left), or for `continuityMs` when
 *    nothing but place could link it;
 *  - when a good face at its place is far from the track's recent good faces (similarity
 *    below `contradictThreshold`): another person took the place, and starts a new track.
 * Faces of one frame never share a track, so a crowd gives one track per person.
 */

export interface TrackedFace {
  timeMs: number;
  box: FaceBox;
  embedding: Float32Array;
  quality: number;
}

export interface TrackOptions {
  /** Similarity at or above which two good faces are taken as the same person, wherever they are. */
  sameThreshold: number;
  /** Below this similarity, a good face contradicts the track's recent good faces: another person. */
  contradictThreshold: number;
  /** Quality score at or above which a face's embedding counts as identity evidence. */
  identityQuality: number;
  minIoU: number;
  /** A track not seen for longer than this ends. */
  maxGapMs: number;
  /** How long a track may go unseen and still take a face by place alone (its box overlapping the last). */
  overlapMaxGapMs: number;
  /** How long it may go unseen and still take a face by place when neither side has identity evidence. */
  continuityMs: number;
}

/** The options the import tracks with: thresholds from the pack's calibration, gaps from the sampling rate. */
export function trackOptions(sameThreshold: number, framesPerSecond: number): TrackOptions {
  const interval = 1000 / framesPerSecond;
  return {
    sameThreshold,
    contradictThreshold: sameThreshold * 0.6,
    identityQuality: 40,
    minIoU: 0.3,
    maxGapMs: 4000,
    overlapMaxGapMs: 1500,
    // One missed detection at most: beyond that, a face at the same place may be someone else.
    continuityMs: Math.min(1500, Math.max(interval * 2.5, 600)),
  };
}

export interface Track {
  key: number;
  members: number[];
  best: number;
  firstMs: number;
  lastMs: number;
}

function iou(a: FaceBox, b: FaceBox): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.w, b.x + b.w);
  const y2 = Math.min(a.y + a.h, b.y + b.h);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** Good faces a track is compared with: its latest ones, so a slow change (turning, light) is followed. */
const RECENT_GOOD = 5;

interface Live {
  key: number;
  members: number[];
  lastBox: FaceBox;
  lastMs: number;
  firstMs: number;
  /** The latest good embeddings (none before the first good face). */
  recent: Float32Array[];
  /** Sum and count of all good embeddings: what the merge pass compares (null when the track has none). */
  goodSum: Float32Array | null;
  goodCount: number;
}

/**
 * The mean similarity of a face with the track's recent good faces. A mean of single-pair
 * scores stays on the scale the thresholds were calibrated on; the similarity with their
 * averaged embedding would not (averaging takes out noise, raising it for look-alikes too).
 */
function recentSimilarity(track: Live, embedding: Float32Array): number {
  let sum = 0;
  for (const r of track.recent) sum += similarity(embedding, r);
  return sum / track.recent.length;
}

function addFace(track: Live, face: TrackedFace, index: number, good: boolean): void {
  track.members.push(index);
  track.lastBox = face.box;
  track.lastMs = face.timeMs;
  if (!good) return;
  track.recent.push(face.embedding);
  if (track.recent.length > RECENT_GOOD) track.recent.shift();
  track.goodCount++;
  track.goodSum ??= new Float32Array(face.embedding.length);
  for (let d = 0; d < face.embedding.length; d++) track.goodSum[d] = (track.goodSum[d] as number) + (face.embedding[d] as number);
}

/** Beyond this many tracks the merge pass is skipped (its table of pairs grows with the square). */
const MAX_MERGE_TRACKS = 2000;

/**
 * A person lost for a moment (turned away, a cut to another camera) starts a new track:
 * join tracks whose good faces agree on average (the mean similarity over all pairs of their
 * good faces, the dot product of their sums over the product of their counts, at or above the
 * threshold) and that never appear in the same frame, the most similar pair first. Tracks
 * without a good face never join: nothing says who they show. The similarities of all pairs are computed once and, after each join, only those of
 * the joined track again: this runs in the main process, and a long video may hold hundreds
 * of tracks.
 */
function mergeTracks(tracks: Live[], faces: readonly TrackedFace[], threshold: number): void {
  const n = tracks.length;
  if (n > MAX_MERGE_TRACKS) return;
  const times = tracks.map((t) => new Set(t.members.map((m) => (faces[m] as TrackedFace).timeMs)));
  const sim = new Float64Array(n * n).fill(-Infinity);
  const alive = new Array<boolean>(n).fill(true);
  /** Similarities of track a with the live tracks from index `from` on. */
  const similarities = (a: number, from: number) => {
    const ta = tracks[a] as Live;
    for (let b = from; b < n; b++) {
      const tb = tracks[b] as Live;
      if (b === a || !alive[b] || !ta.goodSum || !tb.goodSum) continue;
      const s = similarity(ta.goodSum, tb.goodSum) / (ta.goodCount * tb.goodCount);
      sim[a * n + b] = s;
      sim[b * n + a] = s;
    }
  };
  for (let a = 0; a < n; a++) similarities(a, a + 1);
  for (;;) {
    let best: { a: number; b: number; sim: number } | null = null;
    for (let a = 0; a < n; a++) {
      if (!alive[a]) continue;
      for (let b = a + 1; b < n; b++) {
        const s = sim[a * n + b] as number;
        if (!alive[b] || s < threshold || (best && s <= best.sim)) continue;
        const ta = times[a] as Set<number>;
        if ([...(times[b] as Set<number>)].some((t) => ta.has(t))) continue;
        best = { a, b, sim: s };
      }
    }
    if (!best) break;
    const keep = tracks[best.a] as Live;
    const gone = tracks[best.b] as Live;
    keep.members.push(...gone.members);
    const sum = keep.goodSum as Float32Array;
    for (let d = 0; d < sum.length; d++) sum[d] = (sum[d] as number) + ((gone.goodSum as Float32Array)[d] as number);
    keep.goodCount += gone.goodCount;
    keep.firstMs = Math.min(keep.firstMs, gone.firstMs);
    keep.lastMs = Math.max(keep.lastMs, gone.lastMs);
    for (const t of times[best.b] as Set<number>) (times[best.a] as Set<number>).add(t);
    alive[best.b] = false;
    similarities(best.a, 0);
  }
  const kept = tracks.filter((_, i) => alive[i]);
  tracks.splice(0, n, ...kept);
}

export function buildTracks(faces: readonly TrackedFace[], opts: TrackOptions): { trackOf: number[]; tracks: Track[] } {
  const order = faces.map((_, i) => i).sort((a, b) => (faces[a] as TrackedFace).timeMs - (faces[b] as TrackedFace).timeMs || a - b);
  const trackOf = new Array<number>(faces.length).fill(-1);
  const live: Live[] = [];
  const done: Live[] = [];
  let nextKey = 1;

  for (let i = 0; i < order.length; ) {
    const t = (faces[order[i] as number] as TrackedFace).timeMs;
    const frame: number[] = [];
    while (i < order.length && (faces[order[i] as number] as TrackedFace).timeMs === t) frame.push(order[i++] as number);

    for (let k = live.length - 1; k >= 0; k--) {
      if (t - (live[k] as Live).lastMs > opts.maxGapMs) done.push(...live.splice(k, 1));
    }
    // Near pairs (the same place) rank above pairs linked by likeness alone; within each, the closer first.
    const pairs: { face: number; track: Live; score: number }[] = [];
    for (const f of frame) {
      const face = faces[f] as TrackedFace;
      const good = face.quality >= opts.identityQuality;
      for (const track of live) {
        const gap = t - track.lastMs;
        const overlap = iou(face.box, track.lastBox);
        const near = overlap >= opts.minIoU;
        if (good && track.recent.length > 0) {
          const sim = recentSimilarity(track, face.embedding);
          if (sim < opts.contradictThreshold) continue;
          if ((near && gap <= opts.overlapMaxGapMs) || sim >= opts.sameThreshold) pairs.push({ face: f, track, score: sim + (near ? 2 : 0) });
        } else if (near && gap <= opts.continuityMs) {
          pairs.push({ face: f, track, score: 1 + overlap });
        }
      }
    }
    pairs.sort((a, b) => b.score - a.score);
    const usedFaces = new Set<number>();
    const usedTracks = new Set<Live>();
    for (const p of pairs) {
      if (usedFaces.has(p.face) || usedTracks.has(p.track)) continue;
      usedFaces.add(p.face);
      usedTracks.add(p.track);
      const face = faces[p.face] as TrackedFace;
      addFace(p.track, face, p.face, face.quality >= opts.identityQuality);
    }
    for (const f of frame) {
      if (usedFaces.has(f)) continue;
      const face = faces[f] as TrackedFace;
      const track: Live = { key: nextKey++, members: [], lastBox: face.box, lastMs: t, firstMs: t, recent: [], goodSum: null, goodCount: 0 };
      addFace(track, face, f, face.quality >= opts.identityQuality);
      live.push(track);
    }
  }
  done.push(...live);
  mergeTracks(done, faces, opts.sameThreshold);

  const tracks = done
    .sort((a, b) => a.key - b.key)
    .map((l) => {
      let best = l.members[0] as number;
      for (const m of l.members) if ((faces[m] as TrackedFace).quality > (faces[best] as TrackedFace).quality) best = m;
      for (const m of l.members) trackOf[m] = l.key;
      return { key: l.key, members: l.members, best, firstMs: l.firstMs, lastMs: l.lastMs };
    });
  return { trackOf, tracks };
}
