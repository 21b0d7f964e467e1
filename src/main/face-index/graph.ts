/*
 * An HNSW graph held in JavaScript memory, in hnswlib's own layout (hnswalg.h: a header,
 * one fixed-size level-0 record per face holding its links, vector and label, then each
 * face's upper-level links). Because it lives in ordinary memory it can be turned into
 * bytes and back without a file, so the index can be sealed and opened on every OS with no
 * plaintext ever written to a disk; and because the layout is hnswlib's, a graph hnswlib
 * built (quickly, in native code) is read as is. Searching and adding follow hnswlib's
 * algorithms (searchKnn, addPoint with the neighbour-selection heuristic), so recall is the
 * same as hnswlib's on the same graph.
 */
import { LoupeError } from '../../shared';

export type Metric = 'ip' | 'l2';

/** hnswlib's header: six size_t, an int and a tableint, four size_t, a double and a size_t. */
export const HNSW_HEADER_BYTES = 96;
const LABEL_BYTES = 8;
const NONE = -1;
const MAX_LABEL = 0xffffffff;
/** A level this high would need more faces than exist (it is -ln(u) * 1/ln(M)); a file claiming one is damaged. */
const MAX_LEVEL = 64;

/** Uniform deviates in [0, 1) by xorshift32, so that a seed fixes the faces' levels and a build can be repeated. */
function levelSource(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

/** A binary max-heap of (distance, node) pairs, largest distance on top; as in hnswlib, a min-heap is this one holding negated distances. */
class Heap {
  private d = new Float64Array(64);
  private n = new Int32Array(64);
  size = 0;
  clear(): void {
    this.size = 0;
  }
  topDistance(): number {
    return this.d[0]!;
  }
  topNode(): number {
    return this.n[0]!;
  }
  push(dist: number, node: number): void {
    if (this.size === this.d.length) {
      const d = new Float64Array(this.size * 2);
      const n = new Int32Array(this.size * 2);
      d.set(this.d);
      n.set(this.n);
      this.d = d;
      this.n = n;
    }
    const ds = this.d;
    const ns = this.n;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (ds[p]! >= dist) break;
      ds[i] = ds[p]!;
      ns[i] = ns[p]!;
      i = p;
    }
    ds[i] = dist;
    ns[i] = node;
  }
  pop(): void {
    const ds = this.d;
    const ns = this.n;
    const size = --this.size;
    const dist = ds[size]!;
    const node = ns[size]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && ds[c + 1]! > ds[c]!) c++;
      if (ds[c]! <= dist) break;
      ds[i] = ds[c]!;
      ns[i] = ns[c]!;
      i = c;
    }
    ds[i] = dist;
    ns[i] = node;
  }
}

export interface GraphOptions {
  metric: Metric;
  dims: number;
  capacity: number;
  m: number;
  efConstruction: number;
  seed: number;
}

export class HnswGraph {
  private maxElements: number;
  private count = 0;
  /** Bytes of one level-0 record: count word, maxM0 links, the vector, the label. */
  private readonly recordBytes: number;
  private readonly recordWords: number;
  private readonly dataWord: number;
  private readonly labelWord: number;
  private readonly upperWords: number;
  private maxLevel = NONE;
  private entry = NONE;
  private readonly mult: number;
  private u32: Uint32Array;
  private f32: Float32Array;
  private levels: Uint8Array;
  private upper: (Uint32Array | null)[];
  private readonly nodeOf = new Map<number, number>();
  private visited: Uint32Array;
  private visitTag = 0;
  private deleted = 0;
  private readonly random: () => number;
  private readonly top = new Heap();
  /** Negated distances: the nearest unexpanded node on top. */
  private readonly frontier = new Heap();

