import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../shared';
import { createCaseStore, LEASE_FILE, openCaseStore } from './index';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  children.splice(0).forEach((c) => c.kill('SIGKILL'));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const USER = { username: 'alice', passphrase: 'a long passphrase 1' };
async function closedCase(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-lease-'));
  dirs.push(dir);
  const folder = path.join(dir, 'case');
  const store = await createCaseStore(
    folder,
    { id: 'case-000001', reference: 'OP-LEASE/1', title: 'T', offenceCategory: 'robbery', purpose: 'P', legalBasis: 'PACE 1984', authorisedBy: 'DI A', retentionDate: '2030-01-01', createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'alice' },
    USER,
  );
  store.close();
  return folder;
}

/** A lease as another Loupe process writes it: the pid of a process that is running (or has ended). */
const leaseOf = (folder: string, pid: number) => writeFileSync(path.join(folder, LEASE_FILE), JSON.stringify({ pid, host: hostname(), user: 'bob', since: '2026-01-02T03:04:05.000Z' }), { mode: 0o600 });

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as LoupeError,
  );

describe('one Loupe process at a time per case', () => {
  it('holds the case while it is open, in a private file, and lets it go at close', async () => {
    const folder = await closedCase();
    expect(existsSync(path.join(folder, LEASE_FILE))).toBe(false);
    const store = await openCaseStore(folder, USER);
    const file = path.join(folder, LEASE_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), user: 'alice' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The same process may open it twice (the window and a check it runs); the case is let go only when both close.
    const again = await openCaseStore(folder, USER);
    store.close();
    expect(existsSync(file)).toBe(true);
    again.close();
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a case another running process has open, names that process, and opens it once that process has ended', async () => {
    const folder = await closedCase();
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(other);
    leaseOf(folder, other.pid!);
    const err = await refusal(openCaseStore(folder, USER));
    expect(err).toBeInstanceOf(LoupeError);
    expect(err?.code).toBe('conflict');
    expect(err?.message).toMatch(new RegExp(`open in another Loupe program \\(process ${other.pid} on .*, opened by bob at 2026-01-02T03:04:05.000Z\\)\\. Close it there first`));
    // Its lease is left as it was.
    expect(JSON.parse(readFileSync(path.join(folder, LEASE_FILE), 'utf8'))).toMatchObject({ pid: other.pid, user: 'bob' });
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    const store = await openCaseStore(folder, USER);
    expect(JSON.parse(readFileSync(path.join(folder, LEASE_FILE), 'utf8'))).toMatchObject({ pid: process.pid, user: 'alice' });
    store.close();
  });

  it('takes over the lease a killed process left, and an unreadable one', async () => {
    const folder = await closedCase();
    leaseOf(folder, spawnSync(process.execPath, ['-e', '']).pid!);
    (await openCaseStore(folder, USER)).close();
    writeFileSync(path.join(folder, LEASE_FILE), '{"pid": 12');
    (await openCaseStore(folder, USER)).close();
    expect(existsSync(path.join(folder, LEASE_FILE))).toBe(false);
  });

  it('takes no lease for a wrong passphrase', async () => {
    const folder = await closedCase();
    expect((await refusal(openCaseStore(folder, { ...USER, passphrase: 'wrong passphrase 12' })))?.code).toBe('wrong_passphrase');
    expect(existsSync(path.join(folder, LEASE_FILE))).toBe(false);
  });
});
