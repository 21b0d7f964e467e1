/*
 * The per-case face index: which stored faces are most similar to a probe.
 * Labels are the store's integer face ids; vectors are L2-normalised embeddings of one
 * model, compared by inner product (= cosine similarity). The index is derived data: the
 * encrypted case store is the record, and the index can always be rebuilt from it.
 *
 * Small galleries are searched exhaustively (exact by construction, and fast enough: see
 * EXACT_BELOW). Larger ones use HNSW (hnswlib) for candidates with a wide beam, and the
 * candidates are then re-scored from the embeddings the caller's store holds, so every
 * score shown comes from the record, and faces the store no longer holds are dropped.
 * A filter (allowed ids) never silently loses candidates: a narrow filter is searched
 * exhaustively, and a filtered HNSW search that comes back short falls back to it too.
 * The graph may be built on the embeddings' projections onto their principal subspace
 * (projection.ts): it then only proposes candidates, and no projected vector is ever scored.
 * Persistence is encrypted; see sealed-file.ts for why it goes through a RAM-backed file.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { LoupeError, PROJECTION_RETAIN, PROJECTION_SAMPLE, type Projection, similarity } from '../../shared';
import { type Candidate, TopK } from './exact';
import { FlatGallery } from './flat';
import { HnswGraph } from './graph';
import { checkHnswFile } from './hnsw-file';
import { NativeGraph } from './native-graph';
import { fitProjectionOffThread, project } from './projection';
import { DEFAULT_RAM_DIR, type SealedFailure, type SealedProjection, ramFolderAvailable, readSealed, writeSealed } from './sealed-file';

export { type Candidate, exactTopK } from './exact';
export { PROJECTION_RETAIN, PROJECTION_SAMPLE, type Projection, fitProjection } from '../../shared';
export { fitProjectionOffThread } from './projection';
export { removeOrphans } from './sealed-file';

/**
 * Where the graph lives: hnswlib's native code ('native', fastest) where its file can pass
 * through a RAM folder, else the same graph in JavaScript memory ('memory'), which is sealed
 * and opened without any file, so the index persists encrypted on every OS.
 */
export type GraphEngine = 'native' | 'memory';
type Graph = NativeGraph | HnswGraph;

/** The engine for a graph kept through `ramDir`: native where hnswlib's file can stay in RAM. */
export const defaultEngine = (ramDir = DEFAULT_RAM_DIR): GraphEngine => (ramFolderAvailable(ramDir) ? 'native' : 'memory');

/**
 * Galleries up to this many live faces are searched exhaustively: past the point where the
 * graph becomes faster, because exhaustive search never misses a face and still costs
 * little here (bench/search.ts; figures in docs/figures.md, "Face search").
 */
export const EXACT_BELOW = 20_000;
/** A filter excluding at most this many faces (or k) runs as an unfiltered walk for k + that many, then drops them. */
const FEW_EXCLUDED = 64;
/** A filter allowing at most this share of the gallery is searched exhaustively: hnswlib walks the disallowed faces too, so narrow filters cost it most and lose it recall. */
const NARROW_FILTER_SHARE = 0.05;
/**
 * HNSW graph degree and build beam. Face embeddings have a high intrinsic dimension (their
 * impostor scores spread like ~100 independent dimensions), where a sparse graph misses
 * neighbours: M=32 reaches the recall M=16 does with a much narrower search beam, for a
 * little more memory and build time (bench/search.ts; docs/figures.md, "Face search").
 */
export const HNSW_M = 32;
export const HNSW_EF_CONSTRUCTION = 200;
/**
 * Default search beam for a gallery of `faces`: wide enough for recall@50 >= 0.99 against
 * exhaustive search, as bench/search.ts measures it (real probes among real faces and
 * synthetic look-alike distractors, M=32), on raw and projected graphs alike (figures in
 * docs/figures.md, "Face search"). The beam needed grows about as the cube root of the
 * gallery; the beam is never below the re-rank pool (4k). Missing a candidate costs an
 * investigation more than the milliseconds do, so the default favours recall.
 */
