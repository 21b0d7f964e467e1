import { type CasePack, embedderId, LoupeError, type Calibration, type ModelPack } from '../../shared';
import { thresholdFor } from '../calibration';
import { checkCasePack } from '../cases';
import { createFacePool } from '../face-pool';
import type { RunningPack } from '../evidence';
import { bestPack, installedManifest, loadPack, type LoadedPack } from '../models';
import type { SearchPack } from '../search';

/**
 * Without a calibration table, faces of one video link into a track above this cosine
 * similarity: for ArcFace-type embedders impostor pairs rarely pass 0.35 (the shipped
 * packs' benchmarks), so 0.45 keeps tracks to one person at the cost of splitting some.
 */
const UNCALIBRATED_TRACK_THRESHOLD = 0.45;
/** With a calibration, tracks link at an estimated false match rate of 1 in 10,000. */
const TRACK_FMR = 1e-4;

export function trackThreshold(calibration: Calibration | undefined): number {
  if (!calibration) return UNCALIBRATED_TRACK_THRESHOLD;
  try {
    return thresholdFor(calibration, TRACK_FMR);
  } catch (err) {
    if (err instanceof LoupeError) return Math.max(UNCALIBRATED_TRACK_THRESHOLD, thresholdFor(calibration, calibration.points.at(-1)?.fmr ?? 1));
    throw err;
  }
}

/**
 * The model pack in use: its worker pool is started on first use and kept for the session;
 * installing a pack restarts it. A case's pack is the one the case recorded (`chosen` gives
 * it, and an installed pack whose version or files differ is refused); without `chosen`,
 * the best installed pack.
 */
export class PackInUse {
  private running: Promise<RunningPack> | null = null;
  private loaded: Promise<LoadedPack> | null = null;
  /** Set while the case's pack is being changed: why imports wait meanwhile. */
  changing: string | null = null;

  constructor(
    private readonly modelsDir: string,
    private readonly chosen?: (by: string | null) => Promise<CasePack>,
  ) {}

  /** The case's recorded pack, recording it now (in `by`'s name) if the case has none. */
  recorded(by: string): Promise<CasePack> {
    if (!this.chosen) throw new LoupeError('internal', 'This pack in use belongs to no case.');
    return this.chosen(by);
  }

  /** The pack in use, its files verified; no worker is started for it. */
  private loadedPack(): Promise<LoadedPack> {
    this.loaded ??= (async () => {
      if (!this.chosen) return loadPack(this.modelsDir, await bestPack(this.modelsDir));
      const record = await this.chosen(null);
      const loaded = await loadPack(this.modelsDir, record.name);
      checkCasePack(record, loaded.manifest);
      return loaded;
    })();
    this.loaded.catch(() => (this.loaded = null));
    return this.loaded;
  }

  async pack(): Promise<SearchPack> {
    const loaded = await this.loadedPack();
    return { manifest: loaded.manifest, model: embedderId(loaded.manifest) };
  }

  /** The manifest of an installed pack (any, not only the one in use), or null when it is not installed or damaged: reports quote it. */
  async manifest(name: string): Promise<ModelPack | null> {
    return installedManifest(this.modelsDir, name).catch(() => null);
  }

  /** The pack with its worker pool, started on first call. */
  start(): Promise<RunningPack> {
    this.running ??= (async () => {
      const loaded = await this.loadedPack();
      const pool = await createFacePool({ pack: loaded });
      return { pool, pack: loaded.manifest, model: embedderId(loaded.manifest), trackThreshold: trackThreshold(loaded.manifest.calibration) };
    })();
    this.running.catch(() => (this.running = null));
    return this.running;
  }

  async reset(): Promise<void> {
    const current = this.running;
    this.running = null;
    this.loaded = null;
    if (current) await (await current.catch(() => null))?.pool.close();
  }
}
