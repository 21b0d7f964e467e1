/**
 * Shared pieces of the face benchmarks: arguments, reading a face data folder (one folder
 * per identity, optional pairs_available.tsv), scoring metrics and writing results.
 * Benchmarks print figures and never pass or fail on them.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { AnalysedFace, AnalyseInput, ImageAnalysis } from '../../src/shared';
import { createFacePool, type FacePool } from '../../src/main/face-pool';
import { defaultModelsDir, listPacks, loadPack } from '../../src/main/models';

export interface BenchArgs {
  data: string;
  packs: string[];
  modelsDir: string;
  json?: string;
  scores?: string;
  workers: number;
  limit?: number;
  /** Values of the benchmark's own flags (those passed to parseArgs as `extra`). */
  extra: Record<string, string>;
}

export async function parseArgs(argv: string[], usage: string, extra: string[] = []): Promise<BenchArgs> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${usage}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value\n${usage}`);
    flags.set(a.slice(2), [...(flags.get(a.slice(2)) ?? []), v]);
    i++;
  }
  const known = new Set(['data', 'pack', 'models-dir', 'json', 'scores', 'workers', 'limit', ...extra]);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${usage}`);
  const one = (k: string) => flags.get(k)?.at(-1);
  const modelsDir = path.resolve(one('models-dir') ?? defaultModelsDir());
  const installed = (await listPacks(modelsDir)).map((p) => p.name);
  const packs = (flags.get('pack') ?? []).flatMap((p) => p.split(',')).filter(Boolean);
  const chosen = packs.length > 0 ? packs : ['yunet', 'default'].filter((p) => installed.includes(p));
  if (chosen.length === 0) throw new Error(`no model pack installed in ${modelsDir}: run "npx tsx models/install.ts default --models-dir ${modelsDir}"`);
  const data = path.resolve(one('data') ?? '../shared/data/faces');
  if (!existsSync(data)) throw new Error(`the data folder ${data} is absent: pass --data DIR (one folder per identity)`);
  const own = extra.flatMap((k) => (one(k) === undefined ? [] : [[k, one(k) as string]]));
  const out: BenchArgs = { data, packs: chosen, modelsDir, workers: Number(one('workers') ?? cpus().length), extra: Object.fromEntries(own) };
  if (one('json')) out.json = path.resolve(one('json') as string);
  if (one('scores')) out.scores = path.resolve(one('scores') as string);
  if (one('limit')) out.limit = Number(one('limit'));
  return out;
}

export const IMAGE_EXT = /\.(jpe?g|png|webp|tiff?|bmp|gif|heic|heif|avif|pgm|ppm)$/i;

/** A face image's bytes, as the engine takes them (it reads PGM/PPM like the other formats). */
export function readInput(file: string): AnalyseInput {
  return new Uint8Array(readFileSync(file));
}

export interface Identity {
  name: string;
  files: string[];
}

/** One folder per identity holding its images (relative paths are "<identity>/<file>"). */
export function listIdentities(dir: string): Identity[] {
  return readdirSync(dir)
    .filter((d) => statSync(path.join(dir, d)).isDirectory())
    .sort()
    .map((name) => ({
      name,
      files: readdirSync(path.join(dir, name))
        .filter((f) => IMAGE_EXT.test(f))
        .sort()
        .map((f) => `${name}/${f}`),
    }))
    .filter((i) => i.files.length > 0);
}

export interface Pair {
  a: string;
  b: string;
  same: boolean;
}

export function readPairs(file: string): Pair[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t'))
    .filter((p) => p.length >= 3 && (p[2] === '1' || p[2] === '0'))
    .map((p) => ({ a: p[0] as string, b: p[1] as string, same: p[2] === '1' }));
}

/** The face a benchmark image is about: the biggest one, favouring faces near the centre. */
export function mainFace(a: ImageAnalysis): AnalysedFace | null {
  let best: AnalysedFace | null = null;
  let bestScore = -Infinity;
  for (const f of a.faces) {
    const cx = (f.box.x + f.box.w / 2) / a.width - 0.5, cy = (f.box.y + f.box.h / 2) / a.height - 0.5;
    const s = Math.log(Math.max(1, f.box.w * f.box.h)) - 4 * Math.hypot(cx, cy);
    if (s > bestScore) {
      bestScore = s;
      best = f;
    }
  }
  return best;
}

export async function openPool(args: BenchArgs, pack: string, size = args.workers): Promise<FacePool> {
  return createFacePool({ pack: await loadPack(args.modelsDir, pack), size });
}

/**
 * Runs files through the pool with backpressure, returning each file's result (or the
 * error) in input order, with a progress line on stderr.
 */
