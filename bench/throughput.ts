/**
 * End-to-end throughput of the face pool (decode, detect, landmarks, align, quality, embed,
 * crops and thumbnail), per model pack, on two sets of 500 inputs:
 *  - folder: images as they are in identities/ (then lfw150/) up to 500, mixed sizes;
 *  - 0.5 MP: every photo of identities/ and groups/ (not the tiny grey crops) re-encoded
 *    at about 0.5 megapixels, repeated up to 500 (the size of a typical evidence photo).
 * Each set runs through a pool of one worker per core and through a one-worker pool, so
 * the ratio shows what the pool buys on this machine.
 * First of all, the product's own import: video/ and then the 0.5 MP photos as distinct files
 * (--import-images, default 500) imported into a new encrypted case through the router, with
 * hashing, store writes and audit; it runs first so the peak RSS it reports is its own.
 *   node dist/bench-throughput.js [--data DIR] [--pack NAME] [--json FILE] [--workers N] [--import-images N]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AnalyseInput } from '../src/shared';
import { analyseAll, listIdentities, machine, openPool, parseArgs, peakRssMb, readInput, writeJson, type BenchArgs } from './_lib';
import { halfMegapixelSet, openBenchCase, writeSeizedPhotos } from './_lib/case-import';

const USAGE = 'usage: throughput [--data DIR] [--pack NAME[,NAME]] [--models-dir DIR] [--json FILE] [--workers N] [--limit N] [--import-images N]';
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

interface CaseImport {
  pack: string;
  images: { files: number; failed: number; duplicates: number; faces: number; seconds: number; imagesPerSec: number; facesPerSec: number };
  video: { files: number; videoSeconds: number; faces: number; seconds: number; videoSecondsPerSec: number } | null;
  peakRssMb: number;
}

/** Imports photos and video/ into a fresh encrypted case, as an analyst would, and times it. */
async function caseImport(args: BenchArgs, pack: string, photos: Uint8Array[], count: number): Promise<CaseImport> {
  const bench = await openBenchCase(args, pack);
  try {
    const folder = writeSeizedPhotos(path.join(bench.root, 'seized'), photos, count);
    // Video first, while the case holds nothing else, so its clips are the case's only exhibits.
    const videoDir = path.join(args.data, 'video');
    let video: CaseImport['video'] = null;
    if (existsSync(videoDir)) {
      const v = await bench.importTimed([videoDir]);
      const list = await bench.client.must('evidence.list', { offset: 0, limit: 500 });
      const clips = list.exhibits.filter((e) => e.kind === 'video' && e.status === 'done');
      const videoSeconds = clips.reduce((s, e) => s + (e.durationMs ?? 0), 0) / 1000;
      video = { files: clips.length, videoSeconds, faces: v.batch.facesFound, seconds: v.seconds, videoSecondsPerSec: videoSeconds / v.seconds };
    } else console.log(`  (no video folder at ${videoDir}: video import not measured)`);
    const photosRun = await bench.importTimed([folder]);
    const b = photosRun.batch;
    const images = { files: b.filesTotal, failed: b.failed, duplicates: b.duplicates, faces: b.facesFound, seconds: photosRun.seconds, imagesPerSec: b.filesTotal / photosRun.seconds, facesPerSec: b.facesFound / photosRun.seconds };
    return { pack, images, video, peakRssMb: peakRssMb() };
  } finally {
    await bench.close();
  }
}

const line = (label: string, r: Run) =>
  `  ${label.padEnd(22)} ${r.workers} worker${r.workers > 1 ? 's' : ' '}: ${r.images} images (${r.failed} unreadable), ${r.faces} faces in ${r.seconds.toFixed(1)} s -> ${r.imagesPerSec.toFixed(1)} images/s, ${r.facesPerSec.toFixed(1)} faces/s`;

async function main() {
  const args = await parseArgs(process.argv.slice(2), USAGE, ['import-images']);
  const count = args.limit ?? COUNT;
  const importImages = Number(args.extra['import-images'] ?? count);
  if (!Number.isInteger(importImages) || importImages < 0) throw new Error(`--import-images takes a whole number\n${USAGE}`);
  const folder = folderSet(args.data, count);
  const half = await halfMegapixelSet(args.data, count);
  if (folder.length === 0 && half.length === 0) throw new Error(`no images under ${args.data}/identities, lfw150 or groups`);
  const halfKeys = half.map((_, i) => String(i));
  console.log(`sets: folder ${folder.length} images; 0.5 MP ${half.length} inputs (${new Set(half).size} distinct photos)`);
  let imported: CaseImport | null = null;
  if (half.length && importImages > 0) {
    const pack = args.packs[0] as string;
    console.log(`\n== import into an encrypted case (pack ${pack}, ${args.workers} workers as the workstation sizes its pool)`);
    imported = await caseImport(args, pack, half, importImages);
    const { images: i, video: v } = imported;
    console.log(`  ${i.files} photos (0.5 MP, distinct files; ${i.failed} failed, ${i.duplicates} duplicates): ${i.faces} faces in ${i.seconds.toFixed(1)} s -> ${i.imagesPerSec.toFixed(1)} images/s, ${i.facesPerSec.toFixed(1)} faces/s`);
    if (v) console.log(`  ${v.files} video clips, ${v.videoSeconds.toFixed(1)} s of footage: ${v.faces} faces in ${v.seconds.toFixed(1)} s -> ${v.videoSecondsPerSec.toFixed(2)} video seconds per second`);
    console.log(`  peak RSS of the import ${imported.peakRssMb} MB`);
  }
  const results: Record<string, unknown> = {};
  for (const pack of args.packs) {
    console.log(`\n== pack ${pack}`);
    const out: Record<string, unknown> = {};
    if (half.length) {
      const pool = await run(args, pack, args.workers, halfKeys, (k) => half[Number(k)] as Uint8Array);
      const one = await run(args, pack, 1, halfKeys, (k) => half[Number(k)] as Uint8Array);
      console.log(line('0.5 MP photos', pool));
      console.log(line('0.5 MP photos', one));
      out.halfMegapixel = { pool, oneWorker: one, poolSpeedup: pool.imagesPerSec / one.imagesPerSec };
    }
    if (folder.length) {
      const pool = await run(args, pack, args.workers, folder, readInput);
      const one = await run(args, pack, 1, folder, readInput);
      console.log(line('folder (mixed sizes)', pool));
      console.log(line('folder (mixed sizes)', one));
      out.folder = { pool, oneWorker: one, poolSpeedup: pool.imagesPerSec / one.imagesPerSec };
    }
    results[pack] = out;
  }
  const first = results[args.packs[0] as string] as { halfMegapixel?: { pool: Run; poolSpeedup: number }; folder?: { pool: Run; poolSpeedup: number } };
  const headline = first.halfMegapixel ?? first.folder;
  const summary = {
    bench: 'throughput', data: args.data, machine: machine(), pack: args.packs[0],
    imagesPerSec: headline?.pool.imagesPerSec, facesPerSec: headline?.pool.facesPerSec, peakRssMb: peakRssMb(), poolSpeedup: headline?.poolSpeedup,
    videoSecondsPerSec: imported?.video?.videoSecondsPerSec, caseImport: imported,
    packs: results,
  };
  console.log(`\npeak RSS ${summary.peakRssMb} MB (whole run, all pools), load average ${summary.machine.loadAverage.join(' ')}`);
  writeJson(args.json, summary);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
