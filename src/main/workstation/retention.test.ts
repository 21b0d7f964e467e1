import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEASE_FILE } from '../store';
import { openPlainDatabase } from '../store/sqlite';
import { CASE_AUTHORITY, FACES_DIR, PASSPHRASE, PASSWORD, peopleCaseReady, PEOPLE_CASE_MISSING, tempCase } from '../testing';

if (!peopleCaseReady) console.warn(`retention watch-list tests: ${PEOPLE_CASE_MISSING}: skipped`);

let clock = new Date('2026-06-01T10:00:00Z');
const now = () => clock;
const setDay = (day: string) => void (clock = new Date(`${day}T10:00:00Z`));
const REASON = 'Retention agreed with the disclosure officer';

let t: Awaited<ReturnType<typeof tempCase>>;
let caseId: string;
beforeEach(async () => {
  setDay('2026-06-01');
  t = await tempCase(now);
  caseId = (await t.must('cases.info', {})).id;
});
afterEach(async () => t.dispose());

const records = async (chain: 'case' | 'workstation', limit = 50) => (await t.must('audit.list', { chain, offset: 0, limit })).records;
const queueRow = async (id: string) => (await t.must('retention.queue', {})).cases.find((c) => c.caseId === id);

describe('retention of cases', () => {
  it('lists a case past its date, purges it only at the typed reference, and it cannot be opened afterwards', async () => {
    await t.must('cases.close', {});
    const short = await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'OP-SHORT/1', retentionDate: '2026-06-20', passphrase: PASSPHRASE });
    await t.must('cases.close', {});
    // The register knows the date without any case open.
    expect(await queueRow(short.id)).toMatchObject({ reference: 'OP-SHORT/1', retentionDate: '2026-06-20', status: 'due', daysLeft: 19, held: false });
    expect(await queueRow(caseId)).toMatchObject({ status: 'kept' });
    expect(await t.invoke('retention.purge', { caseId: short.id, confirmReference: 'OP-SHORT/1' })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/kept until 2026-06-20/) } });

    setDay('2026-06-21');
    expect(await queueRow(short.id)).toMatchObject({ status: 'overdue', daysLeft: -1 });
    expect((await t.must('retention.queue', {})).cases[0]?.caseId).toBe(short.id);
    // A wrong reference purges nothing.
    expect(await t.invoke('retention.purge', { caseId: short.id, confirmReference: 'OP-SHORT/2' })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'confirmReference' } });
    expect(existsSync(short.folder)).toBe(true);

    // A second name for the key slot file's bytes (as a disk block would keep them) shows they were overwritten, not only unlinked.
    const slotBytes = readFileSync(path.join(short.folder, 'keyslots.json'));
    linkSync(path.join(short.folder, 'keyslots.json'), path.join(t.home, 'slot-bytes'));
    const receipt = await t.must('retention.purge', { caseId: short.id, confirmReference: 'op-short/1' });
    const after = readFileSync(path.join(t.home, 'slot-bytes'));
    expect(after.length).toBe(slotBytes.length);
    expect(after.toString('latin1')).not.toContain('wrappedKey');
    expect(receipt).toMatchObject({ reference: 'OP-SHORT/1', purgedBy: 'sup', keySlotFilesDestroyed: 1, rule: expect.stringMatching(/retention date 2026-06-20 passed/) });
    expect(receipt.proof.ok).toBe(true);
    expect(existsSync(short.folder)).toBe(false);

    // The workstation chain keeps who, when, which case and under which rule.
    const purge = (await records('workstation')).find((r) => r.action === 'retention.purge' && r.outcome === 'ok');
    expect(purge).toMatchObject({ user: 'sup', object: `case:${short.id}`, details: { purge: { reference: 'OP-SHORT/1', retentionDate: '2026-06-20', rule: receipt.rule } } });
    expect((await t.must('audit.verify', { chain: 'workstation' })).ok).toBe(true);

    // It cannot be opened, is no longer listed, its reference is not given again, and verify shows why.
    expect(await t.invoke('cases.open', { caseId: short.id, passphrase: PASSPHRASE })).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringMatching(/purged on 2026-06-21/) } });
    expect((await t.must('cases.list', {})).map((c) => c.id)).not.toContain(short.id);
    expect(await queueRow(short.id)).toMatchObject({ status: 'purged', purgedBy: 'sup' });
    expect(await t.invoke('cases.create', { ...CASE_AUTHORITY, reference: 'OP-SHORT/1', passphrase: PASSPHRASE })).toMatchObject({ ok: false, error: { code: 'conflict', field: 'reference' } });
    const proof = await t.must('retention.verify', { caseId: short.id });
    expect(proof.ok).toBe(true);
    expect(proof.checks.map((c) => c.ok)).toEqual([true, true, true, true]);
    expect(proof.checks[3]?.found).toMatch(/no key slot file/);
    expect(await t.invoke('retention.purge', { caseId: short.id, confirmReference: 'OP-SHORT/1' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('never purges a case another Loupe program has open, and leaves it whole', async () => {
    await t.must('retention.setDate', { retentionDate: '2026-06-01', reason: REASON });
    const folder = (await t.must('cases.info', {})).folder;
    await t.must('cases.close', {});
    setDay('2026-06-02');
    // Another Loupe program (here a process that is running) holds the case's lease.
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(folder, LEASE_FILE), JSON.stringify({ pid: other.pid, host: hostname(), user: 'sup', since: '2026-06-02T09:00:00.000Z' }));
      expect(await t.invoke('retention.purge', { caseId, confirmReference: CASE_AUTHORITY.reference })).toMatchObject({
        ok: false,
        error: { code: 'conflict', message: expect.stringMatching(new RegExp(`^Case ${CASE_AUTHORITY.reference} was not purged\\. This case is open in another Loupe program \\(process ${other.pid} `)) },
      });
      expect(readdirSync(folder)).toEqual(expect.arrayContaining(['case.db', 'keyslots.json']));
    } finally {
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
    }
    expect((await t.must('retention.purge', { caseId, confirmReference: CASE_AUTHORITY.reference })).keySlotFilesDestroyed).toBe(1);
    expect(existsSync(folder)).toBe(false);
  });

  it('verify finds a key slot of a purged case left anywhere under the cases folder', async () => {
    await t.must('retention.setDate', { retentionDate: '2026-06-01', reason: REASON });
    const folder = (await t.must('cases.info', {})).folder;
    await t.must('cases.close', {});
    setDay('2026-06-02');
    const copy = path.join(path.dirname(folder), 'copy-of-case');
    mkdirSync(copy);
    copyFileSync(path.join(folder, 'keyslots.json'), path.join(copy, 'keyslots.json'));
    await t.must('retention.purge', { caseId, confirmReference: CASE_AUTHORITY.reference });
    const proof = await t.must('retention.verify', { caseId });
    expect(proof.ok).toBe(false);
    expect(proof.checks[1]).toMatchObject({ ok: false, found: expect.stringContaining('copy-of-case') });
  });

  it('never purges a held case, nor an open one; the hold and its lifting are recorded with their reasons in the case', async () => {
    await t.must('retention.setDate', { retentionDate: '2026-06-01', reason: REASON });
    const held = await t.must('retention.setHold', { held: true, reason: 'Civil claim notified by the force solicitor' });
    expect(held).toMatchObject({ held: true, heldBy: 'sup', retentionDate: '2026-06-01' });
    setDay('2026-06-05');
    expect(await t.invoke('retention.purge', { caseId, confirmReference: CASE_AUTHORITY.reference })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/open: close it/) } });
    await t.must('cases.close', {});
    expect(await queueRow(caseId)).toMatchObject({ status: 'held', held: true });
    expect(await t.invoke('retention.purge', { caseId, confirmReference: CASE_AUTHORITY.reference })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/legal hold/) } });
    expect(existsSync(path.join(t.home, 'cases', caseId, 'keyslots.json'))).toBe(true);

    // The reasons are in the case's encrypted chain; the workstation chain has the decisions without them.
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });
    await t.must('retention.setHold', { held: false, reason: 'Claim settled, hold no longer needed' });
    const caseChain = await records('case');
    expect(caseChain.find((r) => r.action === 'retention.setHold' && r.outcome === 'ok' && (r.details.input as { held: boolean }).held)?.details).toMatchObject({ input: { reason: 'Civil claim notified by the force solicitor' } });
    const ws = JSON.stringify(await records('workstation', 200));
    expect(ws).toContain('retention.holdPlaced');
    expect(ws).toContain('retention.holdLifted');
    expect(ws).not.toContain('Civil claim');
    expect(ws).not.toContain(REASON);
    await t.must('cases.close', {});
    expect(await queueRow(caseId)).toMatchObject({ status: 'overdue', held: false });
    expect((await t.must('retention.purge', { caseId, confirmReference: CASE_AUTHORITY.reference })).proof.ok).toBe(true);
  });

  it('changes a date only forward of today, with a reason, by a supervisor; the register follows', async () => {
    expect(await t.invoke('retention.setDate', { retentionDate: '2026-05-31', reason: REASON })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'retentionDate' } });
    expect(await t.invoke('retention.setDate', { retentionDate: '2040-01-01', reason: 'short' })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'reason' } });
    expect(await t.must('retention.setDate', { retentionDate: '2040-01-01', reason: REASON })).toMatchObject({ retentionDate: '2040-01-01', held: false });
    expect((await t.must('cases.info', {})).retentionDate).toBe('2040-01-01');
    expect(await queueRow(caseId)).toMatchObject({ retentionDate: '2040-01-01', status: 'kept' });
    const changed = (await records('workstation')).find((r) => r.action === 'retention.dateChanged');
    expect(changed).toMatchObject({ user: 'sup', details: { from: CASE_AUTHORITY.retentionDate, to: '2040-01-01', reference: CASE_AUTHORITY.reference } });

    await t.must('users.add', { username: 'ann', displayName: 'Ann', role: 'analyst', password: PASSWORD });
    await t.must('cases.grantAccess', { username: 'ann', passphrase: PASSPHRASE });
    await t.must('session.signOut', {});
    await t.must('session.signIn', { username: 'ann', password: PASSWORD });
    expect(await t.invoke('retention.queue', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await t.invoke('retention.purge', { caseId, confirmReference: CASE_AUTHORITY.reference })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });
    expect(await t.invoke('retention.setHold', { held: true, reason: REASON })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await t.must('retention.case', {})).toMatchObject({ retentionDate: '2040-01-01', held: false });
  });

  it('learns the date of a case made before the register kept dates when it is next opened', async () => {
    await t.must('cases.close', {});
    const db = openPlainDatabase(path.join(t.home, 'workstation.db'));
    db.prepare('UPDATE cases SET retention_date = NULL WHERE id = ?').run(caseId);
    db.close();
    expect(await queueRow(caseId)).toMatchObject({ status: 'unknown', retentionDate: null, daysLeft: null });
    setDay('2034-01-01');
    expect(await t.invoke('retention.purge', { caseId, confirmReference: CASE_AUTHORITY.reference })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/open the case once/) } });
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });
    expect(await queueRow(caseId)).toMatchObject({ status: 'overdue', retentionDate: CASE_AUTHORITY.retentionDate });
  });

  it('finishes a purge cut short after the keys were destroyed', async () => {
    await t.must('retention.setDate', { retentionDate: '2026-06-01', reason: REASON });
    const folder = (await t.must('cases.info', {})).folder;
    await t.must('cases.close', {});
    setDay('2026-06-02');
    // As a crash would leave it: the key slot file destroyed, the rest of the folder still there, the register not yet marked.
    rmSync(path.join(folder, 'keyslots.json'));
    expect(readdirSync(folder)).toContain('case.db');
    expect((await t.must('cases.list', {})).find((c) => c.id === caseId)?.folder).toBe('unreadable');
    const receipt = await t.must('retention.purge', { caseId, confirmReference: CASE_AUTHORITY.reference });
    expect(receipt).toMatchObject({ keySlotFilesDestroyed: 0 });
    expect(receipt.proof.ok).toBe(true);
  });
});

