import { ANALYSE_STAGES, type AnalyseStage, type ImageAnalysis } from '../../shared';

/**
 * Stages of an image's import in the main process, as bench:throughput's profile names
 * them: sniff (the head read, its type and size in pixels), readHash (the whole file read
 * and hashed), memoryWait (waiting for room in the byte budget), engineWait (from handing
 * the image to the face pool to its answer, less the engine's own time: the queue and the
 * messages), display (the display copy), storeWrite (the exhibit's rows, encrypted, in its
 * transaction), audit (its record, in the same transaction) and indexInsert (its faces
 * into the face index).
 */
export const IMPORT_STAGES = ['sniff', 'readHash', 'memoryWait', 'engineWait', 'display', 'storeWrite', 'audit', 'indexInsert'] as const;
export type ImportStage = (typeof IMPORT_STAGES)[number];

/**
 * Where an import's time goes, for a profile (bench:throughput): given to the workstation,
 * the import times its stages and asks the engine for its own; without one, nothing is
 * timed. It is never stored: the exhibits and their audit records are the same either way.
 */
export class ImportProfile {
  /** Summed milliseconds of each main-process stage, over every image imported. */
  readonly main = Object.fromEntries(IMPORT_STAGES.map((s) => [s, 0])) as Record<ImportStage, number>;
  /** Summed milliseconds of each engine stage (in the worker threads). */
  readonly engine = Object.fromEntries(ANALYSE_STAGES.map((s) => [s, 0])) as Record<AnalyseStage, number>;
  /** Summed time from opening each image to its end (stored or failed), in milliseconds. */
  latencyMs = 0;
  images = 0;
  faces = 0;

  /** The clock, for since(). */
  now(): number {
    return performance.now();
  }

  /** Adds the time since `start` (from now()) to a stage, and returns it. */
  since(stage: ImportStage, start = 0): number {
    const ms = performance.now() - start;
    this.main[stage] += ms;
    return ms;
  }

  /** An image's analysis, asked for at `start`: its engine stages, and the wait around them (its round trip less the engine's time). */
  analysed(a: ImageAnalysis, start = 0): void {
    if (a.stages) for (const s of ANALYSE_STAGES) this.engine[s] += a.stages[s];
    this.main.engineWait += Math.max(0, performance.now() - start - a.timings.totalMs);
  }

  /** A file's end: how long it took from opening, and how many faces it gave. */
  finished(start = 0, faces = 0): void {
    this.latencyMs += performance.now() - start;
    this.images++;
    this.faces += faces;
  }
}