export async function analyseAll<T>(
  pool: FacePool,
  items: string[],
  load: (item: string) => AnalyseInput,
  pick: (a: ImageAnalysis, item: string) => T,
  options: Parameters<FacePool['analyse']>[1] = { thumbnail: false },
): Promise<(T | Error)[]> {
  const out: (T | Error)[] = new Array(items.length);
  let done = 0;
  const tick = () => {
    done++;
    if (done % 200 === 0 || done === items.length) process.stderr.write(`\r  ${done}/${items.length}`);
    if (done === items.length) process.stderr.write('\n');
  };
  for (let i = 0; i < items.length; i++) {
    await pool.whenReady();
    const item = items[i] as string;
    let input: AnalyseInput;
    try {
      input = load(item);
    } catch (e) {
      out[i] = e as Error;
      tick();
      continue;
    }
    pool.analyse(input, options).then(
      (a) => {
        out[i] = pick(a, item);
        tick();
      },
      (e: Error) => {
        out[i] = e;
        tick();
      },
    );
  }
  await pool.idle();
  return out;
}

/** Equal error rate: where the false reject and false accept rates cross (genuine/impostor scores, higher = same). */
export function equalErrorRate(genuine: number[], impostor: number[]): { eer: number; threshold: number } {
  const all = [...genuine.map((s) => ({ s, g: true })), ...impostor.map((s) => ({ s, g: false }))].sort((x, y) => y.s - x.s);
  let fa = 0, tr = 0;
  let best = { eer: 1, threshold: Infinity, gap: Infinity };
  for (const p of all) {
    if (p.g) tr++;
    else fa++;
    const far = fa / impostor.length, frr = 1 - tr / genuine.length;
    const gap = Math.abs(far - frr);
    if (gap < best.gap) best = { eer: (far + frr) / 2, threshold: p.s, gap };
  }
  return { eer: best.eer, threshold: best.threshold };
}

/** True accept rate at the highest threshold whose false accept rate does not exceed `far`. */
export function tarAtFar(genuine: number[], impostor: number[], far: number): { tar: number; threshold: number; impostorsAbove: number } {
  const imp = [...impostor].sort((a, b) => b - a);
  const allowed = Math.floor(far * imp.length);
  // Accept scores strictly above the (allowed+1)-th highest impostor score.
  const threshold = imp[allowed] ?? -Infinity;
  const tar = genuine.filter((s) => s > threshold).length / genuine.length;
  return { tar, threshold, impostorsAbove: allowed };
}

/**
 * Verification accuracy by 10-fold cross-validation (the LFW protocol): the threshold is
 * chosen on nine folds and applied to the tenth. Folds follow the file's blocks (each LFW
 * fold is a run of same pairs then a run of different pairs); a file without ten such
 * blocks is split round-robin.
 */
export function tenFoldAccuracy(pairs: { same: boolean; score: number }[]): { mean: number; std: number } {
  const fold: number[] = [];
  let f = 0;
  pairs.forEach((p, i) => {
    if (i > 0 && p.same && !(pairs[i - 1] as { same: boolean }).same) f++;
    fold.push(f);
  });
  const folds = f + 1 === 10 ? fold : pairs.map((_, i) => i % 10);
  const accs: number[] = [];
  for (let k = 0; k < 10; k++) {
    const train = pairs.filter((_, i) => folds[i] !== k);
    const test = pairs.filter((_, i) => folds[i] === k);
    if (test.length === 0) continue;
    const candidates = [...new Set(train.map((p) => p.score))].sort((a, b) => a - b);
    let bestT = 0, bestAcc = -1;
    for (const t of candidates) {
      const acc = train.filter((p) => (p.score >= t) === p.same).length;
      if (acc > bestAcc) {
        bestAcc = acc;
        bestT = t;
      }
    }
    accs.push(test.filter((p) => (p.score >= bestT) === p.same).length / test.length);
  }
  const mean = accs.reduce((s, a) => s + a, 0) / accs.length;
  const std = Math.sqrt(accs.reduce((s, a) => s + (a - mean) ** 2, 0) / accs.length);
  return { mean, std };
}

export function machine(): { cpus: number; cpuModel: string; loadAverage: number[]; node: string } {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadAverage: loadavg().map((v) => Math.round(v * 100) / 100), node: process.version };
}

/** Peak resident memory of this process (worker threads included): VmHWM where Linux gives it, since getrusage can report a parent's size across exec. */
export function peakRssMb(): number {
  const hwm = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB/m) : null;
  return Math.round((hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024);
}

export function writeJson(file: string | undefined, value: unknown): void {
  if (!file) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

export const pct = (v: number, digits = 1): string => `${(v * 100).toFixed(digits)}%`;