  private constructor(
    readonly metric: Metric,
    readonly dims: number,
    capacity: number,
    readonly m: number,
    readonly maxM0: number,
    readonly efConstruction: number,
    mult: number,
    seed: number,
  ) {
    this.maxElements = Math.max(1, capacity);
    this.recordBytes = 4 + maxM0 * 4 + dims * 4 + LABEL_BYTES;
    this.recordWords = this.recordBytes / 4;
    this.dataWord = 1 + maxM0;
    this.labelWord = this.dataWord + dims;
    this.upperWords = 1 + m;
    this.mult = mult;
    this.u32 = new Uint32Array(this.maxElements * this.recordWords);
    this.f32 = new Float32Array(this.u32.buffer);
    this.levels = new Uint8Array(this.maxElements);
    this.upper = new Array<Uint32Array | null>(this.maxElements).fill(null);
    this.visited = new Uint32Array(this.maxElements);
    this.random = levelSource(seed);
  }

  static create(o: GraphOptions): HnswGraph {
    if (!Number.isInteger(o.m) || o.m < 2 || o.m > 0x7fff) throw new LoupeError('invalid_input', `The graph degree M must be a whole number from 2 to ${0x7fff} (got ${o.m}).`);
    if (!Number.isInteger(o.efConstruction) || o.efConstruction < 1) throw new LoupeError('invalid_input', `The build beam must be a positive whole number (got ${o.efConstruction}).`);
    return new HnswGraph(o.metric, o.dims, o.capacity, o.m, 2 * o.m, Math.max(o.efConstruction, o.m), 1 / Math.log(o.m), o.seed);
  }

  /** Faces held, deleted ones included (they keep their place and still guide searches). */
  get size(): number {
    return this.count;
  }

  get deletedCount(): number {
    return this.deleted;
  }

  private distance(q: Float32Array, node: number): number {
    const f = this.f32;
    const dims = this.dims;
    let off = node * this.recordWords + this.dataWord;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let i = 0;
    if (this.metric === 'l2') {
      for (; i + 3 < dims; i += 4, off += 4) {
        const x0 = q[i]! - f[off]!;
        const x1 = q[i + 1]! - f[off + 1]!;
        const x2 = q[i + 2]! - f[off + 2]!;
        const x3 = q[i + 3]! - f[off + 3]!;
        a0 += x0 * x0;
        a1 += x1 * x1;
        a2 += x2 * x2;
        a3 += x3 * x3;
      }
      for (; i < dims; i++, off++) a0 += (q[i]! - f[off]!) ** 2;
      return a0 + a1 + a2 + a3;
    }
    for (; i + 3 < dims; i += 4, off += 4) {
      a0 += q[i]! * f[off]!;
      a1 += q[i + 1]! * f[off + 1]!;
      a2 += q[i + 2]! * f[off + 2]!;
      a3 += q[i + 3]! * f[off + 3]!;
    }
    for (; i < dims; i++, off++) a0 += q[i]! * f[off]!;
    return 1 - (a0 + a1 + a2 + a3);
  }

  private vectorOf(node: number): Float32Array {
    const at = node * this.recordWords + this.dataWord;
    return this.f32.subarray(at, at + this.dims);
  }

  private labelOf(node: number): number {
    return this.u32[node * this.recordWords + this.labelWord]!;
  }

  private isDeleted(node: number): boolean {
    return ((this.u32[node * this.recordWords]! >>> 16) & 1) === 1;
  }

  /** The array and offset of a node's link list at a level: a count word, then the links. */
  private links(node: number, level: number): [Uint32Array, number] {
    if (level === 0) return [this.u32, node * this.recordWords];
    return [this.upper[node]!, (level - 1) * this.upperWords];
  }

  private nextVisit(): number {
    if (++this.visitTag === 0xffffffff) {
      this.visited.fill(0);
      this.visitTag = 1;
    }
    return this.visitTag;
  }

