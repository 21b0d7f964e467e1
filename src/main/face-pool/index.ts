import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type AnalyseInput, AnalyseOptions, type AnalyseSettings, FromWorker, type ImageAnalysis, LoupeError, type ReembedRequest, type ToWorker, type WorkerInit } from '../../shared';
import type { LoadedPack } from '../models';
import { workerScript } from '../threads';

/**
 * A pool of face-engine worker threads, one ONNX session set per worker on one thread
 * each, so analysis runs in parallel across images. Jobs queue without limit but callers
 * that produce work should `await pool.whenReady()` first, which holds them while the
 * queue is full (backpressure). A worker that dies takes only its own job with it: that
 * job is rejected with a clear error and a fresh worker takes its place.
 */

export interface FacePoolOptions {
  pack: LoadedPack;
  /** Number of workers; default one per core. */
  size?: number;
  /** Jobs waiting beyond those being worked on before whenReady() holds callers; default 2 per worker. */
  maxQueued?: number;
  /** Heap limit of each worker's JavaScript (models and images live outside it). */
  maxHeapMb?: number;
}

export interface FacePoolStats {
  size: number;
  busy: number;
  queued: number;
  completed: number;
  failed: number;
  crashes: number;
}

export interface FacePool {
  analyse(input: AnalyseInput, options?: AnalyseOptions, signal?: AbortSignal): Promise<ImageAnalysis>;
  /** The embedding by this pool's pack of a face a case already holds (a pack change). */
  reembed(face: ReembedRequest, signal?: AbortSignal): Promise<Float32Array>;
  /** Resolves once the queue has room (fewer than maxQueued jobs waiting). */
  whenReady(): Promise<void>;
  /** Resolves once no job is queued or running. */
  idle(): Promise<void>;
  /** Rejects every queued and running job with LoupeError('cancelled'); the pool stays usable. */
  cancel(reason?: string): void;
  close(): Promise<void>;
  readonly stats: FacePoolStats;
  /** Test-only: makes one busy (or else idle) worker exit as if it had crashed. */
  simulateCrash(): void;
}

/** What a job asks of a worker: an analysis, or an embedding of a held face. */
type Work = { type: 'analyse'; input: AnalyseInput; options: AnalyseSettings } | { type: 'reembed'; face: ReembedRequest };

interface Job {
  id: number;
  work: Work;
  resolve: (a: ImageAnalysis | Float32Array) => void;
  reject: (e: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** The job this worker's answer goes to; null once that job was cancelled. */
  job: Job | null;
  /** Id of the request the worker is on, cancelled or not: a worker takes one at a time. */
  runningId: number | null;
  /** Set when the pool ends this worker on purpose, so its exit is not a crash. */
  retiring: boolean;
}

/**
 * ONNX Runtime 1.30 sends usage telemetry unless told not to: an event queue with a device id
 * under ~/.cache/Microsoft, a mat-debug log in the temp folder and look-ups of Microsoft's
 * collector. Its native code reads ORT_DISABLE_TELEMETRY from the process environment, so it
 * is set here, on the thread that starts the workers, before any of them loads the runtime:
 * a worker's own process.env is a copy native code never sees. Every process that analyses
 * faces (CLI, desktop app, harness, benchmarks) starts its workers here.
 */
export function keepOnnxRuntimeOffline(): void {
  process.env.ORT_DISABLE_TELEMETRY = '1';
}

export async function createFacePool(opts: FacePoolOptions): Promise<FacePool> {
  keepOnnxRuntimeOffline();
  const size = Math.max(1, Math.floor(opts.size ?? availableParallelism()));
  const maxQueued = Math.max(1, opts.maxQueued ?? size * 2);
  const init: WorkerInit = { manifest: opts.pack.manifest, detector: opts.pack.detector, embedder: opts.pack.embedder };
  if (opts.pack.landmarks) init.landmarks = opts.pack.landmarks;
  const script = workerScript('index');
  const slots: Slot[] = [];
  const queue: Job[] = [];
  const stats = { completed: 0, failed: 0, crashes: 0 };
  let nextId = 1;
  let closed = false;
  /** Set when a replacement worker could not start and none is left: new work is refused with this. */
  let broken: Error | null = null;
  let waiters: (() => void)[] = [];
  let idleWaiters: (() => void)[] = [];

  const busyCount = () => slots.filter((s) => s.runningId !== null).length;

  function settle(): void {
    if (queue.length < maxQueued) {
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    }
    if (queue.length === 0 && busyCount() === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      w.forEach((f) => f());
    }
  }

  function finish(job: Job): void {
    if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (!slot.ready || slot.runningId !== null || slot.retiring) continue;
      const job = queue.shift();
      if (!job) break;
      slot.job = job;
      slot.runningId = job.id;
      const msg: ToWorker = { ...job.work, id: job.id };
      slot.worker.postMessage(msg);
    }
    settle();
  }

  /** The worker's answer to the job it was on: the job settles and the worker takes the next. */
  function answered(slot: Slot, m: Extract<FromWorker, { type: 'result' | 'embedding' | 'error' }>): void {
    slot.runningId = null;
    const job = slot.job;
    slot.job = null;
    // A cancelled job's answer: nobody waits for it.
    if (job) {
      finish(job);
      if (m.type !== 'error') {
        stats.completed++;
        job.resolve(m.type === 'result' ? m.analysis : m.embedding);
      } else {
        stats.failed++;
        job.reject(new LoupeError(m.error.code, m.error.message));
      }
    }
    dispatch();
  }

