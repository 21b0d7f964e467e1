import { cpSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCaseStore } from '../store';
import { CASE_AUTHORITY, PASSPHRASE, PASSWORD, tamperClosedCase, tempWorkstation } from '../testing';

let t: Awaited<ReturnType<typeof tempWorkstation>>;
beforeEach(async () => {
  t = await tempWorkstation('loupe-restore-');
});
afterEach(async () => t.dispose());

const ANN_PASSPHRASE = 'ann case passphrase';

/** The head of a closed case folder's chain, read from its database directly. */
async function headOf(folder: string) {
  const store = await openCaseStore(folder, { username: 'sup', passphrase: PASSPHRASE });
  try {
    return store.audit.head();
  } finally {
    store.close();
  }
}

/** A case backed up (whole folder, case closed), worked on further, then restored from that older copy. */
async function restoredCase() {
  await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
  await t.must('users.add', { username: 'ann', displayName: 'Ann', role: 'analyst', password: PASSWORD });
  const c = await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
  await t.must('cases.grantAccess', { username: 'ann', passphrase: ANN_PASSPHRASE });
  await t.must('cases.close', {});
  const backup = `${c.folder}.backup`;
  cpSync(c.folder, backup, { recursive: true });
  const restored = await headOf(backup);

  await t.must('cases.open', { caseId: c.id, passphrase: PASSPHRASE });
  for (let i = 0; i < 4; i++) await t.must('cases.info', {});
  await t.must('cases.close', {});
  const anchored = await headOf(c.folder);

  rmSync(c.folder, { recursive: true });
  cpSync(backup, c.folder, { recursive: true });
  return { c, restored: restored!, anchored: anchored! };
}

describe('a case restored from an older copy', () => {
  it('is reported behind its anchor until a supervisor accepts it with a reason; both chains record what was lost', async () => {
    const { c, restored, anchored } = await restoredCase();
    expect(anchored.seq - restored.seq).toBe(6);

    await t.must('cases.open', { caseId: c.id, passphrase: PASSPHRASE });
    const refused = await t.must('audit.verify', { chain: 'case' });
    expect(refused).toMatchObject({ ok: false, behindAnchor: true, firstBad: { reason: expect.stringMatching(/missing/) } });
    // Opened again before anyone accepts: the restored head is still the one the copy came back with.
    await t.must('cases.close', {});
    await t.must('cases.open', { caseId: c.id, passphrase: PASSPHRASE });

    expect(await t.invoke('cases.acceptRestored', { reason: 'short' })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'reason' } });
    const reason = 'Disk failure on 2 March; case folder restored from the nightly backup';
    const acceptance = await t.must('cases.acceptRestored', { reason });
    expect(acceptance).toEqual({ anchored, restored, recordsLost: 6, reason });

    const [caseRecord] = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 1 })).records;
    expect(caseRecord).toMatchObject({ action: 'cases.acceptRestored', user: 'sup', outcome: 'ok', object: `case:${c.id}`, details: { acceptance } });
    const workstation = (await t.must('audit.list', { chain: 'workstation', offset: 0, limit: 100 })).records;
    expect(workstation.find((r) => r.action === 'cases.restoreAccepted')).toMatchObject({ user: 'sup', object: `case:${c.id}`, details: acceptance });

    expect(await t.must('audit.verify', { chain: 'case' })).toMatchObject({ ok: true });
    expect(await t.invoke('cases.acceptRestored', { reason })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // The chain stays anchored as it grows, across a close and an open.
    await t.must('cases.close', {});
    await t.must('cases.open', { caseId: c.id, passphrase: PASSPHRASE });
    expect(await t.must('audit.verify', { chain: 'case' })).toMatchObject({ ok: true });
  });

  it('may not be accepted by an analyst', async () => {
    const { c } = await restoredCase();
    await t.must('session.signOut', {});
    await t.must('session.signIn', { username: 'ann', password: PASSWORD });
    await t.must('cases.open', { caseId: c.id, passphrase: ANN_PASSPHRASE });
    expect(await t.invoke('cases.acceptRestored', { reason: 'I would like this to go away' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await t.must('audit.verify', { chain: 'case' })).toMatchObject({ ok: false, behindAnchor: true });
  });

  it('is refused when the restored chain is itself broken, and when nothing was restored', async () => {
    const { c } = await restoredCase();
    await tamperClosedCase(c.folder, "DROP TRIGGER audit_append_only_update; UPDATE audit SET user = 'someone' WHERE seq = 2;");
    await t.must('cases.open', { caseId: c.id, passphrase: PASSPHRASE });
    expect(await t.must('audit.verify', { chain: 'case' })).toMatchObject({ ok: false, firstBad: { seq: 2 } });
    expect(await t.must('audit.verify', { chain: 'case' })).not.toHaveProperty('behindAnchor');
    expect(await t.invoke('cases.acceptRestored', { reason: 'Restored from the nightly backup' })).toMatchObject({ ok: false, error: { code: 'integrity', message: expect.stringMatching(/broken at record 2/) } });

    await t.must('cases.close', {});
    await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'OP-TEST/002', passphrase: PASSPHRASE });
    expect(await t.invoke('cases.acceptRestored', { reason: 'Restored from the nightly backup' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});
