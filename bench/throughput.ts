/**
 * Throughput of the product's import and of the face pool, and where the import's time goes.
 * Parts (--parts, all by default):
 *  - import: --import-images (default 500) distinct 0.5 MP photos imported into a new
 *    encrypted case through the router (hashing, store writes, audit, index), with the
 *    import's profile: each stage's time per image and per face and its share of an
 *    image's time from opening to stored (src/main/evidence/profile.ts names the stages);
 *  - ceiling: the model-only ceiling on the same photos (bench/_lib/model-ceiling.ts) and
 *    the import's share of it, in faces per second;
 *  - video: the clips of video/; long-video: a --video-minutes (10) 1080p clip made with
 *    ffmpeg and kept in --cache; each imported into its own case, in video seconds per second;
 *  - pool: the face pool alone (decode, detect, landmarks, align, quality, embed, crops and
 *    thumbnail), per model pack, on two sets of 500 inputs:
 *  - folder: images as they are in identities/ (then lfw150/) up to 500, mixed sizes;
 *  - 0.5 MP: every photo of identities/ and groups/ (not the tiny grey crops) re-encoded
 *    at about 0.5 megapixels, repeated up to 500 (the size of a typical evidence photo).
 *    each set through a pool of one worker per core and through a one-worker pool, so the
 *    ratio shows what the pool buys on this machine.
 * The import runs first so the peak RSS it reports is its own. --small-faces off runs the
 * import and the ceiling with the import setting off (no small-face pass).
 *   node dist/bench-throughput.js [--data DIR] [--pack NAME] [--json FILE] [--workers N] [--import-images N]
 *     [--parts import,ceiling,video,long-video,pool] [--video-minutes N] [--video-fps F (the long clip's sampling, default 2 as the product's)] [--cache DIR] [--small-faces on|off]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ANALYSE_STAGES, type AnalyseInput, type ImportOptions } from '../src/shared';
import { IMPORT_STAGES, ImportProfile } from '../src/main/evidence';
import { loadPack } from '../src/main/models';
import { makeFacesVideo } from '../src/main/testing/video';
import { analyseAll, listIdentities, machine, openPool, parseArgs, pct, peakRssMb, readInput, writeJson, type BenchArgs } from './_lib';
import { halfMegapixelSet, openBenchCase, writeSeizedPhotos } from './_lib/case-import';
import { ceilingWorker, isCeilingWorker, modelCeiling } from './_lib/model-ceiling';

const exec = promisify(execFile);
const USAGE =
  'usage: throughput [--data DIR] [--pack NAME[,NAME]] [--models-dir DIR] [--json FILE] [--workers N] [--limit N] [--import-images N] [--parts import,ceiling,video,long-video,pool] [--video-minutes N] [--video-fps F] [--cache DIR] [--small-faces on|off]';
const COUNT = 500;

function folderSet(data: string, count: number): string[] {
  const files: string[] = [];
  for (const sub of ['identities', 'lfw150']) {
    const dir = path.join(data, sub);
    if (!existsSync(dir)) continue;
    for (const id of listIdentities(dir)) for (const f of id.files) files.push(path.join(dir, f));
  }
  return files.slice(0, count);
}

interface Run {
  workers: number;
  images: number;
  failed: number;
  faces: number;
  seconds: number;
  imagesPerSec: number;
  facesPerSec: number;
}

async function run(args: BenchArgs, pack: string, workers: number, items: string[], load: (item: string) => AnalyseInput): Promise<Run> {
  const pool = await openPool(args, pack, workers);
  try {
    const t0 = performance.now();
    const res = await analyseAll(pool, items, load, (a) => a.faces.length, { thumbnail: true });
    const seconds = (performance.now() - t0) / 1000;
    const faces = res.reduce<number>((s, r) => s + (typeof r === 'number' ? r : 0), 0);
    const failed = res.filter((r) => r instanceof Error).length;
    return { workers, images: items.length, failed, faces, seconds, imagesPerSec: items.length / seconds, facesPerSec: faces / seconds };
  } finally {
    await pool.close();
  }
}

interface ImportRun {
  files: number;
  failed: number;
  duplicates: number;
  faces: number;
  seconds: number;
  imagesPerSec: number;
  facesPerSec: number;
}
interface VideoRun {
  what: string;
  files: number;
  videoSeconds: number;
  faces: number;
  seconds: number;
  videoSecondsPerSec: number;
}

/** One stage of the profile: where it runs, its time per image and per face, and its share of an image's time from opening to stored. */
interface StageFigure {
  stage: string;
  thread: 'main' | 'engine' | 'waiting';
  msPerImage: number;
  msPerFace: number;
  share: number;
}