export function defaultEf(faces: number): number {
  return Math.max(400, Math.round(1200 * (Math.max(1, faces) / 100_000) ** 0.301));
}
/**
 * Searches a freshly opened index runs on its own faces before anyone asks (warm()): enough
 * to take the graph walk, the re-rank's reads of the store and the exhaustive copy into use,
 * few enough to be done in well under a second on a large case (bench/search.ts).
 */
export const WARM_SEARCHES = 16;
const WARM_K = 50;
/** Candidates re-scored per requested result. */
export const RERANK_FACTOR = 4;
export const MAX_K = 10_000;
const NORM_TOLERANCE = 1e-3;
const MAX_LABEL = 0xffffffff;
/**
 * An index whose graph was built on raw embeddings because the gallery was small when it
 * was built (no projection was fitted) is rebuilt, with one, when it is opened holding more
 * than this many faces: by then the projected graph's faster search is worth a rebuild.
 */
export const PROJECT_ABOVE = 50_000;
/**
 * A projected index is rebuilt (with a new fit) when the distances between faces added
 * since the fit keep less than 1 - DRIFT_FACTOR * (1 - PROJECTION_RETAIN) of their squared
 * length in the subspace, measured over at least DRIFT_MIN_PAIRS pairs: twice the loss the
 * fit allows, so sampling noise alone does not trigger rebuilds.
 */
const DRIFT_FACTOR = 2;
const DRIFT_MIN_PAIRS = 1000;

/** Embeddings the caller's store holds for these ids, in the same order; undefined where it holds none. */
export type EmbeddingLookup = (ids: readonly number[]) => ReadonlyArray<Float32Array | undefined> | Promise<ReadonlyArray<Float32Array | undefined>>;

export interface SearchOptions {
  /** Stored embeddings for the re-rank (HNSW path) and for exhaustive search of a filter. */
  embeddings: EmbeddingLookup;
  /** HNSW beam width; more finds more at more cost. Default defaultEf(size). */
  ef?: number;
  /** Only these face ids may be returned. */
  allowed?: ReadonlySet<number>;
}

export interface SearchOutcome {
  /** Best first, cosine similarity. */
  candidates: Candidate[];
  /** 'exact': every allowed face was scored; 'hnsw': candidates from the graph, re-scored exactly. For the audit record. */
  method: 'exact' | 'hnsw';
  /** How many faces were scored exactly. */
  scored: number;
  /** Beam width used, or null for exhaustive search. */
  ef: number | null;
}

export type LoadOutcome = { status: 'loaded'; index: FaceIndex } | SealedFailure;

export interface CreateOptions {
  dim: number;
  /** Identifies the embedding space (the embedder); a saved index for another model is stale. */
  modelId: string;
  /** Initial room; the index grows as needed. */
  capacity?: number;
  m?: number;
  efConstruction?: number;
  /** Fixes the graph's random levels, for reproducible builds. */
  seed?: number;
  /** Default: defaultEngine(). */
  engine?: GraphEngine;
  /** Exhaustive search up to this many live faces (default EXACT_BELOW); benchmarks and tests move it. */
  exactBelow?: number;
  /**
   * The subspace the graph is built in (fitProjection on a sample of the gallery). Null:
   * a fit found none worth using; undefined: none was fitted. Either way the graph holds
   * the embeddings themselves.
   */
  projection?: Projection | null;
}

function checkExactBelow(n: number | undefined): number {
  if (n === undefined) return EXACT_BELOW;
  if (!Number.isInteger(n) || n < 0) throw new LoupeError('invalid_input', `exactBelow must be a whole number of faces (got ${n}).`);
  return n;
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_LABEL) {
    throw new LoupeError('invalid_input', `Face id ${id} cannot be indexed: ids are integers from 0 to ${MAX_LABEL}.`);
  }
}

