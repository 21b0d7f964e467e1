import { ScaleSide, type ConclusionScale, type ScaleLevel } from '../../shared';

export const SIDE_LABEL: Record<ScaleSide, string> = {
  same: 'Same person',
  different: 'Different persons',
  neutral: 'Neither (inconclusive)',
  unsuitable: 'Not suitable for comparison',
};
export const SIDE_CHOICES = ScaleSide.options.map((s) => ({ value: s, label: SIDE_LABEL[s] }));

/**
 * The starting point of the next declaration: the scale in force, one version on. The version
 * is not the supervisor's to choose: main accepts only the one after the version in force.
 */
export function nextDraft(current: ConclusionScale): ConclusionScale {
  return { ...current, version: current.version + 1, levels: current.levels.map((l) => ({ ...l })) };
}

/** A new level, with an id no other level of the draft has. */
export function newLevel(levels: readonly ScaleLevel[]): ScaleLevel {
  const taken = new Set(levels.map((l) => l.id));
  let n = levels.length + 1;
  while (taken.has(`level_${n}`)) n++;
  return { id: `level_${n}`, label: '', side: 'neutral' };
}