describe.skipIf(!peopleCaseReady)('retention of watch-list entries', () => {
  it('never searches an entry past its date, and takes it off its list at the next open, on the record', async () => {
    await t.must('review.setBlindMode', { on: false, reason: 'The test reads which candidates came back' });
    await t.must('evidence.import', { paths: [path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg')] });
    await t.ws.importSettled();
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 10 });
    const ref = (await t.must('evidence.get', { exhibitId: exhibits[0]!.id })).faces[0]!;
    const probe = (await t.must('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Joe_Biden/biden2.jpg'), exhibitRef: 'PROBE/1' })).faces[0]!;
    const list = await t.must('watchlists.create', { name: 'Wanted', description: 'People wanted for the robbery series' });
    const entry = await t.must('watchlists.addEntry', { watchlistId: list.id, faceId: ref.id, label: 'Joe B', source: 'Custody photo', reason: 'Named by a witness in statement 3', retentionDate: '2026-06-10' });
    const search = () => t.must('search.run', { probeFaceId: probe.id, purpose: 'Is the probe on the wanted list?', target: { case: false, watchlists: [list.id] }, maxFmr: null });
    expect((await search()).candidates.map((c) => c.watchlist?.entryId)).toEqual([entry.id]);

    // A supervisor keeps it longer, with a reason; then the day after the new date it is no longer searched, even with the case still open.
    expect(await t.must('watchlists.setEntryRetention', { entryId: entry.id, retentionDate: '2026-06-15', reason: REASON })).toMatchObject({ retentionDate: '2026-06-15' });
    setDay('2026-06-15');
    expect((await search()).candidates).toHaveLength(1);
    setDay('2026-06-16');
    expect((await search()).candidates).toHaveLength(0);

    await t.must('cases.close', {});
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });
    expect(await t.must('watchlists.entries', { watchlistId: list.id })).toEqual([]);
    const expired = (await records('case')).find((r) => r.action === 'watchlists.entryExpired');
    expect(expired).toMatchObject({ user: null, object: `watchlist-entry:${entry.id}`, outcome: 'ok', details: { retentionDate: '2026-06-15', rule: 'retention date 2026-06-15 passed', faceId: ref.id } });
    expect((await t.must('audit.verify', { chain: 'case' })).ok).toBe(true);
  });
});
