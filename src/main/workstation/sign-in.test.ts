import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPlainDatabase } from '../store/sqlite';
import { PASSWORD, tempWorkstation } from '../testing';
import { SIGN_IN_POLICY } from '../users';

type T = Awaited<ReturnType<typeof tempWorkstation>>;

/** The workstation's clock: tests move it instead of sleeping through the waits. */
let clock = 0;
const now = () => new Date(clock);
const later = (seconds: number) => void (clock += seconds * 1000);

let t: T;
beforeEach(async () => {
  clock = Date.parse('2026-03-02T09:00:00Z');
  t = await tempWorkstation('loupe-sign-in-', undefined, now);
  await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
  await t.must('users.add', { username: 'ann', displayName: 'Ann', role: 'analyst', password: PASSWORD });
  await t.must('session.signOut', {});
});
afterEach(async () => t.dispose());

const WRONG = 'not the password at all';
const signIn = (username: string, password = WRONG) => t.invoke('session.signIn', { username, password });
const message = (r: Awaited<ReturnType<typeof signIn>>) => (r.ok ? 'signed in' : `${r.error.code}: ${r.error.message}`);

/** Wrong passwords, each after its wait has passed, until the name locks. */
async function lockOut(username: string): Promise<void> {
  for (let i = 0; i < SIGN_IN_POLICY.lockAfter; i++) {
    later(3600);
    await signIn(username);
  }
}

const workstationRecords = async () => {
  await t.must('session.signIn', { username: 'sup', password: PASSWORD });
  const { records } = await t.must('audit.list', { chain: 'workstation', offset: 0, limit: 1000 });
  return records;
};

describe('sign-in throttling', () => {
  it('makes a name wait after 3 wrong passwords, longer each time, and locks it at the 10th, the right password included', async () => {
    expect(message(await signIn('ann'))).toBe('wrong_password: User name or password is not right.');
    expect(message(await signIn('ann'))).toBe('wrong_password: User name or password is not right.');
    expect(message(await signIn('ann'))).toBe('wrong_password: User name or password is not right. Wait 5 seconds before trying again.');
    // During the wait not even the right password is checked.
    later(4);
    expect(message(await signIn('ann', PASSWORD))).toBe('too_many_attempts: Too many wrong passwords: wait 1 second before trying again.');
    later(1);
    expect(message(await signIn('ann'))).toBe('wrong_password: User name or password is not right. Wait 10 seconds before trying again.');
    later(10);
    expect(message(await signIn('ann'))).toBe('wrong_password: User name or password is not right. Wait 20 seconds before trying again.');
    for (let failures = 6; failures < SIGN_IN_POLICY.lockAfter; failures++) {
      later(3600);
      await signIn('ann');
    }
    later(3600);
    const locked = await signIn('ann');
    expect(locked).toMatchObject({ ok: false, error: { code: 'too_many_attempts', message: expect.stringMatching(/locked after 10 wrong passwords.*supervisor can unlock it/) } });
    later(7 * 24 * 3600);
    expect(await signIn('ann', PASSWORD)).toEqual(locked);

    const records = await workstationRecords();
    expect(records.filter((r) => r.action === 'users.locked')).toEqual([expect.objectContaining({ object: 'user:ann', user: null, details: expect.objectContaining({ failures: 10 }) })]);
    expect(records.filter((r) => r.action === 'session.signIn' && r.object === 'user:ann' && r.outcome === 'refused')).toHaveLength(12);
  });

  it('answers a name that does not exist exactly as a real one, through the waits and the lock', async () => {
    // Every third attempt comes too soon: both names wait alike, and the 10th counted failure locks both.
    for (let i = 0; i < 15; i++) {
      later(i % 3 === 0 ? 1 : 3600);
      const [real, unknown] = [await signIn('ann'), await signIn('nobody')];
      expect(unknown).toEqual(real);
    }
    later(3600);
    const real = await signIn('ann', PASSWORD);
    expect(real).toMatchObject({ ok: false, error: { code: 'too_many_attempts', message: expect.stringMatching(/locked/) } });
    expect(await signIn('nobody', PASSWORD)).toEqual(real);
  });

  it('clears the count when the right password is given', async () => {
    await signIn('ann');
    await signIn('ann');
    await t.must('session.signIn', { username: 'ann', password: PASSWORD });
    await t.must('session.signOut', {});
    await signIn('ann');
    expect(message(await signIn('ann'))).toBe('wrong_password: User name or password is not right.');
  });

  it('locks a name only together with the record of the lock: a record that cannot be written leaves no lock', async () => {
    const db = openPlainDatabase(path.join(t.home, 'workstation.db'));
    // A disk that refuses this one record, as a full disk would.
    db.exec(`CREATE TRIGGER refuse_lock_record BEFORE INSERT ON audit WHEN NEW.action = 'users.locked' BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    for (let i = 1; i < SIGN_IN_POLICY.lockAfter; i++) {
      later(3600);
      await signIn('ann');
    }
    later(3600);
    expect(await signIn('ann')).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(db.prepare('SELECT locked_at FROM sign_in_failures WHERE username = ?').get('ann')).toMatchObject({ locked_at: null });
    db.exec('DROP TRIGGER refuse_lock_record');
    db.close();
    later(3600);
    expect(await signIn('ann')).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } });
    expect((await workstationRecords()).filter((r) => r.action === 'users.locked')).toHaveLength(1);
  });

  it('keeps a lock when the workstation restarts', async () => {
    await lockOut('ann');
    await t.ws.close();
    const home = t.home;
    t = await tempWorkstation('', home, now);
    later(3600);
    expect(await signIn('ann', PASSWORD)).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } });
  });

  it('lets a supervisor see and unlock a locked user, recorded; an analyst may not unlock', async () => {
    await lockOut('ann');
    await t.must('session.signIn', { username: 'sup', password: PASSWORD });
    const ann = (await t.must('users.list', {})).find((u) => u.username === 'ann');
    expect(ann).toMatchObject({ failedSignIns: 10, lockedAt: now().toISOString() });
    const unlocked = await t.must('users.unlock', { username: 'ann' });
    expect(unlocked).toMatchObject({ username: 'ann', failedSignIns: 0, lockedAt: null });
    const { records } = await t.must('audit.list', { chain: 'workstation', offset: 0, limit: 1 });
    expect(records[0]).toMatchObject({ action: 'users.unlock', user: 'sup', object: 'user:ann', outcome: 'ok', details: { released: { failures: 10, lockedAt: ann?.lockedAt } } });
    expect(await t.invoke('users.unlock', { username: 'ann' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await t.invoke('users.unlock', { username: 'nobody' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await t.must('session.signOut', {});

    await t.must('session.signIn', { username: 'ann', password: PASSWORD });
    expect(await t.invoke('users.unlock', { username: 'sup' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it("releases the only supervisor's lock by itself after an hour, since nobody could unlock it, and records that", async () => {
    await lockOut('sup');
    const lockedAt = clock;
    later(SIGN_IN_POLICY.soleSupervisorReleaseMinutes * 60 - 1);
    expect(await signIn('sup', PASSWORD)).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } });
    // An analyst's lock never releases by itself.
    await lockOut('ann');
    later(1);
    const records = await workstationRecords();
    expect(records.find((r) => r.action === 'users.unlocked')).toMatchObject({ object: 'user:sup', user: null, details: { automatic: true, lockedAt: new Date(lockedAt).toISOString() } });
    await t.must('session.signOut', {});
    expect(await signIn('ann', PASSWORD)).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } });
  });
});