/** A unit-length copy, or a clear error: the index compares by inner product, so every vector must be L2-normalised. */
function unit(v: Float32Array, dim: number, what: string): Float32Array {
  if (!(v instanceof Float32Array) || v.length !== dim) {
    throw new LoupeError('invalid_input', `${what} must be a Float32Array of ${dim} values (got ${v instanceof Float32Array ? v.length : typeof v}).`);
  }
  let ss = 0;
  for (let i = 0; i < dim; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) throw new LoupeError('invalid_input', `${what} holds a value that is not a finite number at position ${i}.`);
    ss += x * x;
  }
  const norm = Math.sqrt(ss);
  if (Math.abs(norm - 1) > NORM_TOLERANCE) {
    throw new LoupeError('invalid_input', `${what} has length ${norm.toFixed(4)}; embeddings must be L2-normalised (length 1) by the engine before indexing.`);
  }
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = v[i]! / norm;
  return out;
}

/** How the graph holds faces: the embeddings themselves, or their projections. */
type GraphSpace = { space: 'raw' | 'raw-declined' } | { space: 'projected'; projection: Projection };

function checkProjection(p: Projection, dim: number): void {
  if (p.dim !== dim || !Number.isInteger(p.d) || p.d < 1 || p.d > dim || !(p.basis instanceof Float32Array) || p.basis.length !== p.d * dim) {
    throw new LoupeError('invalid_input', `The projection must map ${dim}-D embeddings to between 1 and ${dim} dimensions with a basis of d x ${dim} values.`);
  }
  if (!(p.retained > 0 && p.retained <= 1)) throw new LoupeError('invalid_input', `The projection's retained share must be above 0 and at most 1 (got ${p.retained}).`);
  if (!p.basis.every(Number.isFinite)) throw new LoupeError('invalid_input', 'The projection basis holds a value that is not a finite number.');
}

/** Why a saved index whose faces are current should still be rebuilt, for its graph's space; null when it need not be. */
function staleBecause(p: SealedProjection, liveCount: number): string | null {
  if (p.space === 'raw' && liveCount > PROJECT_ABOVE) {
    return `The face index holds ${liveCount} faces in a graph built without a projection; above ${PROJECT_ABOVE} it is rebuilt with one, for faster search.`;
  }
  if (p.space === 'projected' && p.driftPairs >= DRIFT_MIN_PAIRS && p.driftFull > 0) {
    const keeps = p.driftProjected / p.driftFull;
    if (keeps < 1 - DRIFT_FACTOR * (1 - PROJECTION_RETAIN)) {
      return `The faces added since the projection was fitted keep only ${keeps.toFixed(4)} of their variance in it; it is refitted.`;
    }
  }
  return null;
}

/** Sums over pairs of consecutively added faces: |x - y|^2 and |Px - Py|^2. */
interface Drift {
  pairs: number;
  full: number;
  projected: number;
}

export class FaceIndex {
  private flat: FlatGallery | null = null;
  private saving = false;
  /** The last face added, and its projection, to pair with the next one for the drift measure. */
  private lastAdded: { v: Float32Array; p: Float32Array } | null = null;
  /** Counts changes, so a copy made across an await can tell it may be out of date. */
  private changes = 0;

  private constructor(
    private readonly hnsw: Graph,
    readonly dim: number,
    readonly modelId: string,
    private readonly live: Set<number>,
    private readonly deleted: Set<number>,
    readonly exactBelow: number,
    private readonly graph: GraphSpace,
    private readonly drift: Drift,
  ) {}

