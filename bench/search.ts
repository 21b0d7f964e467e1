/**
 * Face search at scale: the encrypted HNSW face index (src/main/face-index) over a gallery
 * of every real face of the data folder plus synthetic distractors (bench/_search/synthetic.ts:
 * by default a mixture of Gaussians fitted to clusters of the real embeddings, re-normalised;
 * the impostor score distributions of both synthetic models are compared with the real
 * one and written out), per gallery size:
 * projection fit (on the first PROJECTION_SAMPLE gallery faces, as a rebuild does: kept
 * dimensions, retained variance, fit time), build time, encrypted file size, open time
 * (decrypt + readIndex), RSS, query latency,
 * recall@10/@50 against exhaustive search, mate rank-1 (one photo of each person with two or
 * more is the probe, the others stay hidden among the distractors), and the time of the
 * exhaustive search itself, and the first queries after opening (the first 50 probes at the
 * default beam, before any other query) without and with FaceIndex.warm(), which the product
 * runs in the background after opening a case, against the warm p95. Build and query run in
 * child processes so each one's RSS is its own (the warmed open in a process of its own); the
 * query child re-scores candidates from the embeddings on disk, like the case store.
 *   node dist/bench-search.js [--sizes 10000,100000,1000000] [--data DIR] [--pack NAME]
 *     [--models-dir DIR] [--json FILE] [--workers N] [--probes N] [--ef 200,400,800,1600]
 *     [--m 32] [--ef-construction 200] [--synthetic mixture|gaussian] [--clusters 64] [--cache DIR] [--seed N]
 *     [--projection on|off]   (off: the graph on raw embeddings, for a comparison in the same conditions)
 *     [--engine native,memory] (how the saved index is opened and searched: hnswlib through a RAM
 *       folder, or the graph in JavaScript memory as on macOS and Windows; it is built natively
 *       once, then opened and queried with each engine listed)
 * Prints figures; never passes or fails on them.
 */
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Candidate, EXACT_BELOW, FaceIndex, HNSW_EF_CONSTRUCTION, HNSW_M, PROJECTION_SAMPLE, RERANK_FACTOR, exactTopK, fitProjectionOffThread, type GraphEngine } from '../src/main/face-index';
import { similarity } from '../src/shared';
import { machine, parseArgs, writeJson } from './_lib';
import { loadRealFaces } from './_search/real-faces';
import { type SyntheticModel, fitGaussian, fitMixture, ksDistance, randomSource, sampleRows, summarise } from './_search/synthetic';

const USAGE =
  'usage: search [--sizes 10000,100000,1000000] [--data DIR] [--pack NAME] [--models-dir DIR] [--json FILE] [--workers N] [--probes N] [--ef 200,400,800,1600] [--m N] [--ef-construction N] [--synthetic mixture|gaussian] [--clusters N] [--cache DIR] [--seed N] [--projection on|off] [--engine native,memory]';
const K = 50;
const DISTRIBUTION_PAIRS = 300_000;
/** Rows drawn from the model not used, only to compare its score distribution. */
const COMPARISON_ROWS = 20_000;

interface Options {
  sizes: number[];
  probes: number;
  efs: number[];
  m: number;
  efConstruction: number;
  cache: string;
  seed: number;
  synthetic: 'mixture' | 'gaussian';
  clusters: number;
  projection: boolean;
  engines: GraphEngine[];
}

