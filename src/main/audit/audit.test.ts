import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaseStore, openWorkstationStore, type CaseStore, type Db } from '../store';
import { tamperingConnection } from '../testing';
import { AuditLog, fileAnchor, verifyExport } from './index';

let dir: string;
let store: CaseStore;
let db: Db;
let log: AuditLog;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-audit-'));
  store = await createCaseStore(
    path.join(dir, 'case'),
    { id: 'case-audit-1', reference: 'A/1', title: 't', offenceCategory: 'fraud', purpose: 'p', legalBasis: 'l', authorisedBy: 'a', retentionDate: '2030-01-01', createdAt: '2026-01-01T00:00:00Z', createdBy: 'alice' },
    { username: 'alice', passphrase: 'a long passphrase 1' },
  );
  log = new AuditLog(store.audit, 'case', store.id, () => new Date());
  db = tamperingConnection(store);
  for (let i = 1; i <= 6; i++) log.append({ user: 'alice', action: 'test.step', object: `step:${i}`, outcome: 'ok', details: { i, note: `step ${i}` } });
});
afterEach(() => {
  db.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What an attacker with the key can do: drop the append-only triggers and edit rows. */
const tamper = (sql: string) => {
  db.exec('DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete;');
  db.exec(sql);
};

describe('audit chain', () => {
  it('verifies an untouched chain and refuses edits through SQL while the triggers stand', () => {
    expect(log.verify()).toMatchObject({ ok: true, records: 6 });
    expect(() => db.exec("UPDATE audit SET user = 'mallory' WHERE seq = 2")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit WHERE seq = 2')).toThrow(/append-only/);
  });

  it('names an edited record', () => {
    tamper(`UPDATE audit SET details = '{"i":3,"note":"nothing happened"}' WHERE seq = 3`);
    expect(log.verify()).toMatchObject({ ok: false, firstBad: { seq: 3, reason: expect.stringMatching(/edited/) } });
  });

  it('names an edited user or time even when the details are untouched', () => {
    tamper(`UPDATE audit SET user = 'bob' WHERE seq = 4`);
    expect(log.verify().firstBad?.seq).toBe(4);
  });

  it('names a deleted record', () => {
    tamper('DELETE FROM audit WHERE seq = 2');
    expect(log.verify()).toMatchObject({ ok: false, firstBad: { seq: 2, reason: expect.stringMatching(/missing/) } });
  });

  it('names reordered records', () => {
    // Swap the content of 2 and 3, keeping the sequence numbers.
    tamper(`
      CREATE TEMP TABLE swap AS SELECT * FROM audit WHERE seq IN (2, 3);
      UPDATE audit SET time = (SELECT time FROM swap WHERE seq = 3), user = (SELECT user FROM swap WHERE seq = 3), action = (SELECT action FROM swap WHERE seq = 3), object = (SELECT object FROM swap WHERE seq = 3), details = (SELECT details FROM swap WHERE seq = 3), prev_hash = (SELECT prev_hash FROM swap WHERE seq = 3), hash = (SELECT hash FROM swap WHERE seq = 3) WHERE seq = 2;
      UPDATE audit SET time = (SELECT time FROM swap WHERE seq = 2), user = (SELECT user FROM swap WHERE seq = 2), action = (SELECT action FROM swap WHERE seq = 2), object = (SELECT object FROM swap WHERE seq = 2), details = (SELECT details FROM swap WHERE seq = 2), prev_hash = (SELECT prev_hash FROM swap WHERE seq = 2), hash = (SELECT hash FROM swap WHERE seq = 2) WHERE seq = 3;`);
    expect(log.verify()).toMatchObject({ ok: false, firstBad: { seq: 2 } });
  });

  it('names an inserted record, even one given a plausible hash', () => {
    // Shift 4..6 up by one and put a forged record at 4 that links to 3.
    tamper(`
      UPDATE audit SET seq = seq + 100 WHERE seq >= 4;
      UPDATE audit SET seq = seq - 99 WHERE seq >= 104;
      INSERT INTO audit (seq, time, user, action, object, outcome, details, prev_hash, hash)
        SELECT 4, time, 'mallory', 'test.forged', NULL, 'ok', '{}', hash, hash FROM audit WHERE seq = 3;`);
    const v = log.verify();
    expect(v.ok).toBe(false);
    expect(v.firstBad?.seq).toBe(4);
  });

  it('detects a cut-off tail against the anchor kept outside the case', () => {
    const anchor = log.head();
    tamper('DELETE FROM audit WHERE seq >= 5');
    expect(log.verify().ok).toBe(true);
    expect(log.verify(anchor)).toMatchObject({ ok: false, firstBad: { seq: 5, reason: expect.stringMatching(/missing/) } });
  });

  it('exports JSON lines that verify on their own, and catches an edit in the file', () => {
    const out = log.export();
    expect(out.records).toBe(6);
    expect(verifyExport(out.jsonl)).toMatchObject({ ok: true, records: 6, headHash: out.headHash });
    const forged = out.jsonl.replace('step 5', 'step five');
    expect(verifyExport(forged)).toMatchObject({ ok: false, firstBad: { seq: 5 } });
    const truncated = out.jsonl.split('\n').slice(0, 5).join('\n');
    expect(verifyExport(truncated).ok).toBe(false);
  });

  it('names a damaged line of an export by its place, rather than failing to read the file', () => {
    const lines = log.export().jsonl.split('\n');
    lines[3] = '{"seq": 3, "time": "2026-';
    expect(verifyExport(lines.join('\n'))).toMatchObject({ ok: false, records: 2, firstBad: { seq: 3, reason: expect.stringMatching(/line 4/) } });
    expect(verifyExport('not an export\n')).toMatchObject({ ok: false, firstBad: { seq: 0, reason: expect.stringMatching(/header/) } });
  });

  it('still lists a record whose details were replaced by something else than an object, and names it', () => {
    tamper(`UPDATE audit SET details = '[1,2]' WHERE seq = 2`);
    expect(log.list(0, 10).records.find((r) => r.seq === 2)?.details).toEqual({ unreadable: '[1,2]' });
    expect(log.verify()).toMatchObject({ ok: false, firstBad: { seq: 2 } });
  });

  it('lists only the records about one object when asked, newest first, counted alone', () => {
    log.append({ user: 'bob', action: 'review.get', object: 'step:2', outcome: 'ok', details: {} });
    const about2 = log.list(0, 10, 'step:2');
    expect(about2.total).toBe(2);
    expect(about2.records.map((r) => [r.seq, r.action])).toEqual([
      [7, 'review.get'],
      [2, 'test.step'],
    ]);
    expect(log.list(1, 10, 'step:2').records.map((r) => r.seq)).toEqual([2]);
    expect(log.list(0, 10, 'step:99')).toEqual({ total: 0, records: [] });
    expect(log.list(0, 10).total).toBe(7);
  });

  it('binds the chain to its case: records moved from another chain do not verify', () => {
    const other = new AuditLog(store.audit, 'case', 'another-case', () => new Date());
    expect(other.verify()).toMatchObject({ ok: false, firstBad: { seq: 1 } });
  });

  it('keeps an action and its record together: a failed append leaves no write behind', () => {
    const before = log.head();
    const entry = { user: 'alice', action: 'test.write', object: null, outcome: 'ok' as const, details: { score: Number.NaN } };
    expect(() => log.record(() => store.writes.setCaseMeta('marker', 'written'), () => entry)).toThrow(/non-finite/);
    expect(store.reads.caseMeta('marker')).toBeNull();
    expect(log.head()).toEqual(before);
    expect(log.record(() => store.writes.setCaseMeta('marker', 'written'), () => ({ ...entry, details: { score: 0.5 } }))).toBeUndefined();
    expect(store.reads.caseMeta('marker')).toBe('written');
    expect(log.verify()).toMatchObject({ ok: true, records: 7 });
  });

  it('keeps neither the write nor the record of an action whose process is killed between the two', () => {
    const file = path.join(dir, 'workstation.db');
    // The child writes, then dies (SIGKILL, no clean-up) before the record is appended.
    const script = `
      import { openWorkstationStore } from './src/main/store/index.ts';
      import { AuditLog } from './src/main/audit/index.ts';
      const store = openWorkstationStore(${JSON.stringify(file)});
      const log = new AuditLog(store.audit, 'workstation', 'crash', () => new Date());
      log.append({ user: 'sup', action: 'before', object: null, outcome: 'ok', details: {} });
      log.record(() => {
        store.writes.setMeta('marker', 'written');
        process.kill(process.pid, 'SIGKILL');
      }, () => ({ user: 'sup', action: 'killed', object: null, outcome: 'ok', details: {} }));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, TSX_DISABLE_CACHE: '1' } });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const ws = openWorkstationStore(file);
    try {
      expect(ws.reads.meta('marker')).toBeNull();
      const after = new AuditLog(ws.audit, 'workstation', 'crash', () => new Date());
      expect(after.verify()).toMatchObject({ ok: true, records: 1 });
    } finally {
      ws.close();
    }
  });

  it('leaves the anchor where it was while a record is inside a larger transaction that a crash could still undo', () => {
    const anchored = new AuditLog(store.audit, 'case', store.id, () => new Date(), fileAnchor(path.join(dir, 'inner.anchor'), store.id));
    anchored.append({ user: 'alice', action: 'test.step', object: null, outcome: 'ok', details: {} });
    const before = anchored.anchor();
    expect(() =>
      store.transaction(() => {
        anchored.append({ user: 'alice', action: 'evidence.exhibit', object: null, outcome: 'ok', details: {} });
        expect(anchored.anchor()).toEqual(before);
        throw new Error('the process dies before the exhibit commits');
      }),
    ).toThrow(/dies/);
    expect(anchored.verify()).toMatchObject({ ok: true });
    anchored.append({ user: 'alice', action: 'test.step', object: null, outcome: 'ok', details: {} });
    expect(anchored.anchor()).toEqual(anchored.head());
  });

  it('moves a kept anchor with each record, and catches a tail cut below it', () => {
    const anchored = new AuditLog(store.audit, 'case', store.id, () => new Date(), fileAnchor(path.join(dir, 'chain.anchor'), store.id));
    anchored.append({ user: 'alice', action: 'test.step', object: null, outcome: 'ok', details: {} });
    expect(anchored.anchor()).toEqual(anchored.head());
    tamper('DELETE FROM audit WHERE seq >= 6');
    expect(anchored.verify()).toMatchObject({ ok: false, firstBad: { seq: 6, reason: expect.stringMatching(/records 6 to 7 are missing/) } });
    // Records appended after the cut do not move the anchor past the evidence.
    anchored.append({ user: 'mallory', action: 'test.cover', object: null, outcome: 'ok', details: {} });
    anchored.append({ user: 'mallory', action: 'test.cover', object: null, outcome: 'ok', details: {} });
    expect(anchored.anchor()?.seq).toBe(7);
    expect(anchored.verify()).toMatchObject({ ok: false, firstBad: { seq: 7 } });
  });
});