  static create(o: CreateOptions): FaceIndex {
    if (!Number.isInteger(o.dim) || o.dim < 1 || o.dim > 4096) throw new LoupeError('invalid_input', `Embedding size ${o.dim} is not between 1 and 4096.`);
    if (typeof o.modelId !== 'string' || o.modelId.length === 0) throw new LoupeError('invalid_input', 'A face index needs the id of the model that made its embeddings.');
    if (o.projection) checkProjection(o.projection, o.dim);
    const graph: GraphSpace = o.projection ? { space: 'projected', projection: o.projection } : { space: o.projection === null ? 'raw-declined' : 'raw' };
    const shape = {
      metric: o.projection ? ('l2' as const) : ('ip' as const),
      dims: o.projection ? o.projection.d : o.dim,
      capacity: Math.max(16, o.capacity ?? 1024),
      m: o.m ?? HNSW_M,
      efConstruction: o.efConstruction ?? HNSW_EF_CONSTRUCTION,
      seed: o.seed ?? 100,
    };
    const hnsw = (o.engine ?? defaultEngine()) === 'native' ? NativeGraph.create(shape) : HnswGraph.create(shape);
    const index = new FaceIndex(hnsw, o.dim, o.modelId, new Set(), new Set(), checkExactBelow(o.exactBelow), graph, { pairs: 0, full: 0, projected: 0 });
    index.flat = new FlatGallery(o.dim);
    return index;
  }

  /**
   * Opens an index saved by `save`. Anything but 'loaded' means: rebuild from the store
   * (with progress) and save again; `reason` says why, for the log.
   */
  static async load(
    file: string,
    key: Buffer,
    expect: { modelId: string; dim: number; expectedCount: number },
    o: { ramDir?: string; exactBelow?: number; engine?: GraphEngine } = {},
  ): Promise<LoadOutcome> {
    const exactBelow = checkExactBelow(o.exactBelow);
    const ramDir = o.ramDir ?? DEFAULT_RAM_DIR;
    const engine = o.engine ?? defaultEngine(ramDir);
    // The graph's space, from the header, before the graph is read.
    let metric: 'ip' | 'l2' = 'ip';
    let dims = expect.dim;
    const read = await readSealed<Graph | string>({
      file,
      key,
      ramDir,
      expect: { modelId: expect.modelId, dim: expect.dim, liveCount: expect.expectedCount },
      staleBecause: (header) => {
        if (header.projection.space === 'projected') {
          metric = 'l2';
          dims = header.projection.dims;
        }
        return staleBecause(header.projection, header.liveCount);
      },
      readPlain:
        engine === 'native'
          ? { file: (plainPath) => NativeGraph.read(plainPath, metric, dims) }
          : {
              bytes: (plain) => {
                try {
                  return HnswGraph.fromBytes(plain, metric, dims);
                } catch (e) {
                  return e instanceof Error ? e.message : String(e);
                }
              },
            },
    });
    if (read.status !== 'loaded') return read;
    const hnsw = read.value;
    if (typeof hnsw === 'string') return { status: 'unreadable', reason: `The face index is authentic but ${hnsw}.` };
    const p = read.header.projection;
    if (hnsw.dims !== (p.space === 'projected' ? p.dims : expect.dim)) return { status: 'unreadable', reason: 'The face index dimensions do not match its header.' };
    let graph: GraphSpace;
    if (p.space === 'projected') {
      const projection: Projection = { d: p.dims, dim: expect.dim, basis: read.basis!, retained: p.retained };
      if (!projection.basis.every(Number.isFinite)) return { status: 'unreadable', reason: 'The face index projection holds a value that is not a finite number.' };
      graph = { space: 'projected', projection };
    } else {
      graph = { space: p.space };
    }
    const deleted = new Set(read.deleted);
    const live = new Set<number>();
    for (const id of hnsw.labels()) if (!deleted.has(id)) live.add(id);
    if (live.size !== read.header.liveCount) {
      return { status: 'unreadable', reason: `The face index holds ${live.size} faces where its header says ${read.header.liveCount}.` };
    }
    const drift = { pairs: p.driftPairs, full: p.driftFull, projected: p.driftProjected };
    return { status: 'loaded', index: new FaceIndex(hnsw, expect.dim, expect.modelId, live, deleted, exactBelow, graph, drift) };
  }