  /** Rejects every queued job with err: no worker is left to run them. */
  function failQueued(err: Error): void {
    for (const j of queue.splice(0)) {
      finish(j);
      j.reject(err);
    }
  }

  function spawn(): Promise<void> {
    return new Promise((resolveStart, rejectStart) => {
      const worker = new Worker(script, { workerData: init, resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 1024 } });
      const slot: Slot = { worker, ready: false, job: null, runningId: null, retiring: false };
      slots.push(slot);
      let startError: LoupeError | null = null;
      let lastError: Error | null = null;

      worker.on('message', (raw: unknown) => {
        const parsed = FromWorker.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const why = `${issue?.path.join('.') || 'message'}: ${issue?.message}`;
          // An answer that does not parse (a NaN or a negative box from a model gone wrong) still
          // ends its job, or the job and its worker would wait for ever.
          const id = (raw as { id?: unknown } | null)?.id;
          if (typeof id === 'number' && id === slot.runningId) {
            answered(slot, { type: 'error', id, error: { code: 'internal', message: `The face engine gave an unreadable result for this input (${why}); the input was skipped.` } });
          } else lastError = new Error(`unreadable message from the face engine (${why})`);
          return;
        }
        const m = parsed.data;
        if (m.type === 'ready') {
          slot.ready = true;
          resolveStart();
          dispatch();
          return;
        }
        if (m.type === 'failed') {
          startError = new LoupeError(m.error.code, m.error.message);
          return;
        }
        if (m.id === slot.runningId) answered(slot, m);
      });
      worker.on('error', (e) => {
        lastError = e;
      });
      worker.on('exit', (code) => {
        slots.splice(slots.indexOf(slot), 1);
        if (!slot.ready) {
          const err = startError ?? new LoupeError('internal', `A face engine worker could not start (exit code ${code}${lastError ? `: ${lastError.message}` : ''}).`);
          rejectStart(err);
          // With no worker able to start, queued work cannot run: say why rather than hang.
          if (slots.length === 0) failQueued(err);
          settle();
          return;
        }
        if (slot.retiring || closed) {
          settle();
          return;
        }
        stats.crashes++;
        const job = slot.job;
        if (job) {
          stats.failed++;
          finish(job);
          const why = lastError ? lastError.message : `exit code ${code}`;
          job.reject(new LoupeError('internal', `The face engine stopped while analysing this input (${why}); the input was skipped and the engine restarted. If it happens again with the same file, the file may be hostile or too large.`));
        }
        spawn().then(dispatch, (e: Error) => {
          if (slots.length === 0) {
            broken = e;
            failQueued(e);
          }
          settle();
        });
      });
    });
  }

  try {
    await Promise.all(Array.from({ length: size }, () => spawn()));
  } catch (e) {
    closed = true;
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw e;
  }

  function rejectJob(job: Job, err: LoupeError): void {
    finish(job);
    const i = queue.indexOf(job);
    if (i >= 0) queue.splice(i, 1);
    for (const s of slots) if (s.job === job) s.job = null;
    job.reject(err);
  }

  function submit(work: Work, signal: AbortSignal | undefined): Promise<ImageAnalysis | Float32Array> {
    if (closed) return Promise.reject(new LoupeError('unavailable', 'The face pool is closed.'));
    if (broken) return Promise.reject(broken);
    if (signal?.aborted) return Promise.reject(new LoupeError('cancelled', 'The analysis was cancelled before it started.'));
    return new Promise((resolve, reject) => {
      const job: Job = { id: nextId++, work, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        job.onAbort = () => {
          rejectJob(job, new LoupeError('cancelled', 'The analysis was cancelled.'));
          dispatch();
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      queue.push(job);
      dispatch();
    });
  }

  const pool: FacePool = {
    analyse(input, options = {}, signal) {
      let parsedOptions: AnalyseSettings;
      try {
        parsedOptions = AnalyseOptions.parse(options);
      } catch (e) {
        return Promise.reject(new LoupeError('invalid_input', `Bad analysis options: ${(e as Error).message}`));
      }
      return submit({ type: 'analyse', input, options: parsedOptions }, signal) as Promise<ImageAnalysis>;
    },
    reembed(face, signal) {
      return submit({ type: 'reembed', face }, signal) as Promise<Float32Array>;
    },
    whenReady() {
      if (queue.length < maxQueued) return Promise.resolve();
      return new Promise((r) => waiters.push(r));
    },
    idle() {
      if (queue.length === 0 && busyCount() === 0) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
    cancel(reason = 'The analysis was cancelled.') {
      const err = new LoupeError('cancelled', reason);
      for (const job of [...queue, ...slots.flatMap((s) => (s.job ? [s.job] : []))]) rejectJob(job, err);
      // Running jobs finish in their worker; their late answers are ignored by id.
      settle();
    },
    async close() {
      if (closed) return;
      pool.cancel('The face pool was closed.');
      closed = true;
      for (const s of slots) s.retiring = true;
      // A worker ended in the middle of an ONNX run takes the whole process down (onnxruntime-node
      // throws from native code as the thread is torn down), so jobs under way finish first and
      // their answers are ignored. The pixel limits bound how long one input can take.
      if (busyCount() > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      await Promise.all(slots.map((s) => s.worker.terminate()));
      settle();
    },
    get stats(): FacePoolStats {
      return { size: slots.length, busy: busyCount(), queued: queue.length, ...stats };
    },
    simulateCrash() {
      const slot = slots.find((s) => s.job) ?? slots[0];
      const msg: ToWorker = { type: 'simulate-crash', exitCode: 70 };
      slot?.worker.postMessage(msg);
    },
  };
  return pool;
}