/**
 * The profile's figures: every stage of the main process and of the engine, and the waits
 * (for the byte budget, for the engine's queue and messages, and the rest: the event loop,
 * backpressure), which with the stages make up each image's time from opening to stored.
 */
function profileFigures(p: ImportProfile): { images: number; faces: number; msPerImage: number; stages: StageFigure[] } | null {
  if (p.images === 0) return null;
  const n = p.images, f = Math.max(1, p.faces);
  const latency = p.latencyMs / n;
  const rows: StageFigure[] = [];
  const add = (stage: string, thread: StageFigure['thread'], total: number) =>
    rows.push({ stage, thread, msPerImage: total / n, msPerFace: total / f, share: total / n / latency });
  for (const s of IMPORT_STAGES) if (s !== 'memoryWait' && s !== 'engineWait') add(s, 'main', p.main[s]);
  for (const s of ANALYSE_STAGES) add(s, 'engine', p.engine[s]);
  add('memoryWait', 'waiting', p.main.memoryWait);
  add('engineWait', 'waiting', p.main.engineWait);
  const accounted = rows.reduce((s, r) => s + r.msPerImage, 0);
  add('otherWait', 'waiting', Math.max(0, latency - accounted) * n);
  return { images: n, faces: p.faces, msPerImage: latency, stages: rows };
}

/** Imports into a fresh encrypted case, as an analyst would, and times it. */
async function timedImport(args: BenchArgs, pack: string, paths: (root: string) => Promise<string[]>, options: ImportOptions, profile?: ImportProfile) {
  const bench = await openBenchCase(args, pack, profile ? { importProfile: profile } : {});
  try {
    return { ...(await bench.importTimed(await paths(bench.root), options)), client: bench.client };
  } finally {
    await bench.close();
  }
}

async function photosImport(args: BenchArgs, pack: string, photos: Uint8Array[], count: number, smallFaces: boolean, profile: ImportProfile): Promise<ImportRun> {
  const { batch: b, seconds } = await timedImport(args, pack, async (root) => [writeSeizedPhotos(path.join(root, 'seized'), photos, count)], { smallFaces }, profile);
  return { files: b.filesTotal, failed: b.failed, duplicates: b.duplicates, faces: b.facesFound, seconds, imagesPerSec: b.filesTotal / seconds, facesPerSec: b.facesFound / seconds };
}

async function videoImport(args: BenchArgs, pack: string, what: string, paths: (root: string) => Promise<string[]>, options: ImportOptions = {}): Promise<VideoRun> {
  const bench = await openBenchCase(args, pack);
  try {
    const { batch, seconds } = await bench.importTimed(await paths(bench.root), options);
    const list = await bench.client.must('evidence.list', { offset: 0, limit: 500 });
    const clips = list.exhibits.filter((e) => e.kind === 'video' && e.status === 'done');
    const videoSeconds = clips.reduce((s, e) => s + (e.durationMs ?? 0), 0) / 1000;
    return { what, files: clips.length, videoSeconds, faces: batch.facesFound, seconds, videoSecondsPerSec: videoSeconds / seconds };
  } finally {
    await bench.close();
  }
}

/**
 * A 1080p H.264 clip of `minutes` in which face photos move across a busy background (a
 * one-minute clip repeated without re-encoding), made once with ffmpeg and kept in `cache`
 * so that runs to be compared read the same file.
 */
