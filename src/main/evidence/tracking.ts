import { type FaceBox, similarity } from '../../shared';

/**
 * Links the faces of a video's sampled frames into tracks, so one person walking past a
 * camera becomes one track with a best face rather than dozens of separate candidates.
 * Two faces link when their embeddings agree (above a threshold chosen from the pack's
 * calibration) or, for nearby frames, when their boxes overlap and the embeddings agree
 * more loosely. Faces of one frame never share a track.
 */

export interface TrackedFace {
  timeMs: number;
  box: FaceBox;
  embedding: Float32Array;
  quality: number;
}

export interface TrackOptions {
  /** Similarity at or above which two faces are taken as the same person. */
  sameThreshold: number;
  /** A looser similarity accepted when the boxes overlap in frames close in time. */
  overlapThreshold: number;
  minIoU: number;
  /** A track not seen for longer than this ends. */
  maxGapMs: number;
  overlapMaxGapMs: number;
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

interface Live {
  key: number;
  members: number[];
  sum: Float32Array;
  centroid: Float32Array;
  lastBox: FaceBox;
  lastMs: number;
  firstMs: number;
}

function normalised(v: Float32Array): Float32Array {
  const n = Math.sqrt(similarity(v, v)) || 1;
  return v.map((x) => x / n);
}

/** Beyond this many tracks the merge pass is skipped (its table of pairs grows with the square). */
const MAX_MERGE_TRACKS = 2000;

/**
 * A person lost for a moment (turned away, a cut to another camera) starts a new track:
 * join tracks whose mean embeddings agree and that never appear in the same frame, the
 * most similar pair first. The similarities of all pairs are computed once and, after each
 * join, only those of the joined track again: this runs in the main process, and a long
 * video may hold hundreds of tracks.
 */
function mergeTracks(tracks: Live[], faces: readonly TrackedFace[], threshold: number): void {
  const n = tracks.length;
  if (n > MAX_MERGE_TRACKS) return;
  const times = tracks.map((t) => new Set(t.members.map((m) => (faces[m] as TrackedFace).timeMs)));
  const sim = new Float64Array(n * n);
  const alive = new Array<boolean>(n).fill(true);
  /** Similarities of track a with the live tracks from index `from` on. */
  const similarities = (a: number, from: number) => {
    for (let b = from; b < n; b++) {
      if (b === a || !alive[b]) continue;
      const s = similarity((tracks[a] as Live).centroid, (tracks[b] as Live).centroid);
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
    for (let d = 0; d < keep.sum.length; d++) keep.sum[d] = (keep.sum[d] as number) + (gone.sum[d] as number);
    keep.centroid = normalised(keep.sum);
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
    const pairs: { face: number; track: Live; score: number }[] = [];
    for (const f of frame) {
      const face = faces[f] as TrackedFace;
      for (const track of live) {
        const sim = similarity(face.embedding, track.centroid);
        const near = t - track.lastMs <= opts.overlapMaxGapMs && iou(face.box, track.lastBox) >= opts.minIoU;
        if (sim >= opts.sameThreshold || (near && sim >= opts.overlapThreshold)) pairs.push({ face: f, track, score: sim + (near ? 0.1 : 0) });
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
      p.track.members.push(p.face);
      for (let d = 0; d < face.embedding.length; d++) p.track.sum[d] = (p.track.sum[d] as number) + (face.embedding[d] as number);
      p.track.centroid = normalised(p.track.sum);
      p.track.lastBox = face.box;
      p.track.lastMs = t;
    }
    for (const f of frame) {
      if (usedFaces.has(f)) continue;
      const face = faces[f] as TrackedFace;
      live.push({ key: nextKey++, members: [f], sum: Float32Array.from(face.embedding), centroid: face.embedding, lastBox: face.box, lastMs: t, firstMs: t });
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