  /** Where the graph lives. */
  get engine(): GraphEngine {
    return this.hnsw instanceof NativeGraph ? 'native' : 'memory';
  }

  /** The subspace the graph is built in; null when it holds the embeddings themselves. */
  get projection(): Projection | null {
    return this.graph.space === 'projected' ? this.graph.projection : null;
  }

  /** The share of squared distance between faces added since the fit that the projection keeps (null: not projected, or nothing measured yet). */
  get projectionKeeps(): number | null {
    return this.graph.space === 'projected' && this.drift.full > 0 ? this.drift.projected / this.drift.full : null;
  }

  /** Live (not deleted) faces. */
  get size(): number {
    return this.live.size;
  }

  /** Deleted faces still holding a slot in the graph; a rebuild reclaims them. */
  get deletedCount(): number {
    return this.deleted.size;
  }

  has(id: number): boolean {
    return this.live.has(id);
  }

  private assertWritable(): void {
    if (this.saving) throw new LoupeError('conflict', 'The face index is being saved; add or remove faces when the save has finished.');
  }

  /** Adds a face, or replaces the embedding of one already indexed. */
  add(id: number, embedding: Float32Array): void {
    this.assertWritable();
    checkId(id);
    const v = unit(embedding, this.dim, `The embedding of face ${id}`);
    // Deleted faces keep their slot, and re-adding one reuses it; only new ids take room (each graph grows as needed).
    this.hnsw.add(id, this.inGraph(v, true));
    this.changes++;
    this.deleted.delete(id);
    this.live.add(id);
    if (this.flat !== null) {
      if (this.live.size <= this.exactBelow) this.flat.set(id, v);
      else this.flat = null;
    }
  }

  /** Removes a face from every later search. False when it was not indexed. */
  markDeleted(id: number): boolean {
    this.assertWritable();
    checkId(id);
    if (!this.live.has(id)) return false;
    this.hnsw.markDeleted(id);
    this.changes++;
    this.live.delete(id);
    this.deleted.add(id);
    this.flat?.remove(id);
    return true;
  }

  /**
   * A unit embedding as the graph holds it. `added`: it is a face being indexed, and its
   * distance to the previous one (both in full and projected) joins the drift measure.
   */
  private inGraph(v: Float32Array, added = false): Float32Array {
    if (this.graph.space !== 'projected') return v;
    const p = project(this.graph.projection, v);
    if (added) {
      const last = this.lastAdded;
      if (last !== null) {
        let full = 0;
        let projected = 0;
        for (let i = 0; i < v.length; i++) full += (v[i]! - last.v[i]!) ** 2;
        for (let i = 0; i < p.length; i++) projected += (p[i]! - last.p[i]!) ** 2;
        this.drift.pairs++;
        this.drift.full += full;
        this.drift.projected += projected;
      }
      this.lastAdded = { v, p };
    }
    return p;
  }

  /**
   * The exhaustive copy for small galleries, made after a load or a shrink: from the graph's
   * own vectors when it holds the embeddings, from the store's when it holds projections
   * (exhaustive search must score the embeddings, never their projections).
   */
  private async flatGallery(embeddings: EmbeddingLookup): Promise<FlatGallery> {
    if (this.flat === null) {
      const flat = new FlatGallery(this.dim, this.live.size);
      if (this.graph.space !== 'projected') {
        for (const id of this.live) flat.set(id, this.hnsw.point(id));
        this.flat = flat;
        return flat;
      }
      const before = this.changes;
      const ids = [...this.live];
      const vectors = await embeddings(ids);
      if (vectors.length !== ids.length) throw new LoupeError('internal', `The embedding lookup returned ${vectors.length} embeddings for ${ids.length} faces.`);
      ids.forEach((id, i) => {
        const v = vectors[i];
        // A face the store no longer holds is not a candidate (as in the re-rank), nor one removed meanwhile.
        if (v === undefined || !this.live.has(id)) return;
        if (v.length !== this.dim) throw new LoupeError('integrity', `The stored embedding of face ${id} has ${v.length} values where the index holds ${this.dim}: rebuild the face index.`);
        flat.set(id, unit(v, this.dim, `The stored embedding of face ${id}`));
      });
      // Faces added while the store was read are not in this copy: it serves this search only.
      if (this.changes !== before) return flat;
      this.flat = flat;
    }
    return this.flat;
  }

