/**
 * Peak resident memory (worker threads included) of the product's import, each case in a
 * process of its own so each peak is its own:
 *  - video: an hour (--video-minutes) of 1080p H.264 in which face photos from identities/
 *    move across a busy background, come and go; made with ffmpeg as a one-minute clip
 *    repeated without re-encoding, at --video-source-fps (25; CCTV often records 5 to 15);
 *    sampled at --video-fps frames a second (the product's default is 2);
 *  - photos: --photos distinct 0.5 MP photos (10,000 by default), as the throughput bench makes them;
 *  - bombs: pixel bombs at the limits: four 8000 x 8000 PNGs, two 8000 x 8000 JPEGs and a
 *    3 s 8000 x 8000 MJPEG video (--bombs png,jpeg,mjpeg: only those kinds, to see which one peaks).
 * Also printed: how many frames of a size the byte budget lets be in flight, against the
 * three per worker a queue counted in workers allowed, for 16 cores.
 *   node dist/bench-import-memory.js [--data DIR] [--pack NAME] [--json FILE] [--cases video,photos,bombs] [--video-minutes N] [--video-fps F] [--video-source-fps F] [--photos N] [--bombs png,jpeg,mjpeg] [--trace FILE]
 */
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { IMPORT_MEMORY_BYTES } from '../src/main/evidence';
import { makeFacesVideo } from '../src/main/testing/video';
import { machine, parseArgs, peakRssMb, writeJson, type BenchArgs } from './_lib';
import { halfMegapixelSet, openBenchCase, writeSeizedPhotos } from './_lib/case-import';

const run = promisify(execFile);
const USAGE = 'usage: import-memory [--data DIR] [--pack NAME] [--json FILE] [--cases video,photos,bombs] [--video-minutes N] [--video-fps F] [--video-source-fps F] [--photos N] [--bombs png,jpeg,mjpeg] [--trace FILE]';
const CASES = ['video', 'photos', 'bombs'] as const;
type CaseName = (typeof CASES)[number];

interface Result {
  case: CaseName;
  what: string;
  files: number;
  failed: number;
  faces: number;
  seconds: number;
  peakRssMb: number;
}

/**
 * Resident memory now and at its highest, sampled, for machines without /proc's high-water mark.
 * With `trace`, every second a line of seconds, resident, JS heap and external (Buffers and typed arrays) MB of this thread goes there, to see what grows.
 */
function watchRss(trace?: string): () => number {
  let most = process.memoryUsage().rss;
  const t0 = performance.now();
  let next = 0;
  const t = setInterval(() => {
    const m = process.memoryUsage();
    most = Math.max(most, m.rss);
    const s = (performance.now() - t0) / 1000;
    if (!trace || s < next) return;
    next = Math.floor(s) + 1;
    appendFileSync(trace, `${s.toFixed(0)} ${[m.rss, m.heapUsed, m.external].map((b) => Math.round(b / 2 ** 20)).join(' ')}\n`);
  }, 100);
  return () => {
    clearInterval(t);
    return Math.max(Math.round(most / 2 ** 20), peakRssMb());
  };
}

