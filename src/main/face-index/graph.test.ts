import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gaussian, normalise } from '../testing';
import { HnswGraph } from './graph';
import { NativeGraph } from './native-graph';
import { DEFAULT_RAM_DIR, ramFolderAvailable } from './sealed-file';

const DIMS = 48;

/** Unit vectors around `clusters` centres, like the projected embeddings of many people. */
function points(n: number, seed: number, clusters = 40): Float32Array[] {
  const g = gaussian(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: DIMS }, g));
  return Array.from({ length: n }, (_, i) => normalise(centres[i % clusters]!.map((x) => 0.4 * x + g())));
}

function nearest(q: Float32Array, rows: Float32Array[], k: number, keep: (label: number) => boolean = () => true): number[] {
  return rows
    .map((r, i) => ({ i, d: r.reduce((s, x, j) => s + (x - q[j]!) ** 2, 0) }))
    .filter((x) => keep(x.i))
    .sort((a, b) => a.d - b.d)
    .slice(0, k)
    .map((x) => x.i);
}

const shape = { metric: 'l2' as const, dims: DIMS, capacity: 16, m: 16, efConstruction: 100, seed: 3 };
const rows = points(3000, 1);
const probes = points(20, 2);

/** hnswlib's own file for these rows, through the RAM folder (hnswlib writes only to a path). */
async function nativeFile(graph: NativeGraph, name: string): Promise<Buffer> {
  const file = path.join(DEFAULT_RAM_DIR, `loupe-graph-test-${process.pid}-${name}.hnsw`);
  try {
    await graph.write(file);
    return await readFile(file);
  } finally {
    await rm(file, { force: true });
  }
}

describe('the graph in memory', () => {
  const graph = HnswGraph.create(shape);
  rows.forEach((r, i) => graph.add(i, r));

  it('finds the nearest faces: with a beam as wide as the gallery, what brute force finds', () => {
    for (const q of probes) expect(graph.search(q, 10, rows.length)).toEqual(nearest(q, rows, 10));
    let found = 0;
    for (const q of probes) {
      const truth = new Set(nearest(q, rows, 20));
      found += graph.search(q, 20, 200).filter((l) => truth.has(l)).length;
    }
    expect(found / (20 * probes.length)).toBeGreaterThanOrEqual(0.98);
  });

  it('honours deletes, filters and replaced vectors', () => {
    const g = HnswGraph.create(shape);
    rows.slice(0, 500).forEach((r, i) => g.add(i, r));
    const q = rows[7]!;
    expect(g.search(q, 1, 100)).toEqual([7]);
    g.markDeleted(7);
    expect(g.has(7)).toBe(false);
    expect(g.deletedCount).toBe(1);
    expect(g.search(q, 5, 500)).not.toContain(7);
    expect(g.search(q, 5, 500, (l) => l % 2 === 0)).toEqual(nearest(q, rows.slice(0, 500), 5, (l) => l % 2 === 0 && l !== 7));
    // Re-adding a deleted face brings it back; adding a held one moves it.
    g.add(7, rows[7]!);
    expect(g.search(q, 1, 100)).toEqual([7]);
    g.add(7, rows[2000]!);
    expect(g.point(7)).toEqual(rows[2000]);
    expect(g.search(rows[2000]!, 1, 500)).toEqual([7]);
    expect(g.size).toBe(500);
  });

  it('round-trips through bytes, answering exactly as before', () => {
    const chunks = [...graph.bytes()];
    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBe(graph.byteLength);
    const back = HnswGraph.fromBytes(bytes, 'l2', DIMS);
    for (const q of probes) expect(back.search(q, 20, 80)).toEqual(graph.search(q, 20, 80));
    expect(back.labels().sort((a, b) => a - b)).toEqual(graph.labels().sort((a, b) => a - b));
  });

  it('refuses damaged bytes with a reason, never walks them', () => {
    const bytes = Buffer.concat([...graph.bytes()]);
    const refuse = (b: Uint8Array, why: RegExp) => expect(() => HnswGraph.fromBytes(b, 'l2', DIMS)).toThrow(why);
    refuse(bytes.subarray(0, 50), /shorter than its header/);
    refuse(bytes.subarray(0, bytes.length - 3), /truncated|out of range|longer/);
    refuse(Buffer.concat([bytes, Buffer.alloc(4)]), /longer than its contents/);
    expect(() => HnswGraph.fromBytes(bytes, 'l2', DIMS + 4)).toThrow(/do not hold 52-D vectors/);
    // A link to a face that does not exist: the first link of face 0.
    const badLink = Buffer.from(bytes);
    badLink.writeUInt32LE(rows.length + 5, 96 + 4);
    refuse(badLink, /links to a face that does not exist/);
  });
});

describe.skipIf(!ramFolderAvailable())("the graph in memory and hnswlib's own", () => {
  it("reads hnswlib's file and answers exactly as hnswlib does, deleted faces and filters included", async () => {
    const native = NativeGraph.create(shape);
    rows.forEach((r, i) => native.add(i, r));
    native.markDeleted(11);
    const mine = HnswGraph.fromBytes(await nativeFile(native, 'read'), 'l2', DIMS);
    expect(mine.deletedCount).toBe(1);
    for (const q of [...probes, rows[11]!]) {
      for (const ef of [20, 100]) expect(mine.search(q, 10, ef)).toEqual(native.search(q, 10, ef));
      expect(mine.search(q, 10, 60, (l) => l % 3 === 0)).toEqual(native.search(q, 10, 60, (l) => l % 3 === 0));
    }
  });

  it('writes a file hnswlib reads, and hnswlib then answers as the graph in memory does', async () => {
    const mine = HnswGraph.create(shape);
    rows.forEach((r, i) => mine.add(i, r));
    mine.markDeleted(5);
    const file = path.join(DEFAULT_RAM_DIR, `loupe-graph-test-${process.pid}-write.hnsw`);
    try {
      await writeFile(file, Buffer.concat([...mine.bytes()]), { mode: 0o600 });
      const native = await NativeGraph.read(file, 'l2', DIMS);
      if (typeof native === 'string') throw new Error(native);
      for (const q of probes) expect(native.search(q, 10, 50)).toEqual(mine.search(q, 10, 50));
      // And it goes on growing there.
      native.add(rows.length, probes[0]!);
      expect(native.search(probes[0]!, 1, 50)).toEqual([rows.length]);
    } finally {
      await rm(file, { force: true });
    }
  });
});