  /** Greedy walk down the upper levels to `stopAbove`, as hnswlib does before the beam search. */
  private descend(q: Float32Array, from: number, fromLevel: number, stopAbove: number): number {
    let node = from;
    let best = this.distance(q, node);
    for (let level = fromLevel; level > stopAbove; level--) {
      let changed = true;
      while (changed) {
        changed = false;
        const [a, at] = this.links(node, level);
        const n = a[at]! & 0xffff;
        for (let j = 1; j <= n; j++) {
          const c = a[at + j]!;
          const d = this.distance(q, c);
          if (d < best) {
            best = d;
            node = c;
            changed = true;
          }
        }
      }
    }
    return node;
  }

  /**
   * hnswlib's beam search of one level: leaves the ef closest accepted nodes in this.top.
   * Deleted nodes (and those `accept` refuses) are walked through but never kept.
   */
  private beam(q: Float32Array, start: number, level: number, ef: number, accept: ((node: number) => boolean) | null): void {
    const top = this.top;
    const frontier = this.frontier;
    top.clear();
    frontier.clear();
    const tag = this.nextVisit();
    const visited = this.visited;
    const d0 = this.distance(q, start);
    let bound = Infinity;
    if (accept === null || accept(start)) {
      top.push(d0, start);
      bound = d0;
    }
    frontier.push(-d0, start);
    visited[start] = tag;
    const words = this.recordWords;
    while (frontier.size > 0) {
      const dist = -frontier.topDistance();
      if (dist > bound && top.size >= ef) break;
      const node = frontier.topNode();
      frontier.pop();
      const a = level === 0 ? this.u32 : this.upper[node]!;
      const at = level === 0 ? node * words : (level - 1) * this.upperWords;
      const n = a[at]! & 0xffff;
      for (let j = 1; j <= n; j++) {
        const c = a[at + j]!;
        if (visited[c] === tag) continue;
        visited[c] = tag;
        const d = this.distance(q, c);
        if (top.size < ef || d < bound) {
          frontier.push(-d, c);
          if (accept === null || accept(c)) top.push(d, c);
          if (top.size > ef) top.pop();
          if (top.size > 0) bound = top.topDistance();
        }
      }
    }
  }

  /** Labels of (about) the k nearest live faces, nearest first; `allowed` restricts them by label. */
  search(q: Float32Array, k: number, ef: number, allowed?: (label: number) => boolean): number[] {
    if (q.length !== this.dims) throw new LoupeError('invalid_input', `The query has ${q.length} values where the graph holds ${this.dims}.`);
    if (this.entry === NONE) return [];
    const start = this.descend(q, this.entry, this.maxLevel, 0);
    const filtered = this.deleted > 0 || allowed !== undefined;
    this.beam(q, start, 0, Math.max(ef, k), filtered ? (node) => !this.isDeleted(node) && (allowed === undefined || allowed(this.labelOf(node))) : null);
    const top = this.top;
    while (top.size > k) top.pop();
    const out: number[] = new Array<number>(top.size);
    for (let i = top.size - 1; i >= 0; i--) {
      out[i] = this.labelOf(top.topNode());
      top.pop();
    }
    return out;
  }

  has(label: number): boolean {
    const node = this.nodeOf.get(label);
    return node !== undefined && !this.isDeleted(node);
  }

  /** Labels of every face held, deleted ones included. */
  labels(): number[] {
    return [...this.nodeOf.keys()];
  }

  /** Labels of the deleted faces. */
  deletedLabels(): number[] {
    const out: number[] = [];
    for (const [label, node] of this.nodeOf) if (this.isDeleted(node)) out.push(label);
    return out;
  }

  /** A copy of the vector held for a label. */
  point(label: number): Float32Array {
    const node = this.nodeOf.get(label);
    if (node === undefined) throw new LoupeError('not_found', `Face ${label} is not in the graph.`);
    return Float32Array.from(this.vectorOf(node));
  }

  markDeleted(label: number): void {
    const node = this.nodeOf.get(label);
    if (node === undefined || this.isDeleted(node)) return;
    this.u32[node * this.recordWords] = this.u32[node * this.recordWords]! | (1 << 16);
    this.deleted++;
  }

