import { stat } from 'node:fs/promises';
import path from 'node:path';
import { LoupeError, type ExhibitDetails, type ImportBatch, type ImportOptions } from '../../shared';
import { randomId } from '../crypto';
import { importSettings, ImportJob, type EvidenceDeps, type ImportSettings, type ImportShared } from './import-job';
import { ByteBudget } from './memory';
import { EvidenceReader } from './reader';
import { listSourceFiles } from './sources';

export type { EvidenceDeps, RunningPack } from './import-job';

export interface BatchStarted {
  batchId: string;
  filesTotal: number;
}
/** Runs a batch's writes and appends the call's audit record with them, in one transaction. */
export type RecordBatch = (write: () => BatchStarted) => BatchStarted;
export { ByteBudget, IMPORT_MEMORY_BYTES } from './memory';
export { IMPORT_STAGES, ImportProfile, type ImportStage } from './profile';
export { EvidenceReader } from './reader';
export { openOriginal } from './originals';
export { fsPath } from './source-path';

/**
 * Import of evidence into the open case: starts, resumes, cancels and stops import jobs
 * (one batch at a time, with probe and reference images beside it). What was imported
 * is read through an {@link EvidenceReader}.
 */
export class EvidenceImporter {
  private running: ImportJob | null = null;
  /** Probe and reference images imported beside a batch. */
  private readonly singles = new Set<ImportJob>();
  private readonly shared: ImportShared;
  private readonly reader: EvidenceReader;

  constructor(private readonly deps: EvidenceDeps) {
    this.shared = { inFlight: new Map(), memory: deps.memory ?? new ByteBudget() };
    this.reader = new EvidenceReader(deps.store.reads);
  }

  /** Run when the case opens: nothing can be running yet, so a batch still marked 'running' was cut off; it becomes 'interrupted', to be resumed. */
  markCutOffBatches(): void {
    this.deps.store.writes.markInterrupted();
  }

  /**
   * Starts an import of the files under `paths`. The batch is written by `record`, which
   * appends the call's audit record in the same transaction, so no batch exists without it.
   */
  async start(paths: string[], options: ImportOptions, user: string, record: RecordBatch): Promise<BatchStarted> {
    this.refuseIfRunning();
    const files = await listSourceFiles(paths);
    const settings = importSettings(options);
    const batchId = randomId();
    const started = record(() => {
      // Listing took a while: another import may have started meanwhile.
      this.refuseIfRunning();
      this.writeBatch(batchId, paths, files, settings, user);
      return { batchId, filesTotal: files.length };
    });
    this.launch(batchId, files, settings, user);
    return started;
  }

  private writeBatch(batchId: string, paths: string[], files: string[], settings: ImportSettings, user: string): void {
    const sources = paths.map((p) => path.resolve(p));
    this.deps.store.writes.startBatch({ id: batchId, startedAt: this.deps.now().toISOString(), startedBy: user, sources, options: settings, exhibitRef: settings.exhibitRef });
    this.deps.store.writes.setBatchTotal(batchId, files.length);
  }

  async resume(batchId: string, user: string, record: RecordBatch): Promise<BatchStarted> {
    this.refuseIfRunning();
    const batch = this.reader.batch(batchId);
    if (batch.status === 'done') throw new LoupeError('conflict', 'This import finished; there is nothing to resume.');
    const files = await listSourceFiles(batch.sources);
    const settings = importSettings(this.deps.store.reads.batchOptions(batchId) as ImportOptions);
    const started = record(() => {
      this.refuseIfRunning();
      this.deps.store.writes.finishBatch(batchId, 'running', null);
      this.deps.store.writes.setBatchTotal(batchId, files.length);
      return { batchId, filesTotal: files.length };
    });
    this.launch(batchId, files, settings, user);
    return started;
  }

  cancel(batchId: string): ImportBatch {
    const batch = this.reader.batch(batchId);
    if (this.running?.batchId === batchId) this.running.stop('cancelled');
    return batch;
  }

  /** Stops a running import before the case closes; it can be resumed later. */
  async stop(): Promise<void> {
    const all = [...this.singles, ...(this.running ? [this.running] : [])];
    for (const job of all) job.stop('interrupted');
    await Promise.all(all.map((job) => job.done));
  }

  /**
   * Imports one probe or reference image at once and returns it with its faces. It runs
   * beside a batch import, if one is running, as a batch of its own.
   */
  async importSingle(file: string, options: ImportOptions, user: string): Promise<ExhibitDetails> {
    // A folder would import every file in it as a probe (or reference) image.
    if ((await stat(file).catch(() => null))?.isDirectory()) {
      throw new LoupeError('invalid_input', `${path.resolve(file)} is a folder; a probe or reference is one image file.`, 'path');
    }
    this.refuseIfBlocked();
    const files = await listSourceFiles([file]);
    this.refuseIfBlocked();
    const settings = importSettings(options);
    const batchId = randomId();
    // A probe's batch has no record of its own: its exhibit's record, written with the exhibit, names it.
    this.writeBatch(batchId, [file], files, settings, user);
    const single = this.job(batchId, files, settings, user);
    this.singles.add(single);
    try {
      await single.done;
    } finally {
      this.singles.delete(single);
    }
    if (single.error) throw single.error;
    const [exhibitId] = this.deps.store.reads.exhibitsOfBatch(batchId);
    if (exhibitId === undefined) throw new LoupeError('not_found', `${file} was not imported.`);
    const d = this.reader.get(exhibitId);
    if (d.exhibit.status === 'duplicate' && d.exhibit.duplicateOf !== null) return this.reader.get(d.exhibit.duplicateOf);
    if (d.exhibit.status === 'failed') throw new LoupeError('unsupported_file', d.exhibit.failure ?? 'The image could not be read.');
    if (d.exhibit.kind !== 'image') throw new LoupeError('unsupported_file', 'A probe or reference must be a still image; pick a face from the video instead.');
    return d;
  }

  /** Waits for the running import, if any (CLI and tests). */
  async settled(): Promise<void> {
    await this.running?.done;
  }

  /** Why the case cannot change its pack now: an import or a probe under way. */
  busy(): string | null {
    return this.running || this.singles.size > 0 ? 'An import is running in this case; wait for it to finish (or cancel it), then change the pack.' : null;
  }

  private refuseIfRunning(): void {
    if (this.running) throw new LoupeError('conflict', 'An import is already running in this case; wait for it or cancel it.');
    this.refuseIfBlocked();
  }

  private refuseIfBlocked(): void {
    const why = this.deps.blocked?.();
    if (why) throw new LoupeError('conflict', why);
  }

  private job(batchId: string, files: string[], settings: ImportSettings, user: string): ImportJob {
    return new ImportJob(this.deps, this.shared, { batchId, files, settings, user }).start();
  }

  private launch(batchId: string, files: string[], settings: ImportSettings, user: string): void {
    const job = this.job(batchId, files, settings, user);
    this.running = job;
    void job.done.finally(() => {
      if (this.running === job) this.running = null;
    });
  }
}