async function measure(args: BenchArgs, name: CaseName): Promise<Result> {
  const pack = args.packs[0] as string;
  const bench = await openBenchCase(args, pack);
  try {
    const src = path.join(bench.root, 'seized');
    mkdirSync(src);
    const faces = ['Barack_Obama/obama.jpg', 'Joe_Biden/biden.jpg'].map((p) => path.join(args.data, 'identities', p));
    let what: string;
    let options = {};
    if (name === 'video') {
      const minutes = Number(args.extra['video-minutes'] ?? 60);
      const fps = Number(args.extra['video-fps'] ?? 2);
      const sourceFps = Number(args.extra['video-source-fps'] ?? 25);
      const clip = await makeFacesVideo(path.join(bench.root, 'clip.mp4'), faces, { seconds: 60, width: 1920, height: 1080, fps: sourceFps, codec: 'h264' });
      await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-stream_loop', String(minutes - 1), '-i', clip, '-c', 'copy', path.join(src, 'camera-1.mp4')]);
      options = { videoFramesPerSecond: fps };
      what = `${minutes} min of 1080p H.264 (${sourceFps} fps), sampled at ${fps} frames/s`;
    } else if (name === 'photos') {
      const count = Number(args.extra.photos ?? 10_000);
      writeSeizedPhotos(src, await halfMegapixelSet(args.data, count), count);
      what = `${count} distinct 0.5 MP photos`;
    } else {
      const kinds = new Set((args.extra.bombs ?? 'png,jpeg,mjpeg').split(','));
      for (let i = 0; i < (kinds.has('png') ? 4 : 0); i++) {
        await sharp({ create: { width: 8000, height: 8000, channels: 3, background: { r: 40 * i, g: 120, b: 200 } } }).png().toFile(path.join(src, `bomb-${i}.png`));
      }
      for (let i = 0; i < (kinds.has('jpeg') ? 2 : 0); i++) {
        await sharp({ create: { width: 8000, height: 8000, channels: 3, background: { r: 200, g: 40 * i, b: 90 } } }).jpeg().toFile(path.join(src, `bomb-${i}.jpg`));
      }
      if (kinds.has('mjpeg')) await makeFacesVideo(path.join(src, 'bomb.avi'), faces.slice(0, 1), { seconds: 3, width: 8000, height: 8000, fps: 5, codec: 'mjpeg' });
      what = ['four 8000x8000 PNGs', 'two 8000x8000 JPEGs', 'a 3 s 8000x8000 MJPEG video'].filter((_, i) => kinds.has(['png', 'jpeg', 'mjpeg'][i] as string)).join(', ');
    }
    // Only the import is measured, not making its input.
    if (existsSync('/proc/self/clear_refs')) writeFileSync('/proc/self/clear_refs', '5');
    const peak = watchRss(args.extra.trace);
    const { batch, seconds } = await bench.importTimed([src], options);
    return { case: name, what, files: batch.filesTotal, failed: batch.failed, faces: batch.facesFound, seconds, peakRssMb: peak() };
  } finally {
    await bench.close();
  }
}

/** Runs one case in a child process of this benchmark and takes its result from the child's last line. */
function inChild(name: CaseName): Promise<Result> {
  const argv = process.argv.slice(2).filter((a, i, all) => a !== '--cases' && all[i - 1] !== '--cases');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1] as string, ...argv, '--cases', name, '--child', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as Result);
      else reject(new Error(`the ${name} case failed (exit ${code}): ${out.slice(-500)}`));
    }),
  );
}

async function main() {
  const args = await parseArgs(process.argv.slice(2), USAGE, ['cases', 'video-minutes', 'video-fps', 'video-source-fps', 'photos', 'bombs', 'trace', 'child']);
  const cases = (args.extra.cases ?? CASES.join(',')).split(',') as CaseName[];
  for (const c of cases) if (!CASES.includes(c)) throw new Error(`unknown case ${c}\n${USAGE}`);
  if (args.extra.child) {
    console.log(JSON.stringify(await measure(args, cases[0] as CaseName)));
    return;
  }
  const m = machine();
  console.log(`${m.cpuModel}, ${m.cpus} cores, load ${m.loadAverage.join(' ')}; pack ${args.packs[0]}; byte budget ${IMPORT_MEMORY_BYTES / 2 ** 20} MiB`);
  const results: Result[] = [];
  for (const c of cases) {
    const r = await inChild(c);
    results.push(r);
    console.log(`  ${c.padEnd(7)} ${r.what}: ${r.files} files (${r.failed} failed), ${r.faces} faces in ${r.seconds.toFixed(0)} s; peak RSS ${r.peakRssMb} MB`);
  }
  // Frames in flight at once: the pool's queue allowed three per worker; the budget allows what fits in it (the frame here and its copy in a worker), at least one.
  const inFlight = [
    { frame: '1920x1080', bytes: 1920 * 1080 * 3 },
    { frame: '3840x2160', bytes: 3840 * 2160 * 3 },
    { frame: '8000x8000', bytes: 8000 * 8000 * 3 },
  ].map(({ frame, bytes }) => {
    const byWorkers = 3 * 16;
    const byBudget = Math.max(1, Math.floor(IMPORT_MEMORY_BYTES / (2 * bytes)));
    return { frame, framesByWorkers16: byWorkers, mbByWorkers16: Math.round((byWorkers * 2 * bytes) / 2 ** 20), framesByBudget: byBudget, mbByBudget: Math.round((byBudget * 2 * bytes) / 2 ** 20) };
  });
  for (const f of inFlight) console.log(`  ${f.frame}: 16 cores with a queue of 3 per worker held ${f.framesByWorkers16} frames (${f.mbByWorkers16} MB with their worker copies); the budget holds ${f.framesByBudget} (${f.mbByBudget} MB)`);
  const loadAfter = machine().loadAverage;
  writeJson(args.json, { bench: 'import-memory', machine: m, loadAverageAfter: loadAfter, pack: args.packs[0], budgetMb: IMPORT_MEMORY_BYTES / 2 ** 20, results, inFlight });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