  private grow(capacity: number): void {
    const u32 = new Uint32Array(capacity * this.recordWords);
    u32.set(this.u32.subarray(0, this.count * this.recordWords));
    this.u32 = u32;
    this.f32 = new Float32Array(u32.buffer);
    const levels = new Uint8Array(capacity);
    levels.set(this.levels.subarray(0, this.count));
    this.levels = levels;
    this.upper.length = capacity;
    this.upper.fill(null, this.count);
    this.visited = new Uint32Array(capacity);
    this.visitTag = 0;
    this.maxElements = capacity;
  }

  /**
   * hnswlib's neighbour-selection heuristic: from candidates (this.top, any order), keeps
   * at most `keep`, nearest first, each closer to the point than to any already kept.
   * Returns the kept nodes, nearest first.
   */
  private select(keep: number): number[] {
    const top = this.top;
    const all: { d: number; n: number }[] = [];
    while (top.size > 0) {
      all.push({ d: top.topDistance(), n: top.topNode() });
      top.pop();
    }
    all.reverse();
    if (all.length < keep) return all.map((c) => c.n);
    const kept: number[] = [];
    for (const c of all) {
      if (kept.length >= keep) break;
      const v = this.vectorOf(c.n);
      if (kept.every((k) => this.distance(v, k) >= c.d)) kept.push(c.n);
    }
    return kept;
  }

  /** Links `node` at `level` to its selected neighbours, and each of them back to it (pruned by the heuristic when full). */
  private connect(node: number, level: number, selected: number[]): void {
    const max = level === 0 ? this.maxM0 : this.m;
    const [a, at] = this.links(node, level);
    a[at] = (a[at]! & 0xffff0000) | selected.length;
    selected.forEach((s, i) => (a[at + 1 + i] = s));
    for (const s of selected) {
      const [b, bt] = this.links(s, level);
      const n = b[bt]! & 0xffff;
      let present = false;
      for (let j = 1; j <= n; j++) if (b[bt + j] === node) present = true;
      if (present) continue;
      if (n < max) {
        b[bt + 1 + n] = node;
        b[bt] = (b[bt]! & 0xffff0000) | (n + 1);
        continue;
      }
      const sv = this.vectorOf(s);
      this.top.clear();
      this.top.push(this.distance(sv, node), node);
      for (let j = 1; j <= n; j++) this.top.push(this.distance(sv, b[bt + j]!), b[bt + j]!);
      const kept = this.select(max);
      kept.forEach((k, i) => (b[bt + 1 + i] = k));
      b[bt] = (b[bt]! & 0xffff0000) | kept.length;
    }
  }

  /** Adds a face, or replaces the vector of one held (a deleted one comes back). */
  add(label: number, vector: Float32Array): void {
    if (!Number.isInteger(label) || label < 0 || label > MAX_LABEL) throw new LoupeError('invalid_input', `Face id ${label} cannot be indexed: ids are integers from 0 to ${MAX_LABEL}.`);
    if (vector.length !== this.dims) throw new LoupeError('invalid_input', `The vector has ${vector.length} values where the graph holds ${this.dims}.`);
    const existing = this.nodeOf.get(label);
    if (existing !== undefined) {
      this.replace(existing, vector);
      return;
    }
    if (this.count >= this.maxElements) this.grow(Math.max(this.count * 2, this.count + 1024));
    const node = this.count++;
    const level = Math.min(MAX_LEVEL, Math.floor(-Math.log(1 - this.random()) * this.mult));
    const base = node * this.recordWords;
    this.u32.fill(0, base, base + this.recordWords);
    this.f32.set(vector, base + this.dataWord);
    this.u32[base + this.labelWord] = label;
    this.levels[node] = level;
    this.upper[node] = level > 0 ? new Uint32Array(level * this.upperWords) : null;
    this.nodeOf.set(label, node);
    if (this.entry === NONE) {
      this.entry = node;
      this.maxLevel = level;
      return;
    }
    this.link(node, level, vector);
    if (level > this.maxLevel) {
      this.entry = node;
      this.maxLevel = level;
    }
  }