  async search(query: Float32Array, k: number, o: SearchOptions): Promise<SearchOutcome> {
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new LoupeError('invalid_input', `The number of candidates must be a whole number from 1 to ${MAX_K} (got ${k}).`);
    if (o.ef !== undefined && (!Number.isInteger(o.ef) || o.ef < 1)) throw new LoupeError('invalid_input', `The search beam (ef) must be a positive whole number (got ${o.ef}).`);
    const q = unit(query, this.dim, 'The probe embedding');
    const small = this.live.size <= this.exactBelow;

    const allowed: number[] = [];
    if (o.allowed !== undefined) for (const id of o.allowed) if (this.live.has(id)) allowed.push(id);
    const excluded = this.live.size - allowed.length;
    // A filter that allows every indexed face filters nothing, and would only slow the graph walk.
    if (o.allowed !== undefined && excluded > 0) {
      const allowedSet = o.allowed;
      if (small || allowed.length <= Math.max(k, this.live.size * NARROW_FILTER_SHARE)) return this.exactAmong(q, k, allowed, o.embeddings);
      // Excluding a few faces (the probe itself, say): k + few unfiltered candidates hold the k best allowed.
      const outcome =
        excluded <= Math.max(FEW_EXCLUDED, k)
          ? await this.approximate(q, k, o, { extra: excluded, keep: (id) => allowedSet.has(id) })
          : await this.approximate(q, k, o, { filter: (id) => allowedSet.has(id) });
      // A graph walk may come back short under a filter; exhaustive search cannot.
      if (outcome.candidates.length < Math.min(k, allowed.length)) return this.exactAmong(q, k, allowed, o.embeddings);
      return outcome;
    }
    if (small) {
      const flat = await this.flatGallery(o.embeddings);
      return { candidates: flat.search(q, k), method: 'exact', scored: flat.size, ef: null };
    }
    return this.approximate(q, k, o);
  }

  private async exactAmong(q: Float32Array, k: number, allowed: number[], embeddings: EmbeddingLookup): Promise<SearchOutcome> {
    if (this.live.size <= this.exactBelow) {
      const { candidates, scored } = (await this.flatGallery(embeddings)).searchAmong(q, k, allowed);
      return { candidates, method: 'exact', scored, ef: null };
    }
    const { candidates, scored } = await this.rescore(q, k, allowed, embeddings);
    return { candidates, method: 'exact', scored, ef: null };
  }

  /**
   * Graph candidates, re-scored. `filter` restricts the walk itself; `extra` widens an
   * unfiltered walk by that many candidates and `keep` then drops the ones not wanted.
   */
  private async approximate(
    q: Float32Array,
    k: number,
    o: SearchOptions,
    how: { filter?: (id: number) => boolean; extra?: number; keep?: (id: number) => boolean } = {},
  ): Promise<SearchOutcome> {
    const pool = RERANK_FACTOR * (k + (how.extra ?? 0));
    const ef = Math.max(o.ef ?? defaultEf(this.live.size), pool);
    const found = this.hnsw.search(this.inGraph(q), pool, ef, how.filter);
    const ids = how.keep ? found.filter(how.keep) : found;
    const { candidates, scored } = await this.rescore(q, k, ids, o.embeddings);
    return { candidates, method: 'hnsw', scored, ef };
  }

