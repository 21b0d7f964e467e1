import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { api, LoupeError, NO_FACTS, roleRefusal, type User } from '../../shared';
import { AuditLog } from '../audit';
import { randomBytes } from 'node:crypto';
import { openWorkstationStore, type WorkstationStore } from '../store';
import { openEncryptedDatabase } from '../store/sqlite';
import { flipByte } from '../testing/damage';
import { assessmentBody } from '../testing/review';
import { Router } from './index';

const supervisor: User = { id: 'user-000001', username: 'sup', displayName: 'Sam', role: 'supervisor', disabled: false, createdAt: '2026-01-01T00:00:00.000Z', createdBy: null };
const analyst: User = { ...supervisor, id: 'user-000002', username: 'ann', role: 'analyst' };

let dir: string;
let store: WorkstationStore;
let log: AuditLog;
let router: Router;
let caller: User | null;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-router-'));
  store = openWorkstationStore(path.join(dir, 'workstation.db'));
  log = new AuditLog(store.audit, 'workstation', 'router-test', () => new Date());
  caller = supervisor;
  router = new Router({ user: () => caller, facts: () => NO_FACTS, caseAudit: () => null, workstationAudit: () => log });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const lastRecord = () => log.list(0, 1).records[0];

describe('router', () => {
  it('reports a schema failure inside a handler as an internal failure, not as bad input from the caller', async () => {
    router.handle('users.list', () => {
      z.object({ stored: z.string() }).parse({});
      return [];
    });
    expect(await router.call('users.list', {}, 'test')).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(lastRecord()).toMatchObject({ action: 'users.list', outcome: 'failed' });
  });

  it('refuses and audits hostile requests (cyclic, very wide, binary) without breaking the audit record', async () => {
    router.handle('users.list', () => []);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, 'x'.repeat(100)]));
    for (const input of [cyclic, wide, new Uint8Array(100_000)]) {
      expect(await router.call('users.list', input, 'test')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(log.verify()).toMatchObject({ ok: true, records: 3 });
    const records = log.list(0, 3).records;
    expect(records.every((r) => r.outcome === 'refused')).toBe(true);
    expect(JSON.stringify(records).length).toBeLessThan(100_000);
  });

  it('hides every secret field of a request to a channel that does not exist (a mistyped name)', async () => {
    expect(await router.call('session.signln', { username: 'sup', password: 'correct horse battery' }, 'test')).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    expect(JSON.stringify(lastRecord())).not.toContain('correct horse battery');
    expect(lastRecord()?.details).toMatchObject({ input: { username: 'sup', password: '[redacted]' } });
  });

  it('says a database is damaged, and what to do, when a page fails its check after the case opened', async () => {
    const file = path.join(dir, 'case.db');
    const key = randomBytes(32);
    const db = openEncryptedDatabase(file, key, { mustExist: false });
    db.exec('CREATE TABLE t (b BLOB)');
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 200; i++) ins.run(randomBytes(1000));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    flipByte(file, 0.7);
    const damaged = openEncryptedDatabase(file, key, { mustExist: true });
    router.handle('users.list', () => {
      damaged.prepare('SELECT count(*) FROM t WHERE length(b) > 0').get();
      return [];
    });
    const answer = await router.call('users.list', {}, 'test');
    damaged.close();
    expect(answer).toMatchObject({ ok: false, error: { code: 'integrity', message: expect.stringMatching(/damaged \(database disk image is malformed\).*loupe case check.*restore/) } });
  });

  it('answers, never throws, when work after the audit record fails', async () => {
    router.handle('users.list', (_input, ctx) => {
      ctx.afterAudit(() => {
        throw new Error('disk gone');
      });
      return [];
    });
    await expect(router.call('users.list', {}, 'test')).resolves.toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringMatching(/disk gone/) } });
  });

  it('keeps no case content in the plaintext workstation record of a case-scoped call refused for want of an open case', async () => {
    const purpose = 'Identify the man in the red jacket';
    const evidence = '/evidence/OP-SECRET/cctv-kitchen.mp4';
    expect(await router.call('evidence.import', { paths: [evidence] }, 'test')).toMatchObject({ ok: false, error: { code: 'no_case_open' } });
    expect(await router.call('search.run', { purpose, probe: { faceId: 1 } }, 'test')).toMatchObject({ ok: false, error: { code: 'no_case_open' } });
    const records = log.list(0, 10).records;
    expect(records.map((r) => [r.action, r.user, r.outcome, r.details])).toEqual([
      ['search.run', 'sup', 'refused', { transport: 'test', error: { code: 'no_case_open' } }],
      ['evidence.import', 'sup', 'refused', { transport: 'test', error: { code: 'no_case_open' } }],
    ]);
    const files = readdirSync(dir).map((f) => readFileSync(path.join(dir, f)));
    expect(files.some((bytes) => bytes.includes('red jacket') || bytes.includes('cctv-kitchen'))).toBe(false);
  });

  it('keeps the title, offence and purpose of a case that could not be created out of the workstation record', async () => {
    router.handle('cases.create', () => {
      throw new LoupeError('conflict', 'A case with reference OP-1 already exists on this workstation.', 'reference');
    });
    const authority = { reference: 'OP-1', title: 'Robbery at the kitchen', offenceCategory: 'robbery', purpose: 'Find the man in the red jacket', legalBasis: 'PACE', authorisedBy: 'DI Test', retentionDate: '2033-01-01', passphrase: 'staple battery horse correct' };
    expect(await router.call('cases.create', authority, 'test')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const text = JSON.stringify(lastRecord());
    for (const content of ['kitchen', 'red jacket', 'PACE', 'DI Test', 'robbery', 'staple']) expect(text).not.toContain(content);
    expect(lastRecord()?.details).toMatchObject({ input: { reference: 'OP-1', title: '[redacted]' } });
  });

  it("asks the channel's policy on the parsed input before the handler runs, and records the refusal", async () => {
    const ran: string[] = [];
    router.handle('audit.list', (input) => {
      ran.push(input.chain);
      return { total: 0, records: [] };
    });
    caller = analyst;
    expect(await router.call('audit.list', { chain: 'workstation' }, 'test')).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'Only supervisors and auditors may read the workstation audit record.' },
    });
    expect(await router.call('audit.list', { chain: 'case' }, 'test')).toMatchObject({ ok: true });
    expect(ran).toEqual(['case']);
    expect(log.list(0, 2).records.map((r) => [r.action, r.outcome, r.user])).toEqual([
      ['audit.list', 'ok', 'ann'],
      ['audit.list', 'refused', 'ann'],
    ]);
  });

  it("names a call's object from its input as the contract declares, so a policy's refusal is found with the comparison it concerns", async () => {
    const reviewer: User = { ...supervisor, id: 'user-000003', username: 'rita', role: 'reviewer' };
    // The case chain shares the workstation store's table here: the router only needs a log to write to.
    const caseLog = new AuditLog(store.audit, 'case', 'router-test', () => new Date());
    const examinedByRita = { ...NO_FACTS, reviewParticipants: (itemId: number) => ({ examiners: itemId === 7 ? ['rita'] : [], verifiers: [] }) };
    router = new Router({ user: () => caller, facts: () => examinedByRita, caseAudit: () => caseLog, workstationAudit: () => log });
    router.handle('review.verify', () => {
      throw new LoupeError('conflict', 'not reached in this test');
    });
    caller = reviewer;
    expect(await router.call('review.verify', { itemId: 7, body: assessmentBody('strong_same') }, 'test')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(caseLog.list(0, 1).records[0]).toMatchObject({ action: 'review.verify', outcome: 'refused', user: 'rita', object: 'review-item:7' });
    expect(caseLog.list(0, 10, 'review-item:7').records.map((r) => r.outcome)).toEqual(['refused']);
  });

  it('refuses a role with the sentence the UI shows, read from the contract', async () => {
    router.handle('users.list', () => []);
    caller = analyst;
    expect(await router.call('users.list', {}, 'test')).toEqual({ ok: false, error: { code: 'forbidden', message: roleRefusal('analyst', api['users.list'].summary) } });
  });

  it('gives a guarded channel a signed-in user, and a public one a user who may be nobody', async () => {
    // Compiles only because users.setDisabled is guarded: ctx.user is a User, not User | null.
    router.handle('users.setDisabled', (_input, ctx) => ctx.user);
    router.handle('session.status', (_input, ctx) => {
      // @ts-expect-error: nobody may be signed in on a public channel
      const user: User = ctx.user;
      return { firstRun: false, user, openCase: null };
    });
    expect(await router.call('users.setDisabled', { username: 'ann', disabled: true }, 'test')).toEqual({ ok: true, value: supervisor });
    caller = null;
    expect(await router.call('session.status', {}, 'test')).toEqual({ ok: true, value: { firstRun: false, user: null, openCase: null } });
  });

  it("undoes a handler's writes when their audit record cannot be appended, and says nothing was changed", async () => {
    router.handle('users.setDisabled', (_input, ctx) =>
      ctx.commit(() => {
        store.writes.setMeta('marker', 'written');
        // A figure the record cannot hold (not a finite number) makes the append fail after the write.
        ctx.addDetails({ ratio: Number.NaN });
        return supervisor;
      }),
    );
    expect(await router.call('users.setDisabled', { username: 'ann', disabled: true }, 'test')).toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringMatching(/could not be written.*undone with it: nothing was changed/) },
    });
    expect(store.reads.meta('marker')).toBeNull();
    expect(log.verify()).toMatchObject({ ok: true, records: 0 });
  });

  it('records a committed call once, naming what its write made, and a failure after the write as well', async () => {
    let answer: unknown = supervisor;
    router.handle('users.setDisabled', (input, ctx) => {
      ctx.commit(() => {
        store.writes.setMeta('marker', input.username);
        ctx.setObject(`user:${input.username}`);
      });
      return answer as User;
    });
    expect(await router.call('users.setDisabled', { username: 'ann', disabled: true }, 'test')).toMatchObject({ ok: true });
    expect(log.list(0, 10).records.map((r) => [r.action, r.object, r.outcome])).toEqual([['users.setDisabled', 'user:ann', 'ok']]);
    answer = { not: 'a user' };
    expect(await router.call('users.setDisabled', { username: 'bob', disabled: true }, 'test')).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(store.reads.meta('marker')).toBe('bob');
    expect(log.list(0, 2).records.map((r) => [r.object, r.outcome])).toEqual([
      ['user:bob', 'failed'],
      ['user:bob', 'ok'],
    ]);
    expect(log.verify()).toMatchObject({ ok: true, records: 3 });
  });
});