function splitArgs(argv: string[]): { mine: Options; rest: string[] } {
  const mine: Options = { sizes: [10_000, 100_000, 1_000_000], probes: 500, efs: [400, 800, 1600, 3200], m: HNSW_M, efConstruction: HNSW_EF_CONSTRUCTION, cache: path.join(tmpdir(), 'loupe-search-bench'), seed: 1, synthetic: 'mixture', clusters: 64, projection: true, engines: ['native'] };
  const rest: string[] = [];
  const list = (v: string, what: string) => {
    const xs = v.split(',').map(Number);
    if (xs.some((x) => !Number.isInteger(x) || x <= 0)) throw new Error(`${what} takes positive whole numbers separated by commas\n${USAGE}`);
    return xs;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    const take = () => {
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      i++;
      return v;
    };
    if (a === '--sizes') mine.sizes = list(take(), a);
    else if (a === '--probes') mine.probes = list(take(), a)[0]!;
    else if (a === '--ef') mine.efs = list(take(), a);
    else if (a === '--m') mine.m = list(take(), a)[0]!;
    else if (a === '--ef-construction') mine.efConstruction = list(take(), a)[0]!;
    else if (a === '--seed') mine.seed = list(take(), a)[0]!;
    else if (a === '--cache') mine.cache = path.resolve(take());
    else if (a === '--clusters') mine.clusters = list(take(), a)[0]!;
    else if (a === '--projection') {
      const on = take();
      if (on !== 'on' && on !== 'off') throw new Error(`--projection is on or off\n${USAGE}`);
      mine.projection = on === 'on';
    }
    else if (a === '--engine') {
      const engines = take().split(',');
      if (engines.some((e) => e !== 'native' && e !== 'memory')) throw new Error(`--engine lists native and/or memory\n${USAGE}`);
      mine.engines = engines as GraphEngine[];
    }
    else if (a === '--synthetic') {
      const kind = take();
      if (kind !== 'mixture' && kind !== 'gaussian') throw new Error(`--synthetic is mixture or gaussian\n${USAGE}`);
      mine.synthetic = kind;
    }
    else rest.push(a);
  }
  return { mine, rest };
}

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const log = (s: string) => process.stderr.write(`${s}\n`);

/**
 * Peak resident memory of this process since it started, in MB. getrusage's maxrss is no
 * use in a child: Linux carries it across fork+exec, so it reports the parent's size.
 * VmHWM belongs to the process image, so it starts afresh at exec.
 */