  /** Exact similarity with the store's embeddings; ids the store or the index no longer holds are dropped. */
  private async rescore(q: Float32Array, k: number, ids: readonly number[], embeddings: EmbeddingLookup): Promise<{ candidates: Candidate[]; scored: number }> {
    const vectors = await embeddings(ids);
    if (vectors.length !== ids.length) {
      throw new LoupeError('internal', `The embedding lookup returned ${vectors.length} embeddings for ${ids.length} faces.`);
    }
    const top = new TopK(k);
    let scored = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const v = vectors[i];
      if (v === undefined || !this.live.has(id)) continue;
      if (v.length !== this.dim) {
        throw new LoupeError('integrity', `The stored embedding of face ${id} has ${v.length} values where the index holds ${this.dim}: rebuild the face index.`);
      }
      scored++;
      top.push(id, similarity(q, v));
    }
    return { candidates: top.result(), scored };
  }

  /**
   * Runs WARM_SEARCHES searches with faces of the index as probes, spread over it, so the
   * first search someone makes after the case opens does not also pay for what a first
   * search sets up: the exhaustive copy of a small gallery, the graph's and the store's
   * pages not yet read since opening, code not yet compiled. Yields between searches, and
   * stops early when `stop` says so (the case is closing). Returns the searches run.
   */
  async warm(o: { embeddings: EmbeddingLookup; stop?: () => boolean; searches?: number }): Promise<number> {
    const n = Math.min(o.searches ?? WARM_SEARCHES, this.live.size);
    if (n === 0) return 0;
    const step = this.live.size / n;
    const picked: number[] = [];
    let i = 0;
    for (const id of this.live) if (i++ >= picked.length * step) picked.push(id);
    const probes = await o.embeddings(picked);
    let done = 0;
    for (const v of probes) {
      if (o.stop?.()) break;
      if (v === undefined || v.length !== this.dim) continue;
      await this.search(v, WARM_K, { embeddings: o.embeddings });
      done++;
      await yieldToEventLoop();
    }
    return done;
  }

  /**
   * Saves the index encrypted under the case data key (atomic replace). A native graph
   * throws LoupeError('unavailable') where no RAM-backed folder exists (then it is rebuilt
   * on open); a graph in memory is saved on every OS. Adding and removing faces waits for
   * the save to finish.
   */
  async save(file: string, key: Buffer, o: { ramDir?: string } = {}): Promise<{ bytes: number }> {
    this.assertWritable();
    this.saving = true;
    try {
      const graph = this.hnsw;
      const used = graph.size;
      const p = this.projection;
      const projection: SealedProjection = p
        ? { space: 'projected', dims: p.d, retained: p.retained, driftPairs: Math.min(this.drift.pairs, 0xffffffff), driftFull: this.drift.full, driftProjected: this.drift.projected }
        : { space: this.graph.space, dims: 0, retained: 0, driftPairs: 0, driftFull: 0, driftProjected: 0 };
      return await writeSealed({
        file,
        key,
        ramDir: o.ramDir ?? DEFAULT_RAM_DIR,
        header: { dim: this.dim, liveCount: this.live.size, deletedCount: this.deleted.size, projection, modelId: this.modelId },
        deleted: [...this.deleted],
        basis: p?.basis ?? null,
        plain:
          graph instanceof HnswGraph
            ? { bytes: graph.byteLength, chunks: () => graph.bytes() }
            : {
                // Per face: vector, label, 2M level-0 links and about M/ln(M) upper-level ones; room for 128 links covers M=32.
                estimatedBytes: 4096 + used * ((p?.d ?? this.dim) * 4 + 4 * 128 + 16) * 1.1,
                write: async (plainPath) => {
                  await graph.write(plainPath);
                  await checkHnswFile(plainPath, used);
                },
              },
      });
    } finally {
      this.saving = false;
    }
  }
}

