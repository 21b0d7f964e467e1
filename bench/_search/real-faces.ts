/**
 * Every face of a face data folder, embedded by a model pack: identities/ and lfw150/ (one
 * folder per person, the image's main face, labelled by folder name) and groups/ (every
 * face found, identity unknown). Cached under /tmp as raw float32 rows + a JSON index so
 * reruns skip the engine; the cache is keyed by the embedder and the file list.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { embedderId } from '../../src/shared';
import { loadPack } from '../../src/main/models';
import { type BenchArgs, IMAGE_EXT, analyseAll, listIdentities, mainFace, openPool, readInput } from '../_lib';

export interface RealFace {
  /** Folder name for identities/ and lfw150/; null for faces of group photos. */
  identity: string | null;
  /** Path relative to the data folder. */
  file: string;
}

export interface RealFaces {
  faces: RealFace[];
  /** faces.length rows of dim values, L2-normalised. */
  embeddings: Float32Array;
  dim: number;
  modelId: string;
  imagesWithoutFace: number;
  fromCache: boolean;
}

function groupPhotos(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const sub of readdirSync(dir).sort()) {
    const p = path.join(dir, sub);
    if (!statSync(p).isDirectory()) continue;
    for (const f of readdirSync(p).sort()) if (IMAGE_EXT.test(f)) out.push(`groups/${sub}/${f}`);
  }
  return out;
}

export async function loadRealFaces(args: BenchArgs, pack: string, cacheDir: string): Promise<RealFaces> {
  const labelled: { file: string; identity: string }[] = [];
  for (const set of ['identities', 'lfw150']) {
    const dir = path.join(args.data, set);
    if (!existsSync(dir)) continue;
    for (const id of listIdentities(dir)) for (const f of id.files) labelled.push({ file: `${set}/${f}`, identity: id.name });
  }
  const groups = groupPhotos(path.join(args.data, 'groups'));
  if (labelled.length === 0) throw new Error(`no identities/ or lfw150/ folder with images in ${args.data}`);

  const manifest = (await loadPack(args.modelsDir, pack)).manifest;
  const modelId = embedderId(manifest);
  const key = createHash('sha256')
    .update(JSON.stringify({ modelId, data: args.data, labelled: labelled.map((l) => l.file), groups }))
    .digest('hex')
    .slice(0, 16);
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const rows = path.join(cacheDir, `real-${key}.f32`);
  const meta = path.join(cacheDir, `real-${key}.json`);
  if (existsSync(rows) && existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, 'utf8')) as Omit<RealFaces, 'embeddings' | 'fromCache'>;
    const b = readFileSync(rows);
    return { ...m, embeddings: new Float32Array(b.buffer, b.byteOffset, b.length / 4), fromCache: true };
  }

  const pool = await openPool(args, pack);
  const faces: RealFace[] = [];
  const vectors: Float32Array[] = [];
  let imagesWithoutFace = 0;
  try {
    console.log(`embedding ${labelled.length} labelled images and ${groups.length} group photos with pack ${pack} (cached afterwards in ${cacheDir})`);
    const main = await analyseAll(pool, labelled.map((l) => l.file), (f) => readInput(path.join(args.data, f)), (a) => mainFace(a)?.embedding ?? null);
    main.forEach((r, i) => {
      if (r instanceof Error || r === null || r === undefined) imagesWithoutFace++;
      else {
        faces.push({ identity: labelled[i]!.identity, file: labelled[i]!.file });
        vectors.push(r);
      }
    });
    const all = await analyseAll(pool, groups, (f) => readInput(path.join(args.data, f)), (a) => a.faces.map((f) => f.embedding), { thumbnail: false, smallFaces: true });
    all.forEach((r, i) => {
      if (r instanceof Error || r === undefined || r.length === 0) {
        imagesWithoutFace++;
        return;
      }
      for (const e of r) {
        faces.push({ identity: null, file: groups[i]! });
        vectors.push(e);
      }
    });
  } finally {
    await pool.close();
  }
  const dim = manifest.embedder.embeddingSize;
  const embeddings = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => embeddings.set(v, i * dim));
  writeFileSync(rows, Buffer.from(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength), { mode: 0o600 });
  writeFileSync(meta, JSON.stringify({ faces, dim, modelId, imagesWithoutFace }), { mode: 0o600 });
  return { faces, embeddings, dim, modelId, imagesWithoutFace, fromCache: false };
}