function peakRssMb(): number {
  const hwm = existsSync('/proc/self/status') ? /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8')) : null;
  return Math.round((hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024);
}

/** Rows of a float32 file, read in chunks (files over 2 GB cannot be read in one call). */
function readRows(file: string, dim: number, count: number): Float32Array {
  const out = new Float32Array(count * dim);
  const bytes = new Uint8Array(out.buffer);
  const fd = openSync(file, 'r');
  try {
    for (let pos = 0; pos < bytes.length; ) {
      const n = readSync(fd, bytes, pos, Math.min(64 << 20, bytes.length - pos), pos);
      if (n === 0) throw new Error(`${file} is shorter than ${count} rows`);
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

function writeRows(file: string, rows: Float32Array): void {
  const bytes = new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength);
  const fd = openSync(file, 'w', 0o600);
  try {
    for (let pos = 0; pos < bytes.length; ) pos += writeSync(fd, bytes, pos, Math.min(64 << 20, bytes.length - pos));
  } finally {
    closeSync(fd);
  }
}

/** Reads single rows by position, as a store would fetch embeddings by id. */
class RowReader {
  private readonly fd: number;
  private readonly buf: Buffer;
  constructor(file: string, private readonly dim: number) {
    this.fd = openSync(file, 'r');
    this.buf = Buffer.alloc(dim * 4);
  }
  row(i: number): Float32Array {
    readSync(this.fd, this.buf, 0, this.buf.length, i * this.dim * 4);
    return new Float32Array(this.buf.buffer.slice(this.buf.byteOffset, this.buf.byteOffset + this.buf.length));
  }
  close() {
    closeSync(this.fd);
  }
}

/** Gallery ids 0..real-1 are real faces (by row of the real file), the rest synthetic rows in order. */
interface GalleryFiles {
  realFile: string;
  syntheticFile: string;
  realRows: number[];
  dim: number;
}

function galleryRow(files: GalleryFiles, real: RowReader, synthetic: RowReader, id: number): Float32Array {
  return id < files.realRows.length ? real.row(files.realRows[id]!) : synthetic.row(id - files.realRows.length);
}

interface BuildJob {
  kind: 'build';
  files: GalleryFiles;
  size: number;
  modelId: string;
  m: number;
  efConstruction: number;
  projection: boolean;
  indexFile: string;
  keyHex: string;
}
interface BuildResult {
  /** Dimensions of the graph's projection; null when the fit found no subspace worth using. */
  projectionDims: number | null;
  retainedVariance: number | null;
  fitSec: number;
  /** Adding every face to the graph, the fit excluded. */
  buildSec: number;
  saveSec: number;
  indexBytes: number;
  buildRssMb: number;
}

async function buildPhase(job: BuildJob): Promise<BuildResult> {
  const { files, size } = job;
  const real = new RowReader(files.realFile, files.dim);
  const synthetic = new RowReader(files.syntheticFile, files.dim);
  // As rebuildFaceIndex does: fit on the first faces of the gallery, then build on the projection.
  const tFit = performance.now();
  const fitRows = job.projection ? Math.min(size, PROJECTION_SAMPLE) : 0;
  const sample = new Float32Array(fitRows * files.dim);
  for (let id = 0; id < fitRows; id++) sample.set(galleryRow(files, real, synthetic, id), id * files.dim);
  // Off: built as if a fit had found no subspace (null), so loading does not call it stale.
  const projection = job.projection ? await fitProjectionOffThread(sample, files.dim) : null;
  const fitSec = (performance.now() - tFit) / 1000;
  log(`    projection: ${projection ? `${projection.d} dimensions keep ${projection.retained.toFixed(5)} of the variance` : 'none'} (fit on ${fitRows} faces in ${fitSec.toFixed(1)} s)`);
  const index = FaceIndex.create({ dim: files.dim, modelId: job.modelId, capacity: size, m: job.m, efConstruction: job.efConstruction, exactBelow: 0, projection, engine: 'native' });
  const t0 = performance.now();
  for (let id = 0; id < size; id++) {
    index.add(id, galleryRow(files, real, synthetic, id));
    if (id % 50_000 === 49_999) log(`    built ${id + 1}/${size} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const buildSec = (performance.now() - t0) / 1000;
  real.close();
  synthetic.close();
  const t1 = performance.now();
  const { bytes } = await index.save(job.indexFile, Buffer.from(job.keyHex, 'hex'));
  return {
    projectionDims: projection?.d ?? null, retainedVariance: projection ? round(projection.retained, 5) : null, fitSec,
    buildSec, saveSec: (performance.now() - t1) / 1000, indexBytes: bytes, buildRssMb: peakRssMb(),
  };
}

interface QueryJob {
  kind: 'query';
  files: GalleryFiles;
  size: number;
  modelId: string;
  indexFile: string;
  keyHex: string;
  probes: number[][];
  truth: number[][];
  probeIdentity: string[];
  engine: GraphEngine;
  /** Identity of gallery ids below files.realRows.length (null: unknown, a group photo face). */
  galleryIdentity: (string | null)[];
  efs: number[];
  /** Run FaceIndex.warm() after opening, as the product does in the background, before the first queries. */
  warm: boolean;
  /** Only the first queries after opening (for the run with warm()). */
  firstOnly: boolean;
}
interface EfRun {
  ef: number;
  /** The beam FaceIndex picks by itself (defaultEf) rather than one set by the sweep. */
  productDefault: boolean;
  p50Ms: number;
  p95Ms: number;
  recallAt10: number;
  recallAt50: number;
  mateRank1: number;
}
/** The first queries after opening, at the default beam. */
interface FirstPass {
  queries: number;
  warmed: boolean;
  /** How long warm() took, when run. */
  warmSec: number | null;
  p50Ms: number;
  p95Ms: number;
}
interface QueryResult {
  openSec: number;
  openRssMb: number;
  rssMb: number;
  firstPass: FirstPass;
  runs: EfRun[];
}
/** Queries timed as the first ones after opening. */
const FIRST_QUERIES = 50;

async function queryPhase(job: QueryJob): Promise<QueryResult> {
  const { files } = job;
  const t0 = performance.now();
  const loaded = await FaceIndex.load(job.indexFile, Buffer.from(job.keyHex, 'hex'), { modelId: job.modelId, dim: files.dim, expectedCount: job.size }, { exactBelow: 0, engine: job.engine });
  const openSec = (performance.now() - t0) / 1000;
  if (loaded.status !== 'loaded') throw new Error(`index did not load: ${loaded.status}: ${loaded.reason}`);
  const openRssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const index = loaded.index;
  const real = new RowReader(files.realFile, files.dim);
  const synthetic = new RowReader(files.syntheticFile, files.dim);
  const embeddings = (ids: readonly number[]) => ids.map((id) => galleryRow(files, real, synthetic, id));
  const probes = job.probes.map((p) => Float32Array.from(p));
  let warmSec: number | null = null;
  if (job.warm) {
    const tw = performance.now();
    await index.warm({ embeddings });
    warmSec = (performance.now() - tw) / 1000;
  }
  // The first queries someone makes after the case opens, at the product's default beam (before any other query here).
  const firstMs: number[] = [];
  for (const p of probes.slice(0, FIRST_QUERIES)) {
    const t = performance.now();
    await index.search(p, K, { embeddings });
    firstMs.push(performance.now() - t);
  }
  const firstPass: FirstPass = { queries: firstMs.length, warmed: job.warm, warmSec: warmSec === null ? null : round(warmSec, 3), p50Ms: round(quantile(firstMs, 0.5), 2), p95Ms: round(quantile(firstMs, 0.95), 2) };
  if (job.firstOnly) return { openSec, openRssMb, rssMb: peakRssMb(), firstPass, runs: [] };
  const runs: EfRun[] = [];
  for (const p of probes.slice(0, 20)) await index.search(p, K, { embeddings, ef: job.efs[0] });
  for (const asked of [undefined, ...job.efs]) {
    let ef = 0;
    const times: number[] = [];
    let r10 = 0;
    let r50 = 0;
    let mates = 0;
    for (let i = 0; i < probes.length; i++) {
      const t = performance.now();
      const outcome = await index.search(probes[i]!, K, asked === undefined ? { embeddings } : { embeddings, ef: asked });
      times.push(performance.now() - t);
      const candidates = outcome.candidates;
      ef = outcome.ef ?? 0;
      const truth = job.truth[i]!;
      const got = candidates.map((c) => c.id);
      const t10 = new Set(truth.slice(0, 10));
      const t50 = new Set(truth.slice(0, K));
      r10 += got.slice(0, 10).filter((id) => t10.has(id)).length / Math.min(10, truth.length);
      r50 += got.filter((id) => t50.has(id)).length / Math.min(K, truth.length);
      const top = got[0];
      if (top !== undefined && top < files.realRows.length && job.galleryIdentity[top] === job.probeIdentity[i]) mates++;
    }
    runs.push({ ef, productDefault: asked === undefined, p50Ms: round(quantile(times, 0.5), 2), p95Ms: round(quantile(times, 0.95), 2), recallAt10: round(r10 / probes.length, 4), recallAt50: round(r50 / probes.length, 4), mateRank1: round(mates / probes.length, 4) });
  }
  real.close();
  synthetic.close();
  return { openSec, openRssMb, rssMb: peakRssMb(), firstPass, runs };
}

function runChild<T>(job: BuildJob | QueryJob): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1]!, ['--phase', job.kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: T | undefined;
    child.on('message', (m: { ok: true; value: T } | { ok: false; error: string }) => {
      if (m.ok) result = m.value;
      else reject(new Error(m.error));
    });
    child.on('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`${job.kind} child exited with ${code}`))));
    child.send(job);
  });
}

function childMain(): void {
  process.once('message', (job: BuildJob | QueryJob) => {
    const run = job.kind === 'build' ? buildPhase(job) : queryPhase(job);
    run.then(
      (value) => process.send!({ ok: true, value }, undefined, {}, () => process.exit(0)),
      (e: unknown) => process.send!({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }, undefined, {}, () => process.exit(1)),
    );
  });
}

/** Exhaustive top-K over real gallery rows and the synthetic prefix, merged. */
function exactTruth(q: Float32Array, realMatrix: Float32Array, realIds: Float64Array, synth: Float32Array, synthIds: Float64Array): Candidate[] {
  const a = exactTopK(q, realMatrix, realIds, K);
  const b = synthIds.length > 0 ? exactTopK(q, synth.subarray(0, synthIds.length * q.length), synthIds, K) : [];
  return [...a, ...b].sort((x, y) => y.score - x.score || x.id - y.id).slice(0, K);
}

async function main(): Promise<void> {
  const { mine, rest } = splitArgs(process.argv.slice(2));
  const args = await parseArgs(rest, USAGE);
  const pack = args.packs[0]!;
  mkdirSync(mine.cache, { recursive: true, mode: 0o700 });
  log(`machine: ${JSON.stringify(machine())}`);

  const real = await loadRealFaces(args, pack, mine.cache);
  const dim = real.dim;
  const n = real.faces.length;
  const realFile = path.join(mine.cache, `real-rows-${process.pid}.f32`);
  writeRows(realFile, real.embeddings);
  log(`real faces: ${n} (${real.faces.filter((f) => f.identity).length} labelled), ${real.imagesWithoutFace} images without a face${real.fromCache ? ' (from cache)' : ''}`);

  // Probes: the first photo of each person with two or more; the rest of them stay in the gallery.
  const byIdentity = new Map<string, number[]>();
  real.faces.forEach((f, i) => f.identity && (byIdentity.get(f.identity) ?? byIdentity.set(f.identity, []).get(f.identity)!).push(i));
  const eligible = [...byIdentity.values()].filter((rows) => rows.length >= 2).map((rows) => rows[0]!);
  const g = randomSource(mine.seed);
  const shuffled = eligible.map((r) => ({ r, k: g.uniform() })).sort((a, b) => a.k - b.k).map((x) => x.r);
  const probeRows = shuffled.slice(0, mine.probes).sort((a, b) => a - b);
  const probeSet = new Set(probeRows);
  const realRows = real.faces.map((_, i) => i).filter((i) => !probeSet.has(i));
  const R = realRows.length;
  log(`probes: ${probeRows.length} of ${eligible.length} people with two or more photos; real gallery faces: ${R}`);

  // Synthetic distractors, cached by model, data and seed.
  const maxSize = Math.max(...mine.sizes);
  const need = Math.max(0, maxSize - R);
  const fit = (kind: 'mixture' | 'gaussian') => (kind === 'mixture' ? fitMixture(real.embeddings, dim, mine.clusters, mine.seed) : fitGaussian(real.embeddings, dim));
  const model: SyntheticModel = fit(mine.synthetic);
  const modelTag = mine.synthetic === 'mixture' ? `mixture${mine.clusters}` : 'gaussian';
  const synthFile = path.join(mine.cache, `synthetic-${real.modelId.replace(/[^A-Za-z0-9]/g, '_')}-${n}-${modelTag}-${mine.seed}.f32`);
  let synth: Float32Array;
  const cachedRows = existsSync(synthFile) ? statSync(synthFile).size / (dim * 4) : 0;
  if (cachedRows >= need && cachedRows > 0) {
    synth = readRows(synthFile, dim, need);
    log(`synthetic distractors (${modelTag}): ${need} rows from ${synthFile}`);
  } else {
    synth = new Float32Array(Math.max(1, need) * dim);
    const t = performance.now();
    sampleRows(model, synth, mine.seed + 1, (done) => done % 100_000 === 0 && log(`  drew ${done}/${need} synthetic faces`));
    writeRows(synthFile, synth);
    log(`synthetic distractors (${modelTag}): drew ${need} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }

  // How close are synthetic impostors to real ones? For the model used and, from a sample, the other one.
  const labelled = real.faces.map((f, i) => (f.identity ? i : -1)).filter((i) => i >= 0);
  const rowOf = (m: Float32Array, i: number) => m.subarray(i * dim, (i + 1) * dim);
  const randomIndex = (() => {
    let state = (mine.seed * 2654435761) >>> 0;
    return (len: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % len;
    };
  })();
  const realImp = new Float64Array(DISTRIBUTION_PAIRS);
  for (let i = 0; i < DISTRIBUTION_PAIRS; ) {
    const a = labelled[randomIndex(labelled.length)]!;
    const b = labelled[randomIndex(labelled.length)]!;
    if (real.faces[a]!.identity === real.faces[b]!.identity) continue;
    realImp[i++] = similarity(rowOf(real.embeddings, a), rowOf(real.embeddings, b));
  }
  const compare = (rows: Float32Array, count: number) => {
    const realSyn = new Float64Array(DISTRIBUTION_PAIRS);
    const synSyn = new Float64Array(DISTRIBUTION_PAIRS);
    for (let i = 0; i < DISTRIBUTION_PAIRS; i++) {
      realSyn[i] = similarity(rowOf(real.embeddings, labelled[randomIndex(labelled.length)]!), rowOf(rows, randomIndex(count)));
      const a = randomIndex(count);
      let b = randomIndex(count);
      if (b === a) b = (a + 1) % count;
      synSyn[i] = similarity(rowOf(rows, a), rowOf(rows, b));
    }
    return {
      realVsSynthetic: summarise(realSyn),
      syntheticVsSynthetic: summarise(synSyn),
      ksRealImpostorVsRealSynthetic: round(ksDistance(realImp, realSyn), 4),
      ksRealImpostorVsSyntheticSynthetic: round(ksDistance(realImp, synSyn), 4),
    };
  };
  const other = mine.synthetic === 'mixture' ? 'gaussian' : 'mixture';
  const otherRows = new Float32Array(COMPARISON_ROWS * dim);
  sampleRows(fit(other), otherRows, mine.seed + 3);
  const distributions = {
    realImpostor: summarise(realImp),
    [mine.synthetic]: { used: true, ...(need >= 2 ? compare(synth, need) : {}) },
    [other]: { used: false, rows: COMPARISON_ROWS, ...compare(otherRows, COMPARISON_ROWS) },
  };
  log(`impostor score distributions: ${JSON.stringify(distributions, null, 1)}`);

  const realMatrix = new Float32Array(R * dim);
  realRows.forEach((r, i) => realMatrix.set(rowOf(real.embeddings, r), i * dim));
  const files: GalleryFiles = { realFile, syntheticFile: synthFile, realRows, dim };
  const probes = probeRows.map((r) => rowOf(real.embeddings, r));
  const probeIdentity = probeRows.map((r) => real.faces[r]!.identity!);
  const galleryIdentity = realRows.map((r) => real.faces[r]!.identity);
  const workDir = path.join(mine.cache, `run-${process.pid}`);
  mkdirSync(workDir, { recursive: true, mode: 0o700 });

  const results: Record<string, unknown>[] = [];
  try {
    for (const size of mine.sizes) {
      const realHere = Math.min(size, R);
      const synthHere = size - realHere;
      log(`\n== gallery of ${size} faces (${realHere} real, ${synthHere} synthetic)`);
      const realIds = Float64Array.from({ length: realHere }, (_, i) => i);
      const synthIds = Float64Array.from({ length: synthHere }, (_, i) => R + i);
      const realPart = realMatrix.subarray(0, realHere * dim);
      const truth: number[][] = [];
      const exactMs: number[] = [];
      let exactMates = 0;
      for (let i = 0; i < probes.length; i++) {
        const t = performance.now();
        const top = exactTruth(probes[i]!, realPart, realIds, synth, synthIds);
        exactMs.push(performance.now() - t);
        truth.push(top.map((c) => c.id));
        const first = top[0]?.id;
        if (first !== undefined && first < R && galleryIdentity[first] === probeIdentity[i]) exactMates++;
      }
      log(`  exhaustive search: p50 ${quantile(exactMs, 0.5).toFixed(1)} ms, p95 ${quantile(exactMs, 0.95).toFixed(1)} ms; mate rank-1 (exact) ${(exactMates / probes.length).toFixed(4)}`);

      const indexFile = path.join(workDir, `index-${size}.lfx`);
      const keyHex = randomBytes(32).toString('hex');
      const sizeFiles = { ...files, realRows: realRows.slice(0, realHere) };
      const built = await runChild<BuildResult>({ kind: 'build', files: sizeFiles, size, modelId: real.modelId, m: mine.m, efConstruction: mine.efConstruction, projection: mine.projection, indexFile, keyHex });
      log(`  build ${built.buildSec.toFixed(1)} s, save ${built.saveSec.toFixed(1)} s, encrypted file ${(built.indexBytes / 2 ** 20).toFixed(0)} MiB, build RSS ${built.buildRssMb} MB`);
      for (const engine of mine.engines) {
        const queryJob: QueryJob = {
          kind: 'query', files: sizeFiles, size, modelId: real.modelId, indexFile, keyHex,
          probes: probes.map((p) => Array.from(p)), truth, probeIdentity, engine, galleryIdentity: galleryIdentity.slice(0, realHere), efs: mine.efs,
          warm: false, firstOnly: false,
        };
        log(`  -- opened with the ${engine} engine`);
        const queried = await runChild<QueryResult>(queryJob);
        for (const r of queried.runs) log(`  ef ${r.ef}${r.productDefault ? ' (default)' : ''}: p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, recall@10 ${r.recallAt10}, recall@50 ${r.recallAt50}, mate rank-1 ${r.mateRank1}`);
        // Opened again in a fresh process, warmed as the product warms a case's index after opening it.
        const warmed = await runChild<QueryResult>({ ...queryJob, warm: true, firstOnly: true });
        const warmP95 = queried.runs.find((r) => r.productDefault)?.p95Ms;
        const fp = (f: FirstPass) => `p50 ${f.p50Ms} ms, p95 ${f.p95Ms} ms`;
        log(`  first ${queried.firstPass.queries} queries after opening (default beam): ${fp(queried.firstPass)}; after warm() (${warmed.firstPass.warmSec} s): ${fp(warmed.firstPass)}; warm (every probe, after 20 others): p95 ${warmP95} ms`);
        log(`  open ${queried.openSec.toFixed(2)} s (RSS after open ${queried.openRssMb} MB), query process peak RSS ${queried.rssMb} MB`);
        // What the product does by default: exhaustive search up to EXACT_BELOW faces, else the default beam.
        const hnswDefault = queried.runs.find((r) => r.productDefault)!;
        const primary =
          size <= EXACT_BELOW
            ? { method: 'exact', ef: null, p50Ms: round(quantile(exactMs, 0.5), 2), p95Ms: round(quantile(exactMs, 0.95), 2), recallAt10: 1, recallAt50: 1, mateRank1: round(exactMates / probes.length, 4) }
            : { method: 'hnsw', ...hnswDefault };
        results.push({
          size, engine, realFaces: realHere, syntheticFaces: synthHere,
          projectionDims: built.projectionDims, retainedVariance: built.retainedVariance, fitSec: round(built.fitSec, 1),
          buildSec: round(built.buildSec, 1), saveSec: round(built.saveSec, 2), openSec: round(queried.openSec, 2), indexBytes: built.indexBytes,
          rssMb: queried.rssMb, openRssMb: queried.openRssMb, buildRssMb: built.buildRssMb,
          method: primary.method, ef: primary.ef, p50Ms: primary.p50Ms, p95Ms: primary.p95Ms, recallAt10: primary.recallAt10, recallAt50: primary.recallAt50, mateRank1: primary.mateRank1,
          mateRank1Exact: round(exactMates / probes.length, 4),
          exactP50Ms: round(quantile(exactMs, 0.5), 2), exactP95Ms: round(quantile(exactMs, 0.95), 2),
          efSweep: queried.runs,
          firstPass: queried.firstPass,
          firstPassWarmed: warmed.firstPass,
        });
      }
      rmSync(indexFile, { force: true });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    rmSync(realFile, { force: true });
  }

  writeJson(args.json, {
    benchmark: 'search', machine: machine(), pack, modelId: real.modelId,
    parameters: { k: K, m: mine.m, efConstruction: mine.efConstruction, projection: mine.projection, engines: mine.engines, efs: mine.efs, rerankFactor: RERANK_FACTOR, probes: probes.length, seed: mine.seed },
    real: { faces: n, labelled: labelled.length, identities: byIdentity.size, probes: probes.length, imagesWithoutFace: real.imagesWithoutFace },
    synthetic: {
      model: modelTag,
      method:
        model.kind === 'mixture'
          ? `${model.components.length} Gaussians, one per spherical k-means cluster of the real embeddings, with the cluster's mean and covariance shrunk toward the global one, drawn in proportion to cluster size, re-normalised to unit length`
          : "one multivariate Gaussian with the real embeddings' mean and full covariance, re-normalised to unit length",
      fittedOn: model.samples,
      shrinkage: model.shrinkage,
    },
    scoreDistributions: distributions,
    /** The orchestrating process holds every real and synthetic embedding for the exhaustive reference search. */
    benchProcessPeakRssMb: peakRssMb(),
    sizes: results,
  });
}

if (process.argv.includes('--phase')) childMain();
else {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