export interface FaceEmbedding {
  id: number;
  embedding: Float32Array;
}

export interface RebuildOptions {
  dim: number;
  modelId: string;
  /** How many faces to expect (for progress, to size the index at once, and to decide whether to fit a projection). */
  expectedCount?: number;
  onProgress?: (done: number, total: number | undefined) => void;
  signal?: AbortSignal;
  m?: number;
  efConstruction?: number;
  exactBelow?: number;
  engine?: GraphEngine;
}

/** The longest a loop of graph work computes before it lets other work run: adding one face costs milliseconds in a large graph. */
const SLICE_MS = 20;

/**
 * For long synchronous loops in the process that serves the UI: call the returned function
 * between steps; once SLICE_MS have passed since other work last ran, it yields to the event
 * loop and resolves true (a moment to report progress), else it resolves false at once.
 */
export function eventLoopSlices(): () => Promise<boolean> {
  let start = performance.now();
  return async () => {
    if (performance.now() - start < SLICE_MS) return false;
    await yieldToEventLoop();
    start = performance.now();
    return true;
  };
}

/**
 * Builds an index from the store's faces. When the gallery is large enough to be searched
 * through the graph, the first PROJECTION_SAMPLE faces are held back to fit the projection
 * (in a worker thread: seconds of CPU), then added.
 * Yields to the event loop every SLICE_MS so the app stays responsive (insertion
 * is synchronous), reports progress (faces added) as it does, and stops with
 * LoupeError('cancelled') when the signal aborts.
 */
export async function rebuildFaceIndex(items: Iterable<FaceEmbedding> | AsyncIterable<FaceEmbedding>, o: RebuildOptions): Promise<FaceIndex> {
  const exactBelow = checkExactBelow(o.exactBelow);
  const create = (projection?: Projection | null) =>
    FaceIndex.create({ dim: o.dim, modelId: o.modelId, capacity: o.expectedCount, m: o.m, efConstruction: o.efConstruction, exactBelow, projection, engine: o.engine });
  // A gallery searched exhaustively never uses its graph for search: no fit for it.
  const hold = (o.expectedCount ?? 0) > exactBelow ? Math.min(o.expectedCount ?? 0, PROJECTION_SAMPLE) : 0;
  const held: FaceEmbedding[] = [];
  let index = hold === 0 ? create() : null;
  let done = 0;
  const slice = eventLoopSlices();
  const add = async (into: FaceIndex, f: FaceEmbedding) => {
    if (o.signal?.aborted) throw new LoupeError('cancelled', 'Rebuilding the face index was cancelled.');
    into.add(f.id, f.embedding);
    done++;
    // Progress is reported when other work gets its turn.
    if (await slice()) o.onProgress?.(done, o.expectedCount);
  };
  const fitOnHeld = async (): Promise<FaceIndex> => {
    const sample = new Float32Array(held.length * o.dim);
    held.forEach((f, i) => {
      if (!(f.embedding instanceof Float32Array) || f.embedding.length !== o.dim) {
        throw new LoupeError('invalid_input', `The embedding of face ${f.id} must be a Float32Array of ${o.dim} values.`);
      }
      sample.set(f.embedding, i * o.dim);
    });
    const built = create(await fitProjectionOffThread(sample, o.dim));
    for (const f of held.splice(0)) await add(built, f);
    return built;
  };
  o.onProgress?.(0, o.expectedCount);
  for await (const item of items) {
    if (o.signal?.aborted) throw new LoupeError('cancelled', 'Rebuilding the face index was cancelled.');
    if (index !== null) await add(index, item);
    else {
      held.push(item);
      if (held.length >= hold) index = await fitOnHeld();
    }
  }
  // The store held fewer faces than it said.
  index ??= held.length > 0 ? await fitOnHeld() : create();
  o.onProgress?.(done, o.expectedCount);
  return index;
}