  /** Finds a node's neighbours on each of its levels, from the entry point down, and connects it. */
  private link(node: number, level: number, vector: Float32Array): void {
    let from = this.entry;
    if (level < this.maxLevel) from = this.descend(vector, from, this.maxLevel, level);
    const notSelf = (n: number) => n !== node && !this.isDeleted(n);
    for (let l = Math.min(level, this.maxLevel); l >= 0; l--) {
      this.beam(vector, from, l, this.efConstruction, notSelf);
      if (this.top.size === 0) continue;
      const selected = this.select(this.m);
      this.connect(node, l, selected);
      from = selected[0]!;
    }
  }

  private replace(node: number, vector: Float32Array): void {
    if (this.isDeleted(node)) {
      this.u32[node * this.recordWords] = this.u32[node * this.recordWords]! & ~(1 << 16);
      this.deleted--;
    }
    this.f32.set(vector, node * this.recordWords + this.dataWord);
    if (node === this.entry && this.count === 1) return;
    if (node === this.entry) {
      // Entering through the node being re-linked would find only itself: enter through one of its neighbours.
      const [a, at] = this.links(node, 0);
      if ((a[at]! & 0xffff) === 0) return;
      const saved = this.entry;
      this.entry = a[at + 1]!;
      const savedLevel = this.maxLevel;
      this.maxLevel = 0;
      this.link(node, 0, vector);
      this.entry = saved;
      this.maxLevel = savedLevel;
      return;
    }
    this.link(node, this.levels[node]!, vector);
  }

  /** Size of hnswlib's file for this graph. */
  get byteLength(): number {
    let upper = 0;
    for (let node = 0; node < this.count; node++) upper += 4 + (this.upper[node]?.byteLength ?? 0);
    return HNSW_HEADER_BYTES + this.count * this.recordBytes + upper;
  }

  /** hnswlib's file, as chunks of bytes: the header, the level-0 records, then each face's upper links. */
  *bytes(): Generator<Uint8Array> {
    const head = Buffer.alloc(HNSW_HEADER_BYTES);
    head.writeBigUInt64LE(0n, 0);
    head.writeBigUInt64LE(BigInt(this.maxElements), 8);
    head.writeBigUInt64LE(BigInt(this.count), 16);
    head.writeBigUInt64LE(BigInt(this.recordBytes), 24);
    head.writeBigUInt64LE(BigInt(this.labelWord * 4), 32);
    head.writeBigUInt64LE(BigInt(this.dataWord * 4), 40);
    head.writeInt32LE(this.maxLevel, 48);
    head.writeUInt32LE(this.entry === NONE ? 0xffffffff : this.entry, 52);
    head.writeBigUInt64LE(BigInt(this.m), 56);
    head.writeBigUInt64LE(BigInt(this.maxM0), 64);
    head.writeBigUInt64LE(BigInt(this.m), 72);
    head.writeDoubleLE(this.mult, 80);
    head.writeBigUInt64LE(BigInt(this.efConstruction), 88);
    yield head;
    yield new Uint8Array(this.u32.buffer, 0, this.count * this.recordBytes);
    // The upper links, gathered into chunks rather than yielded a few bytes at a time.
    const chunk = new Uint32Array(1 << 20);
    let at = 0;
    for (let node = 0; node < this.count; node++) {
      const up = this.upper[node];
      const words = up?.length ?? 0;
      if (at + 1 + words > chunk.length) {
        yield new Uint8Array(chunk.buffer.slice(0, at * 4));
        at = 0;
      }
      chunk[at++] = words * 4;
      if (up) {
        chunk.set(up, at);
        at += words;
      }
    }
    if (at > 0) yield new Uint8Array(chunk.buffer.slice(0, at * 4));
  }

