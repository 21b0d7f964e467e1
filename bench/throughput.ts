/**
 * End-to-end throughput of the face pool (decode, detect, landmarks, align, quality, embed,
 * crops and thumbnail), per model pack, on two sets of 500 inputs:
 *  - folder: images as they are in identities/ (then lfw150/) up to 500, mixed sizes;
 *  - 0.5 MP: every photo of identities/ and groups/ (not the tiny grey crops) re-encoded
 *    at about 0.5 megapixels, repeated up to 500 (the size of a typical evidence photo).
 * Each set runs through a pool of one worker per core and through a one-worker pool, so
 * the ratio shows what the pool buys on this machine.
 *   node dist/bench-throughput.js [--data DIR] [--pack NAME] [--json FILE] [--workers N]
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { AnalyseInput } from '../src/shared';
import { analyseAll, IMAGE_EXT, listIdentities, machine, openPool, parseArgs, peakRssMb, readInput, writeJson, type BenchArgs } from './_lib';

const USAGE = 'usage: throughput [--data DIR] [--pack NAME[,NAME]] [--models-dir DIR] [--json FILE] [--workers N] [--limit N]';
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

async function halfMegapixelSet(data: string, count: number): Promise<Uint8Array[]> {
  const photos: string[] = [];
  const ids = path.join(data, 'identities');
  if (existsSync(ids)) {
    for (const id of listIdentities(ids)) for (const f of id.files) if (!/\.p[gp]m$/i.test(f)) photos.push(path.join(ids, f));
  }
  const groups = path.join(data, 'groups');
  if (existsSync(groups)) {
    for (const d of readdirSync(groups)) {
      const dir = path.join(groups, d);
      if (existsSync(dir) && !IMAGE_EXT.test(d)) for (const f of readdirSync(dir)) if (/\.(jpe?g|png)$/i.test(f)) photos.push(path.join(dir, f));
    }
  }
  const encoded: Uint8Array[] = [];
  for (const p of photos) {
    const meta = await sharp(p).metadata();
    const w = meta.autoOrient?.width ?? meta.width ?? 0, h = meta.autoOrient?.height ?? meta.height ?? 0;
    // Only real photos: skip the small face crops, which would not be 0.5 MP without enlarging.
    if (w * h < 300_000) continue;
    const f = Math.sqrt(500_000 / (w * h));
    encoded.push(new Uint8Array(await sharp(p).autoOrient().resize(Math.round(w * f), Math.round(h * f)).jpeg({ quality: 90 }).toBuffer()));
  }
  return Array.from({ length: Math.min(count, encoded.length ? count : 0) }, (_, i) => encoded[i % encoded.length] as Uint8Array);
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

const line = (label: string, r: Run) =>
  `  ${label.padEnd(22)} ${r.workers} worker${r.workers > 1 ? 's' : ' '}: ${r.images} images (${r.failed} unreadable), ${r.faces} faces in ${r.seconds.toFixed(1)} s -> ${r.imagesPerSec.toFixed(1)} images/s, ${r.facesPerSec.toFixed(1)} faces/s`;

async function main() {
  const args = await parseArgs(process.argv.slice(2), USAGE);
  const count = args.limit ?? COUNT;
  const folder = folderSet(args.data, count);
  const half = await halfMegapixelSet(args.data, count);
  if (folder.length === 0 && half.length === 0) throw new Error(`no images under ${args.data}/identities, lfw150 or groups`);
  const halfKeys = half.map((_, i) => String(i));
  console.log(`sets: folder ${folder.length} images; 0.5 MP ${half.length} inputs (${new Set(half).size} distinct photos)`);
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
    packs: results,
  };
  console.log(`\npeak RSS ${summary.peakRssMb} MB (whole run, all pools), load average ${summary.machine.loadAverage.join(' ')}`);
  writeJson(args.json, summary);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
