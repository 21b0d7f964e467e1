/**
 * Pairwise precision and recall of a grouping against known identities: of the face pairs
 * put in one group, the share that are one person; of the face pairs that are one person,
 * the share put in one group. Faces without a known identity are left out of both.
 */
export interface PairwiseScores {
  precision: number;
  recall: number;
  correctPairs: number;
  predictedPairs: number;
  truePairs: number;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

export function pairwiseScores(groups: readonly (readonly number[])[], identityOf: ReadonlyMap<number, string | number>): PairwiseScores {
  const perIdentity = new Map<string | number, number>();
  for (const identity of identityOf.values()) perIdentity.set(identity, (perIdentity.get(identity) ?? 0) + 1);
  let truePairs = 0;
  for (const n of perIdentity.values()) truePairs += pairs(n);
  let predictedPairs = 0;
  let correctPairs = 0;
  for (const group of groups) {
    const counts = new Map<string | number, number>();
    let known = 0;
    for (const id of group) {
      const identity = identityOf.get(id);
      if (identity === undefined) continue;
      known++;
      counts.set(identity, (counts.get(identity) ?? 0) + 1);
    }
    predictedPairs += pairs(known);
    for (const n of counts.values()) correctPairs += pairs(n);
  }
  return {
    precision: predictedPairs === 0 ? 1 : correctPairs / predictedPairs,
    recall: truePairs === 0 ? 1 : correctPairs / truePairs,
    correctPairs,
    predictedPairs,
    truePairs,
  };
}
