import { ANALYSE_STAGES, type AnalyseStage, type AnalyseStages } from '../../shared';

/**
 * Time per stage of one analysis, taken only for a profile: each lap adds the time since
 * the previous one to a stage. Off, lap() does nothing and nothing is read from the clock.
 */
export interface Laps {
  lap(stage: AnalyseStage): void;
  /** The times so far; undefined when off. */
  readonly stages: AnalyseStages | undefined;
}

const OFF: Laps = { lap() {}, stages: undefined };

export function laps(on: boolean): Laps {
  if (!on) return OFF;
  const stages = Object.fromEntries(ANALYSE_STAGES.map((s) => [s, 0])) as AnalyseStages;
  let last = performance.now();
  return {
    lap(stage) {
      const now = performance.now();
      stages[stage] += now - last;
      last = now;
    },
    stages,
  };
}