  /**
   * Reads hnswlib's file from bytes, checking every count and link so that a damaged or
   * foreign file is refused with a reason rather than walked. `seed` drives the levels of
   * faces added later.
   */
  static fromBytes(b: Uint8Array, metric: Metric, dims: number, seed = 100): HnswGraph {
    const bad = (why: string) => new LoupeError('integrity', `The face index graph is damaged: ${why}.`);
    if (b.length < HNSW_HEADER_BYTES) throw bad('it is shorter than its header');
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const num = (at: number) => {
      const v = view.getBigUint64(at, true);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('a header field is out of range');
      return Number(v);
    };
    const [offsetLevel0, maxElements, count, recordBytes, labelOffset, dataOffset] = [0, 8, 16, 24, 32, 40].map(num) as [number, number, number, number, number, number];
    const maxLevel = view.getInt32(48, true);
    const entry = view.getUint32(52, true);
    const maxM = num(56);
    const maxM0 = num(64);
    const m = num(72);
    const mult = view.getFloat64(80, true);
    const efConstruction = num(88);
    if (offsetLevel0 !== 0 || m < 2 || m > 0x7fff || maxM !== m || maxM0 !== 2 * m) throw bad('its degree fields are inconsistent');
    if (dataOffset !== 4 + maxM0 * 4 || labelOffset !== dataOffset + dims * 4 || recordBytes !== labelOffset + LABEL_BYTES) {
      throw bad(`its records do not hold ${dims}-D vectors`);
    }
    if (count > maxElements || (count > 0) !== (maxLevel >= 0) || maxLevel > MAX_LEVEL || (count > 0 && entry >= count)) throw bad('its counts are inconsistent');
    if (!(mult > 0 && Number.isFinite(mult)) || efConstruction < 1) throw bad('its build fields are out of range');
    const g = new HnswGraph(metric, dims, Math.max(count, 1), m, maxM0, efConstruction, mult, seed);
    let at = HNSW_HEADER_BYTES;
    const level0Bytes = count * recordBytes;
    if (b.length < at + level0Bytes) throw bad('it is truncated');
    new Uint8Array(g.u32.buffer).set(b.subarray(at, at + level0Bytes));
    at += level0Bytes;
    g.count = count;
    const upperBytes = g.upperWords * 4;
    for (let node = 0; node < count; node++) {
      if (at + 4 > b.length) throw bad('it is truncated');
      const size = view.getUint32(at, true);
      at += 4;
      if (size % upperBytes !== 0 || size / upperBytes > MAX_LEVEL || at + size > b.length) throw bad(`the upper links of face ${node} are out of range`);
      const level = size / upperBytes;
      g.levels[node] = level;
      if (level > 0) {
        const up = new Uint32Array(size / 4);
        new Uint8Array(up.buffer).set(b.subarray(at, at + size));
        g.upper[node] = up;
        at += size;
      }
    }
    if (at !== b.length) throw bad('it is longer than its contents');
    for (let node = 0; node < count; node++) {
      const level = g.levels[node]!;
      for (let l = 0; l <= level; l++) {
        const [a, s] = g.links(node, l);
        const n = a[s]! & 0xffff;
        if (n > (l === 0 ? maxM0 : m)) throw bad(`face ${node} has too many links`);
        for (let j = 1; j <= n; j++) {
          const c = a[s + j]!;
          if (c >= count || g.levels[c]! < l) throw bad(`face ${node} links to a face that does not exist`);
        }
      }
      const base = node * g.recordWords;
      if (g.u32[base + g.labelWord + 1] !== 0) throw bad(`face ${node} has a label out of range`);
      const label = g.u32[base + g.labelWord]!;
      if (g.nodeOf.has(label)) throw bad(`face ${label} is held twice`);
      g.nodeOf.set(label, node);
      if (g.isDeleted(node)) g.deleted++;
    }
    if (count > 0 && g.levels[entry] !== maxLevel) throw bad('its entry point is not on its top level');
    g.entry = count > 0 ? entry : NONE;
    g.maxLevel = count > 0 ? maxLevel : NONE;
    return g;
  }
}
