/**
 * Cost of checking a case database's integrity: SQLite's quick_check and integrity_check
 * on a SQLCipher file of a chosen size, laid out like a case (face rows with 2 KB
 * embeddings and an index, exhibits with JPEG-sized renditions). Every page is decrypted
 * and its HMAC checked, so the cost grows with the file. Prints figures and writes JSON.
 *
 *   node dist/bench-case-check.js [--mb 1024] [--json out.json]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { openEncryptedDatabase } from '../src/main/store/sqlite';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const targetMb = Number(arg('mb') ?? 1024);
const dir = mkdtempSync(path.join(tmpdir(), 'loupe-bench-check-'));
const file = path.join(dir, 'case.db');
const key = randomBytes(32);

try {
  const db = openEncryptedDatabase(file, key, { mustExist: false });
  db.exec(`CREATE TABLE exhibits (id INTEGER PRIMARY KEY, sha256 TEXT, display BLOB, thumbnail BLOB);
           CREATE TABLE faces (id INTEGER PRIMARY KEY, exhibit_id INTEGER, embedding BLOB, crop BLOB);
           CREATE INDEX faces_exhibit ON faces(exhibit_id); CREATE INDEX exhibits_sha ON exhibits(sha256);`);
  const ex = db.prepare('INSERT INTO exhibits (sha256, display, thumbnail) VALUES (?, ?, ?)');
  const face = db.prepare('INSERT INTO faces (exhibit_id, embedding, crop) VALUES (?, ?, ?)');
  // Per exhibit about 120 KB of renditions and two faces of 2 KB embedding and 8 KB crop.
  const perExhibit = 120_000 + 2 * 10_000;
  const exhibits = Math.ceil((targetMb * 2 ** 20) / perExhibit);
  const t0 = performance.now();
  for (let done = 0; done < exhibits; ) {
    db.transaction(() => {
      for (let i = 0; i < 500 && done < exhibits; i++, done++) {
        const id = Number(ex.run(randomBytes(32).toString('hex'), randomBytes(100_000), randomBytes(20_000)).lastInsertRowid);
        for (let f = 0; f < 2; f++) face.run(id, randomBytes(2048), randomBytes(8_000));
      }
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const writeSec = (performance.now() - t0) / 1000;
  const bytes = statSync(file).size;

  const time = (what: string) => {
    const d = openEncryptedDatabase(file, key, { mustExist: true });
    const s = performance.now();
    const r = d.pragma(what) as { [k: string]: string }[];
    const ms = performance.now() - s;
    d.close();
    if (Object.values(r[0] ?? {})[0] !== 'ok') throw new Error(`${what} did not pass: ${JSON.stringify(r)}`);
    return ms;
  };
  const quickMs = time('quick_check');
  const fullMs = time('integrity_check');
  const result = {
    bench: 'case-check',
    cpu: cpus()[0]?.model ?? 'unknown',
    load: loadavg().map((x) => Math.round(x * 100) / 100),
    fileMiB: Math.round(bytes / 2 ** 20),
    exhibits,
    faces: exhibits * 2,
    writeSec: Math.round(writeSec * 10) / 10,
    quickCheckMs: Math.round(quickMs),
    integrityCheckMs: Math.round(fullMs),
    quickMiBPerSec: Math.round(bytes / 2 ** 20 / (quickMs / 1000)),
  };
  console.log(JSON.stringify(result, null, 2));
  const out = arg('json');
  if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
