/**
 * Cost of a disclosure package's steps on a case database of a chosen size: the copy
 * (VACUUM INTO, then re-key to the package's key), sealing it into a package (argon2id once,
 * then AES-256-GCM chunks), reading it back with every chunk authenticated and the entry
 * hashed, and the re-key under a new case key at import; with the process's peak memory, to
 * show the package streams. Prints figures and writes JSON.
 *
 *   node dist/bench-disclosure.js [--mb 256] [--json out.json]
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { PackageWriter } from '../src/main/disclosure';
import { PackageReader } from '../src/main/disclosure/package-file';
import { openEncryptedDatabase, rekeyDatabase } from '../src/main/store/sqlite';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const targetMb = Number(arg('mb') ?? 256);
const dir = mkdtempSync(path.join(tmpdir(), 'loupe-bench-disclosure-'));
const key = randomBytes(32);
const passphrase = 'a package passphrase for the bench';
const seconds = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;
let peakRss = 0;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

try {
  // Rows shaped like a case's: renditions of ~120 KB and faces with a 2 KB embedding and an 8 KB crop.
  const source = path.join(dir, 'case.db');
  const db = openEncryptedDatabase(source, key, { mustExist: false });
  db.exec('CREATE TABLE exhibits (id INTEGER PRIMARY KEY, display BLOB, thumbnail BLOB); CREATE TABLE faces (id INTEGER PRIMARY KEY, exhibit_id INTEGER, embedding BLOB, crop BLOB);');
  const ex = db.prepare('INSERT INTO exhibits (display, thumbnail) VALUES (?, ?)');
  const face = db.prepare('INSERT INTO faces (exhibit_id, embedding, crop) VALUES (?, ?, ?)');
  const exhibits = Math.ceil((targetMb * 2 ** 20) / 140_000);
  for (let done = 0; done < exhibits; ) {
    db.transaction(() => {
      for (let i = 0; i < 500 && done < exhibits; i++, done++) {
        const id = Number(ex.run(randomBytes(100_000), randomBytes(20_000)).lastInsertRowid);
        for (let f = 0; f < 2; f++) face.run(id, randomBytes(2048), randomBytes(8_000));
      }
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  const rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;

  const copy = path.join(dir, 'copy.db');
  const packageKey = randomBytes(32);
  let t0 = performance.now();
  db.prepare('VACUUM INTO ?').run(copy);
  rekeyDatabase(copy, key, packageKey);
  const copySec = seconds(t0);
  db.close();
  const bytes = statSync(copy).size;

  const pkg = path.join(dir, 'case.loupe');
  t0 = performance.now();
  const writer = await PackageWriter.create(pkg, passphrase);
  const kdfSec = seconds(t0);
  t0 = performance.now();
  const src = await open(copy, 'r');
  for (let at = 0; at < bytes; at += 2 ** 20) {
    const buf = Buffer.alloc(Math.min(2 ** 20, bytes - at));
    await src.read(buf, 0, buf.length, at);
    await writer.write(buf);
  }
  await src.close();
  const written = await writer.finish();
  const sealSec = seconds(t0);

  const back = path.join(dir, 'back.db');
  t0 = performance.now();
  const reader = await PackageReader.open(pkg, passphrase);
  const out = await open(back, 'w');
  const h = createHash('sha256');
  for await (const piece of reader.take(bytes)) {
    h.update(piece);
    await out.write(piece);
  }
  await out.close();
  const packageSha = await reader.end();
  await reader.close();
  const openSec = seconds(t0);
  if (packageSha !== written.sha256) throw new Error('the package read back is not the one written');

  t0 = performance.now();
  rekeyDatabase(back, packageKey, randomBytes(32));
  const rekeySec = seconds(t0);
  clearInterval(sample);

  const mib = bytes / 2 ** 20;
  const result = {
    bench: 'disclosure',
    cpu: cpus()[0]?.model ?? 'unknown',
    load: loadavg().map((x) => Math.round(x * 100) / 100),
    databaseMiB: Math.round(mib),
    packageMiB: Math.round(written.bytes / 2 ** 20),
    copyAndRekeySec: copySec,
    argon2Sec: kdfSec,
    sealSec,
    sealMiBPerSec: Math.round(mib / sealSec),
    openAndHashSec: openSec,
    openMiBPerSec: Math.round(mib / openSec),
    importRekeySec: rekeySec,
    peakRssOverStartMiB: Math.round((peakRss - rssBefore) / 2 ** 20),
  };
  console.log(JSON.stringify(result, null, 2));
  const json = arg('json');
  if (json) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  clearInterval(sample);
  rmSync(dir, { recursive: true, force: true });
}