async function longClip(args: BenchArgs, cache: string, minutes: number): Promise<string> {
  const out = path.join(cache, `faces-1080p-${minutes}min.mp4`);
  if (existsSync(out)) return out;
  mkdirSync(cache, { recursive: true });
  const faces = ['Barack_Obama/obama.jpg', 'Joe_Biden/biden.jpg'].map((p) => path.join(args.data, 'identities', p));
  const minute = await makeFacesVideo(path.join(cache, 'minute-1080p.mp4'), faces, { seconds: 60, width: 1920, height: 1080, fps: 25, codec: 'h264' });
  await exec('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', String(minutes - 1), '-i', minute, '-c', 'copy', `${out}.part.mp4`]);
  renameSync(`${out}.part.mp4`, out);
  return out;
}

const line = (label: string, r: Run) =>
  `  ${label.padEnd(22)} ${r.workers} worker${r.workers > 1 ? 's' : ' '}: ${r.images} images (${r.failed} unreadable), ${r.faces} faces in ${r.seconds.toFixed(1)} s -> ${r.imagesPerSec.toFixed(1)} images/s, ${r.facesPerSec.toFixed(1)} faces/s`;

const PARTS = ['import', 'ceiling', 'video', 'long-video', 'pool'] as const;

async function main() {
  const args = await parseArgs(process.argv.slice(2), USAGE, ['import-images', 'parts', 'video-minutes', 'video-fps', 'cache', 'small-faces']);
  const count = args.limit ?? COUNT;
  const importImages = Number(args.extra['import-images'] ?? count);
  if (!Number.isInteger(importImages) || importImages < 0) throw new Error(`--import-images takes a whole number\n${USAGE}`);
  const parts = new Set((args.extra.parts ?? PARTS.join(',')).split(','));
  for (const p of parts) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--parts takes some of ${PARTS.join(',')}\n${USAGE}`);
  const minutes = Number(args.extra['video-minutes'] ?? 10);
  if (!(minutes >= 1 && Number.isInteger(minutes))) throw new Error(`--video-minutes takes a whole number of minutes\n${USAGE}`);
  const videoFps = Number(args.extra['video-fps'] ?? 2);
  if (!(videoFps >= 0.1 && videoFps <= 10)) throw new Error(`--video-fps takes frames per second from 0.1 to 10\n${USAGE}`);
  const smallFaces = (args.extra['small-faces'] ?? 'on') === 'on';
  const cache = path.resolve(args.extra.cache ?? path.join(tmpdir(), 'loupe-throughput-bench'));
  const pack = args.packs[0] as string;
  const folder = folderSet(args.data, count);
  const half = await halfMegapixelSet(args.data, count);
  if (folder.length === 0 && half.length === 0) throw new Error(`no images under ${args.data}/identities, lfw150 or groups`);
  const halfKeys = half.map((_, i) => String(i));
  console.log(`sets: folder ${folder.length} images; 0.5 MP ${half.length} inputs (${new Set(half).size} distinct photos); small faces ${smallFaces ? 'on' : 'off'}; ${machine().cpuModel}, load average ${machine().loadAverage.join(' ')}`);
  const summary: Record<string, unknown> = { bench: 'throughput', data: args.data, pack, smallFaces, parts: [...parts] };

  let imported: ImportRun | null = null;
  if (parts.has('import') && half.length && importImages > 0) {
    console.log(`\n== import of ${importImages} distinct 0.5 MP photos into an encrypted case (pack ${pack}, ${args.workers} workers as the workstation sizes its pool)`);
    const profile = new ImportProfile();
    imported = await photosImport(args, pack, half, importImages, smallFaces, profile);
    const i = imported;
    console.log(`  ${i.files} photos (${i.failed} failed, ${i.duplicates} duplicates): ${i.faces} faces in ${i.seconds.toFixed(1)} s -> ${i.imagesPerSec.toFixed(2)} images/s, ${i.facesPerSec.toFixed(2)} faces/s (load average ${machine().loadAverage.join(' ')})`);
    const figures = profileFigures(profile);
    if (figures) {
      console.log(`  profile: ${figures.msPerImage.toFixed(0)} ms per image from opening to stored (${figures.faces} faces in ${figures.images} images; main = this process, engine = a worker thread):`);
      for (const r of figures.stages) console.log(`    ${r.stage.padEnd(12)} ${r.thread.padEnd(8)} ${r.msPerImage.toFixed(1).padStart(7)} ms/image ${r.msPerFace.toFixed(1).padStart(7)} ms/face ${pct(r.share).padStart(6)}`);
    } else console.log('  profile: none (this code does not time its stages)');
    summary.caseImport = { images: imported, profile: figures, peakRssMb: peakRssMb() };
  }
  if (parts.has('ceiling') && half.length && importImages > 0) {
    console.log(`\n== model-only ceiling on the same ${importImages} photos (${args.workers} workers running only the models)`);
    const inputs = Array.from({ length: importImages }, (_, i) => half[i % half.length] as Uint8Array);
    const c = await modelCeiling(new URL(import.meta.url), await loadPack(args.modelsDir, pack), inputs, args.workers, { smallFaces, thumbnail: false });
    console.log(`  ${c.images} images, ${c.faces} faces: ${c.imagesPerSec.toFixed(2)} images/s, ${c.facesPerSec.toFixed(2)} faces/s (load average ${machine().loadAverage.join(' ')})`);
    for (const [label, ms] of Object.entries(c.modelMsPerImage)) console.log(`    ${label.padEnd(16)} ${(c.runsPerImage[label] ?? 0).toFixed(2)} runs/image ${ms.toFixed(1).padStart(7)} ms/image`);
    summary.ceiling = c;
    if (imported) {
      const ratio = imported.facesPerSec / c.facesPerSec;
      console.log(`  the import runs at ${pct(ratio)} of the ceiling (faces/s)`);
      summary.importToCeiling = ratio;
    }
  }
  const videos: VideoRun[] = [];
  const videoDir = path.join(args.data, 'video');
  if (parts.has('video')) {
    if (existsSync(videoDir)) videos.push(await videoImport(args, pack, 'the shared clips (video/)', async () => [videoDir]));
    else console.log(`  (no video folder at ${videoDir}: its clips are not measured)`);
  }
  if (parts.has('long-video')) {
    const clip = await longClip(args, cache, minutes);
    videos.push(await videoImport(args, pack, `${minutes} min of 1080p H.264 (25 fps), sampled at ${videoFps} frames/s`, async () => [clip], { videoFramesPerSecond: videoFps }));
  }
  if (videos.length) {
    console.log('\n== video import');
    for (const v of videos) console.log(`  ${v.what}: ${v.files} clips, ${v.videoSeconds.toFixed(1)} s of footage, ${v.faces} faces in ${v.seconds.toFixed(1)} s -> ${v.videoSecondsPerSec.toFixed(3)} video seconds per second`);
    summary.video = videos;
  }
  const results: Record<string, unknown> = {};
  if (parts.has('pool')) {
    for (const p of args.packs) {
      console.log(`\n== pack ${p}`);
      const out: Record<string, unknown> = {};
      if (half.length) {
        const pool = await run(args, p, args.workers, halfKeys, (k) => half[Number(k)] as Uint8Array);
        const one = await run(args, p, 1, halfKeys, (k) => half[Number(k)] as Uint8Array);
        console.log(line('0.5 MP photos', pool));
        console.log(line('0.5 MP photos', one));
        out.halfMegapixel = { pool, oneWorker: one, poolSpeedup: pool.imagesPerSec / one.imagesPerSec };
      }
      if (folder.length) {
        const pool = await run(args, p, args.workers, folder, readInput);
        const one = await run(args, p, 1, folder, readInput);
        console.log(line('folder (mixed sizes)', pool));
        console.log(line('folder (mixed sizes)', one));
        out.folder = { pool, oneWorker: one, poolSpeedup: pool.imagesPerSec / one.imagesPerSec };
      }
      results[p] = out;
    }
    const first = results[pack] as { halfMegapixel?: { pool: Run; poolSpeedup: number }; folder?: { pool: Run; poolSpeedup: number } };
    const headline = first.halfMegapixel ?? first.folder;
    Object.assign(summary, { imagesPerSec: headline?.pool.imagesPerSec, facesPerSec: headline?.pool.facesPerSec, poolSpeedup: headline?.poolSpeedup, packs: results });
  }
  Object.assign(summary, { machine: machine(), peakRssMb: peakRssMb() });
  console.log(`\npeak RSS ${summary.peakRssMb} MB (whole run), load average ${machine().loadAverage.join(' ')}`);
  writeJson(args.json, summary);
}

if (isCeilingWorker()) await ceilingWorker();
else {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
