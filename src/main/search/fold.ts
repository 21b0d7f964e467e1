import { MAX_K, type SearchOutcome } from '../face-index';

export interface FoldedCandidate {
  id: number;
  score: number;
  /** Other faces of its track among the candidates (at or above the threshold). */
  trackFaces: number;
}

/** Best first, down to the threshold; a track is represented by its best-scoring face. Faces without context (gone from the store) are left out. */
function foldTracks(candidates: SearchOutcome['candidates'], context: ReadonlyMap<number, { trackId: number | null }>, thresholdScore: number | null): FoldedCandidate[] {
  const kept: FoldedCandidate[] = [];
  const byTrack = new Map<number, FoldedCandidate>();
  for (const c of candidates) {
    if (thresholdScore !== null && c.score < thresholdScore) break;
    const ctx = context.get(c.id);
    if (!ctx) continue;
    const seen = ctx.trackId === null ? undefined : byTrack.get(ctx.trackId);
    if (seen) {
      seen.trackFaces++;
      continue;
    }
    const entry = { id: c.id, score: c.score, trackFaces: 0 };
    if (ctx.trackId !== null) byTrack.set(ctx.trackId, entry);
    kept.push(entry);
  }
  return kept;
}

/**
 * Searches for `wanted` candidates after the faces of one track fold into one. It asks for
 * more than wanted, and where long tracks (a person lingering before a camera) still fill
 * the list, asks again for more rather than return fewer candidates than there are.
 */
export async function searchFolded(
  search: (k: number) => Promise<SearchOutcome>,
  contextOf: (ids: number[]) => ReadonlyMap<number, { trackId: number | null }>,
  thresholdScore: number | null,
  wanted: number,
): Promise<{ outcome: SearchOutcome; kept: FoldedCandidate[] }> {
  for (let k = Math.min(MAX_K, wanted * 4 + 20); ; k = Math.min(MAX_K, k * 4)) {
    const outcome = await search(k);
    const kept = foldTracks(outcome.candidates, contextOf(outcome.candidates.map((c) => c.id)), thresholdScore);
    const lowest = outcome.candidates.at(-1)?.score ?? -Infinity;
    const noMore = outcome.candidates.length < k || k === MAX_K || (thresholdScore !== null && lowest < thresholdScore);
    if (kept.length >= wanted || noMore) return { outcome, kept };
  }
}
