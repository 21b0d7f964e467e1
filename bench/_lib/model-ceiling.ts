/**
 * The model-only ceiling of the face engine on given inputs: what a pool could do if its
 * workers ran nothing but the models. Each worker analyses its share of the inputs as the
 * product does, recording every model run (the detector's passes and second looks, the
 * landmark model, the embedder) with its input tensor, then runs those same tensors again
 * through the same sessions, timed, with nothing else between them. The ceiling is the
 * inputs over the slowest worker's summed model time; the other worker's untimed analysis
 * runs meanwhile, as it would in the pool, so both compete for the cores as in an import.
 * Model.run is wrapped here, in the benchmark's own worker, so the product is not touched.
 */
import { Worker, workerData } from 'node:worker_threads';
import type { AnalyseOptions } from '../../src/shared';
import type { LoadedPack } from '../../src/main/models';
import { keepOnnxRuntimeOffline } from '../../src/main/face-pool';
import { createFaceAnalyser } from '../../src/worker/face-analysis';
import { Model } from '../../src/worker/face-analysis/session';

interface CeilingJob {
  ceiling: true;
  pack: { manifest: LoadedPack['manifest']; detector: Uint8Array; landmarks?: Uint8Array; embedder: Uint8Array };
  inputs: Uint8Array[];
  options: AnalyseOptions;
}

interface WorkerResult {
  images: number;
  faces: number;
  /** Summed model time per model label, in milliseconds. */
  modelMs: Record<string, number>;
  runs: Record<string, number>;
}

export interface Ceiling {
  workers: number;
  images: number;
  faces: number;
  /** Model time per image, by model, summed over the workers. */
  modelMsPerImage: Record<string, number>;
  /** Model runs per image, by model. */
  runsPerImage: Record<string, number>;
  /** The slowest worker's summed model time, in seconds. */
  seconds: number;
  imagesPerSec: number;
  facesPerSec: number;
}

/** True in a ceiling worker: the benchmark's entry then runs ceilingWorker() instead of its main. */
export const isCeilingWorker = (): boolean => (workerData as Partial<CeilingJob> | null)?.ceiling === true;

export async function ceilingWorker(): Promise<void> {
  const { parentPort } = await import('node:worker_threads');
  const job = workerData as CeilingJob;
  const recorded: { model: Model; data: Float32Array; dims: number[] }[] = [];
  const run = Model.prototype.run;
  Model.prototype.run = function (this: Model, data: Float32Array, dims: number[]) {
    recorded.push({ model: this, data, dims });
    return run.call(this, data, dims);
  };
  const analyser = await createFaceAnalyser(job.pack);
  const out: WorkerResult = { images: 0, faces: 0, modelMs: {}, runs: {} };
  for (const input of job.inputs) {
    recorded.length = 0;
    const a = await analyser.analyse(input, job.options);
    const runs = recorded.splice(0);
    for (const r of runs) {
      const t = performance.now();
      await run.call(r.model, r.data, r.dims);
      out.modelMs[r.model.label] = (out.modelMs[r.model.label] ?? 0) + performance.now() - t;
      out.runs[r.model.label] = (out.runs[r.model.label] ?? 0) + 1;
    }
    out.images++;
    out.faces += a.faces.length;
  }
  await analyser.close();
  parentPort?.postMessage(out);
}

/** Runs `inputs` through `workers` ceiling workers started from `script` (the benchmark's own bundle). */
export async function modelCeiling(script: URL, pack: LoadedPack, inputs: readonly Uint8Array[], workers: number, options: AnalyseOptions): Promise<Ceiling> {
  keepOnnxRuntimeOffline();
  const shares = Array.from({ length: workers }, (_, w) => inputs.filter((_, i) => i % workers === w));
  const bytes = { manifest: pack.manifest, detector: pack.detector, embedder: pack.embedder, ...(pack.landmarks ? { landmarks: pack.landmarks } : {}) };
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<WorkerResult>((resolve, reject) => {
          const job: CeilingJob = { ceiling: true, pack: bytes, inputs: share, options };
          const w = new Worker(script, { workerData: job });
          w.once('message', (m: WorkerResult) => resolve(m));
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`a ceiling worker exited with code ${code}`)));
        }),
    ),
  );
  const images = results.reduce((s, r) => s + r.images, 0);
  const faces = results.reduce((s, r) => s + r.faces, 0);
  const labels = [...new Set(results.flatMap((r) => Object.keys(r.modelMs)))];
  const per = (f: (r: WorkerResult) => Record<string, number>) => Object.fromEntries(labels.map((l) => [l, results.reduce((s, r) => s + (f(r)[l] ?? 0), 0) / images]));
  const seconds = Math.max(...results.map((r) => Object.values(r.modelMs).reduce((s, v) => s + v, 0))) / 1000;
  return { workers, images, faces, modelMsPerImage: per((r) => r.modelMs), runsPerImage: per((r) => r.runs), seconds, imagesPerSec: images / seconds, facesPerSec: faces / seconds };
}
