/**
 * Recognition accuracy per model pack.
 *   pairs (lfw150/pairs_available.tsv): 10-fold accuracy, EER, TAR at FAR 1e-3
 *   identification (identities/): leave-one-out rank-1 and EER over all image pairs
 * A face that is not found counts against the pack (its pairs score -1), as in the LFW
 * "unrestricted" practice of not dropping hard images.
 *   node dist/bench-recognition.js [--data DIR] [--pack NAME[,NAME]] [--json FILE] [--scores FILE] [--limit N]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  analyseAll, equalErrorRate, listIdentities, machine, mainFace, openPool, parseArgs, pct, peakRssMb, readInput, readPairs, tarAtFar, tenFoldAccuracy, writeJson,
} from './_lib';
import { similarity } from '../src/shared';

const USAGE = 'usage: recognition [--data DIR] [--pack NAME[,NAME]] [--models-dir DIR] [--json FILE] [--scores FILE] [--workers N] [--limit N (first N pairs and images)]';

async function embeddings(args: Awaited<ReturnType<typeof parseArgs>>, pack: string, root: string, files: string[]): Promise<Map<string, Float32Array | null>> {
  const pool = await openPool(args, pack);
  try {
    const res = await analyseAll(pool, files, (f) => readInput(path.join(root, f)), (a) => mainFace(a)?.embedding ?? null);
    const out = new Map<string, Float32Array | null>();
    files.forEach((f, i) => {
      const r = res[i];
      out.set(f, r instanceof Error || r === undefined ? null : r);
    });
    return out;
  } finally {
    await pool.close();
  }
}

const score = (e: Map<string, Float32Array | null>, a: string, b: string) => {
  const x = e.get(a), y = e.get(b);
  return x && y ? similarity(x, y) : -1;
};

async function main() {
  const args = await parseArgs(process.argv.slice(2), USAGE);
  const results: Record<string, unknown> = {};
  const scoreDump: Record<string, unknown> = {};
  for (const pack of args.packs) {
    console.log(`\n== pack ${pack}`);
    const packResult: Record<string, unknown> = {};
    const dump: Record<string, unknown> = {};

    const lfwDir = path.join(args.data, 'lfw150');
    const pairsFile = path.join(lfwDir, 'pairs_available.tsv');
    if (existsSync(pairsFile)) {
      const pairs = readPairs(pairsFile).slice(0, args.limit);
      const files = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
      const t0 = performance.now();
      const emb = await embeddings(args, pack, lfwDir, files);
      const secs = (performance.now() - t0) / 1000;
      const missing = [...emb.values()].filter((v) => v === null).length;
      const scored = pairs.map((p) => ({ same: p.same, score: score(emb, p.a, p.b) }));
      const genuine = scored.filter((p) => p.same).map((p) => p.score);
      const impostor = scored.filter((p) => !p.same).map((p) => p.score);
      const acc = tenFoldAccuracy(scored);
      const eer = equalErrorRate(genuine, impostor);
      const tar = tarAtFar(genuine, impostor, 1e-3);
      console.log(`lfw150 pairs: ${pairs.length} (${genuine.length} same, ${impostor.length} different), ${files.length} images in ${secs.toFixed(1)} s, no face found in ${missing}`);
      console.log(`  10-fold accuracy ${pct(acc.mean, 2)} +- ${pct(acc.std, 2)}   EER ${pct(eer.eer, 2)} (at ${eer.threshold.toFixed(3)})   TAR@FAR1e-3 ${pct(tar.tar, 2)} (threshold ${tar.threshold.toFixed(3)}, ${impostor.length} impostor pairs)`);
      packResult.pairs = {
        dataset: 'lfw150/pairs_available.tsv', pairs: pairs.length, genuinePairs: genuine.length, impostorPairs: impostor.length, imagesWithoutFace: missing,
        tenFoldAccuracy: acc.mean, tenFoldStd: acc.std, eer: eer.eer, eerThreshold: eer.threshold, tarAtFar1e3: tar.tar, thresholdAtFar1e3: tar.threshold, seconds: secs,
      };
      dump.lfwPairs = { genuine, impostor };
    } else console.log(`lfw150/pairs_available.tsv absent in ${args.data}: pairs skipped`);

    const idDir = path.join(args.data, 'identities');
    if (existsSync(idDir)) {
      const ids = listIdentities(idDir);
      const files = ids.flatMap((i) => i.files).slice(0, args.limit);
      const who = new Map(ids.flatMap((i) => i.files.map((f) => [f, i.name] as const)));
      const t0 = performance.now();
      const emb = await embeddings(args, pack, idDir, files);
      const secs = (performance.now() - t0) / 1000;
      const missing = files.filter((f) => !emb.get(f));
      const genuine: number[] = [], impostor: number[] = [];
      let probes = 0, hits = 0;
      for (let i = 0; i < files.length; i++) {
        const a = files[i] as string;
        let best = -Infinity, bestWho = '';
        const mates = files.filter((f) => f !== a && who.get(f) === who.get(a)).length;
        for (let j = 0; j < files.length; j++) {
          if (i === j) continue;
          const b = files[j] as string;
          const s = score(emb, a, b);
          if (j > i) (who.get(a) === who.get(b) ? genuine : impostor).push(s);
          if (s > best) {
            best = s;
            bestWho = who.get(b) as string;
          }
        }
        // Rank-1 needs another image of the same person in the gallery.
        if (mates > 0) {
          probes++;
          if (bestWho === who.get(a) && emb.get(a)) hits++;
        }
      }
      const eer = equalErrorRate(genuine, impostor);
      const rank1 = probes ? hits / probes : 0;
      console.log(`identities: ${ids.length} people, ${files.length} images in ${secs.toFixed(1)} s, no face found in ${missing.length}${missing.length ? ` (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''})` : ''}`);
      console.log(`  rank-1 ${pct(rank1, 2)} (${hits}/${probes} leave-one-out probes)   EER ${pct(eer.eer, 2)} over ${genuine.length} same and ${impostor.length} different pairs`);
      packResult.identification = { dataset: 'identities/', people: ids.length, images: files.length, imagesWithoutFace: missing.length, probes, rank1, eer: eer.eer, seconds: secs };
      dump.identities = { genuine, impostor };
    } else console.log(`identities/ absent in ${args.data}: identification skipped`);

    results[pack] = packResult;
    scoreDump[pack] = dump;
  }
  const first = results[args.packs[0] as string] as Record<string, unknown>;
  // The first pack's figures also sit at the top, the shape other tools read.
  const summary = { bench: 'recognition', data: args.data, machine: machine(), peakRssMb: peakRssMb(), pack: args.packs[0], pairs: first.pairs, identification: first.identification, packs: results };
  console.log(`\npeak RSS ${summary.peakRssMb} MB, load average ${summary.machine.loadAverage.join(' ')}`);
  writeJson(args.json, summary);
  if (args.scores) {
    writeJson(args.scores, {
      note: 'Cosine scores of genuine (same person) and impostor (different people) pairs per pack; -1 where a face was not found.',
      data: args.data,
      packs: scoreDump,
    });
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
