import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPlainDatabase } from '../store/sqlite';
import { CASE_AUTHORITY, PASSPHRASE, PASSWORD, tamperClosedCase, tempWorkstation } from '../testing';

let t: Awaited<ReturnType<typeof tempWorkstation>>;
beforeEach(async () => {
  t = await tempWorkstation();
});
afterEach(async () => t.dispose());

const lastRecord = async (chain: 'case' | 'workstation') => (await t.must('audit.list', { chain, offset: 0, limit: 1 })).records[0];

describe('workstation through the router', () => {
  it('runs first-time set-up, then refuses a second first supervisor', async () => {
    expect(await t.must('session.status', {})).toMatchObject({ firstRun: true, user: null });
    const sup = await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam Supervisor', password: PASSWORD });
    expect(sup.role).toBe('supervisor');
    const again = await t.invoke('session.createFirstSupervisor', { username: 'sup2', displayName: 'X', password: PASSWORD });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('answers a malformed request with a typed error naming the field, and audits it', async () => {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    const r = await t.ws.call('users.add', { username: 'Bad Name!', displayName: 'x', role: 'analyst', password: PASSWORD }, 'test');
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'username' } });
    const r2 = await t.ws.call('users.add', { username: 'ann', displayName: 'Ann', role: 'emperor', password: PASSWORD }, 'test');
    expect(r2).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'role' } });
    for (const junk of [null, 42, 'x', [1, 2], { username: { $gt: '' } }]) {
      const r3 = await t.ws.call('users.add', junk, 'test');
      expect(r3).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(await t.ws.call('no.such.channel', {}, 'test')).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    const rec = await lastRecord('workstation');
    expect(rec).toMatchObject({ action: 'unknown', outcome: 'refused', user: 'sup' });
    const all = await t.must('audit.list', { chain: 'workstation', offset: 0, limit: 50 });
    expect(all.records.filter((x) => x.action === 'users.add' && x.outcome === 'refused')).toHaveLength(7);
  });

  it('never writes a password into the audit record', async () => {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('users.add', { username: 'ann', displayName: 'Ann', role: 'analyst', password: 'ann secret password' });
    const out = await t.must('audit.export', { chain: 'workstation' });
    expect(out.jsonl).not.toContain(PASSWORD);
    expect(out.jsonl).not.toContain('ann secret password');
    expect(out.jsonl).toContain('[redacted]');
  });

  it('refuses what a role may not do, and audits the refusal', async () => {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('users.add', { username: 'aud', displayName: 'Audrey', role: 'auditor', password: PASSWORD });
    await t.must('session.signOut', {});
    expect(await t.invoke('users.list', {})).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    await t.must('session.signIn', { username: 'aud', password: PASSWORD });
    expect(await t.invoke('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await lastRecord('workstation')).toMatchObject({ action: 'cases.create', outcome: 'refused', user: 'aud' });
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('session.signOut', {});
    const a = await t.invoke('session.signIn', { username: 'sup', password: 'nope nope nope' });
    const b = await t.invoke('session.signIn', { username: 'nobody', password: 'nope nope nope' });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ ok: false, error: { code: 'wrong_password' } });
    await t.must('session.signIn', { username: 'sup', password: PASSWORD });
    const records = (await t.must('audit.list', { chain: 'workstation', offset: 0, limit: 3 })).records;
    expect(records[1]).toMatchObject({ action: 'session.signIn', outcome: 'refused', object: 'user:nobody' });
  });

  it('creates, closes and reopens a case, refusing a wrong passphrase, with every step in the case chain', async () => {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    const created = await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
    expect(created).toMatchObject({ reference: CASE_AUTHORITY.reference, members: [{ username: 'sup' }] });
    await t.must('cases.close', {});
    const wrong = await t.invoke('cases.open', { caseId: created.id, passphrase: 'not the passphrase' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'wrong_passphrase', field: 'passphrase' } });
    expect(await lastRecord('workstation')).toMatchObject({ action: 'cases.open', outcome: 'refused', object: `case:${created.id}` });
    await t.must('cases.open', { caseId: created.id, passphrase: PASSPHRASE });
    const chain = await t.must('audit.list', { chain: 'case', offset: 0, limit: 10 });
    expect(chain.records.map((r) => r.action).reverse()).toEqual(['cases.create', 'cases.close', 'cases.open']);
    const v = await t.must('audit.verify', { chain: 'case' });
    expect(v).toMatchObject({ ok: true, records: 4 });
  });

  it('lets a supervisor grant access; the new member opens with their own passphrase', async () => {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('users.add', { username: 'ann', displayName: 'Ann', role: 'analyst', password: PASSWORD });
    const c = await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
    await t.must('cases.grantAccess', { username: 'ann', passphrase: 'ann case passphrase' });
    await t.must('session.signOut', {});
    await t.must('session.signIn', { username: 'ann', password: PASSWORD });
    expect((await t.must('cases.list', {}))[0]).toMatchObject({ id: c.id, hasAccess: true, isOpen: false });
    expect(await t.invoke('cases.open', { caseId: c.id, passphrase: PASSPHRASE })).toMatchObject({ ok: false, error: { code: 'wrong_passphrase' } });
    await t.must('cases.open', { caseId: c.id, passphrase: 'ann case passphrase' });
    expect(await t.invoke('cases.revokeAccess', { username: 'sup' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('lists a case whose folder is missing or whose key slots are damaged as such, not as one the user has no access to', async () => {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    const c = await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
    await t.must('cases.close', {});
    renameSync(c.folder, `${c.folder}.aside`);
    expect((await t.must('cases.list', {}))[0]).toMatchObject({ id: c.id, folder: 'missing' });
    renameSync(`${c.folder}.aside`, c.folder);
    expect((await t.must('cases.list', {}))[0]).toMatchObject({ id: c.id, folder: 'ready', hasAccess: true });
    writeFileSync(path.join(c.folder, 'keyslots.json'), '{"not": "key slots"');
    expect((await t.must('cases.list', {}))[0]).toMatchObject({ id: c.id, folder: 'unreadable', hasAccess: false });
  });

  it('keeps the case chain anchored in the workstation, so a cut-off tail is reported', async () => {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    const c = await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
    await t.must('cases.info', {});
    await t.must('cases.info', {});
    await t.must('cases.close', {});
    // Someone with the key removes the newest records directly in the database.
    await tamperClosedCase(c.folder, 'DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE seq >= 3;');
    await t.must('cases.open', { caseId: c.id, passphrase: PASSPHRASE });
    const v = await t.must('audit.verify', { chain: 'case' });
    expect(v).toMatchObject({ ok: false, firstBad: { seq: 4, reason: expect.stringMatching(/missing/) } });
  });

  /** A workstation with a few records, closed, whose two newest records are then deleted outside Loupe; returns how many it had. */
  async function cutWorkstationTail(): Promise<number> {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('users.add', { username: 'ann', displayName: 'Ann', role: 'analyst', password: PASSWORD });
    await t.must('users.setDisabled', { username: 'ann', disabled: true });
    const records = (await t.must('audit.verify', { chain: 'workstation' })).records;
    await t.ws.close();
    const db = openPlainDatabase(path.join(t.home, 'workstation.db'));
    db.exec(`DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE seq >= ${records - 1};`);
    db.close();
    return records;
  }

  it('keeps the workstation chain anchored outside its database, so a cut-off tail is reported', async () => {
    // Someone removes the newest records of the plaintext workstation database.
    const records = await cutWorkstationTail();
    t = await tempWorkstation('loupe-test-', t.home);
    await t.must('session.signIn', { username: 'sup', password: PASSWORD });
    // The sign-in took the place of a removed record; the anchor still knows how far the chain had gone.
    expect(await t.must('audit.verify', { chain: 'workstation' })).toMatchObject({ ok: false, firstBad: { seq: records, reason: expect.stringMatching(`records ${records} to ${records + 1} are missing`) } });
  });

  it('records in the chain itself that its anchor was found missing or unreadable, so a tail cut together with the anchor is not silent', async () => {
    // The newest records are removed, and the anchor that would have shown it is deleted with them.
    const records = await cutWorkstationTail();
    rmSync(path.join(t.home, 'workstation-audit.anchor'));
    t = await tempWorkstation('loupe-test-', t.home);
    await t.must('session.signIn', { username: 'sup', password: PASSWORD });
    const v = await t.must('audit.verify', { chain: 'workstation' });
    expect(v).toMatchObject({ ok: true, anchorLost: [{ seq: records - 1 }] });
    const { records: lost } = await t.must('audit.list', { chain: 'workstation', offset: 0, limit: 10, object: 'chain:workstation' });
    expect(lost).toMatchObject([{ action: 'audit.anchorLost', outcome: 'failed', details: { problem: 'missing', headSeen: { seq: records - 2 } } }]);

    // A restart with the anchor in place records nothing; a garbled anchor is recorded as unreadable.
    await t.ws.close();
    t = await tempWorkstation('loupe-test-', t.home);
    await t.must('session.signIn', { username: 'sup', password: PASSWORD });
    expect((await t.must('audit.verify', { chain: 'workstation' })).anchorLost).toHaveLength(1);
    await t.ws.close();
    writeFileSync(path.join(t.home, 'workstation-audit.anchor'), 'not an anchor');
    t = await tempWorkstation('loupe-test-', t.home);
    await t.must('session.signIn', { username: 'sup', password: PASSWORD });
    const again = await t.must('audit.verify', { chain: 'workstation' });
    expect(again.anchorLost).toHaveLength(2);
    expect((await t.must('audit.list', { chain: 'workstation', offset: 0, limit: 10, object: 'chain:workstation' })).records[0]).toMatchObject({ details: { problem: expect.stringMatching(/^unreadable/) } });
  });

  it('creates one first supervisor when two first-run requests race', async () => {
    const [a, b] = await Promise.all([
      t.invoke('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD }),
      t.invoke('session.createFirstSupervisor', { username: 'sup2', displayName: 'Sue', password: PASSWORD }),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    expect(a.ok ? b : a).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await t.must('users.list', {})).toHaveLength(1);
  });

  it('opens a case once when two opens race (a double click), and the refused one leaves nothing open behind', async () => {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    const c = await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
    await t.must('cases.close', {});
    const [a, b] = await Promise.all([t.invoke('cases.open', { caseId: c.id, passphrase: PASSPHRASE }), t.invoke('cases.open', { caseId: c.id, passphrase: PASSPHRASE })]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    expect(a.ok ? b : a).toMatchObject({ ok: false, error: { code: 'case_already_open' } });
    await t.must('cases.close', {});
    expect(await t.must('session.status', {})).toMatchObject({ openCase: null });
    expect(await t.must('audit.verify', { chain: 'workstation' })).toMatchObject({ ok: true });
  });

  it('refuses a case folder that holds another case than the one registered there', async () => {
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    const a = await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
    await t.must('cases.close', {});
    const b = await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'OP-TEST/002', passphrase: PASSPHRASE });
    await t.must('cases.close', {});
    renameSync(a.folder, `${a.folder}.aside`);
    renameSync(b.folder, a.folder);
    expect(await t.invoke('cases.open', { caseId: a.id, passphrase: PASSPHRASE })).toMatchObject({ ok: false, error: { code: 'integrity' } });
    expect(await t.must('session.status', {})).toMatchObject({ openCase: null });
  });
});
