/**
 * The product's own import, driven as an analyst would through the router, for benchmarks:
 * a fresh workstation holding one model pack, a new encrypted case, and seized-looking
 * folders of photos made from the face data.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createClient, type ChannelName, type ImportBatch, type ImportOptions } from '../../src/shared';
import { createWorkstation, type WorkstationOptions } from '../../src/main/workstation';
import { IMAGE_EXT, listIdentities, type BenchArgs } from '.';

/** Every photo of identities/ and groups/ (not the tiny grey crops) re-encoded at about 0.5 megapixels, repeated up to count. */
export async function halfMegapixelSet(data: string, count: number): Promise<Uint8Array[]> {
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

/** The same JPEG with a comment segment after its start marker: identical pixels, a distinct file hash. */
function distinctCopy(jpeg: Uint8Array, n: number): Uint8Array {
  const text = Buffer.from(`loupe throughput bench copy ${n}`, 'latin1');
  const segment = Buffer.alloc(4 + text.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(2 + text.length, 2);
  text.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

/** Writes count distinct photos into folders of 500, as memory cards are; returns the top folder. */
export function writeSeizedPhotos(folder: string, photos: readonly Uint8Array[], count: number): string {
  for (let i = 0; i < count; i++) {
    const dir = path.join(folder, `card-${String(Math.floor(i / 500)).padStart(2, '0')}`);
    if (i % 500 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `IMG_${String(i).padStart(5, '0')}.jpg`), distinctCopy(photos[i % photos.length] as Uint8Array, i));
  }
  return folder;
}

export interface BenchCase {
  /** A scratch folder removed by close(). */
  root: string;
  client: ReturnType<typeof createClient>;
  /** Imports the paths and waits for the batch's end; throws unless it ended done. */
  importTimed(paths: string[], options?: ImportOptions): Promise<{ batch: ImportBatch; seconds: number }>;
  close(): Promise<void>;
}

/** A fresh workstation with only this pack installed (it uses the best one installed) and one new case open; `importProfile` times its imports. */
export async function openBenchCase(args: BenchArgs, pack: string, options: Pick<WorkstationOptions, 'importProfile'> = {}): Promise<BenchCase> {
  const root = mkdtempSync(path.join(tmpdir(), 'loupe-bench-import-'));
  const models = path.join(root, 'models');
  mkdirSync(models);
  cpSync(path.join(args.modelsDir, pack), path.join(models, pack), { recursive: true });
  const ws = await createWorkstation({ home: path.join(root, 'home'), modelsDir: models, ...options });
  const client = createClient((channel: ChannelName, input: unknown) => ws.call(channel, input, 'cli'));
  await client.must('session.createFirstSupervisor', { username: 'bench', displayName: 'Import bench', password: 'bench throughput password' });
  await client.must('cases.create', {
    reference: 'BENCH/1', title: 'Import benchmark', offenceCategory: 'other', purpose: 'Measure import throughput and memory',
    legalBasis: 'Benchmark on consented research photos', authorisedBy: 'Loupe developers', retentionDate: '2030-01-01', passphrase: 'bench throughput passphrase',
  });
  return {
    root,
    client,
    async importTimed(paths, options) {
      const t0 = performance.now();
      const started = await client.must('evidence.import', { paths, ...(options ? { options } : {}) });
      await ws.importSettled();
      const seconds = (performance.now() - t0) / 1000;
      const batch = (await client.must('evidence.batches', {})).find((b) => b.id === started.batchId);
      if (!batch || batch.status !== 'done') throw new Error(`the bench import ended ${batch?.status ?? 'missing'}`);
      return { batch, seconds };
    },
    async close() {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
