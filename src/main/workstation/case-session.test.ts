import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../audit';
import type { OpenCase } from '../cases';
import { createCaseStore } from '../store';
import { CASE_AUTHORITY, PASSPHRASE } from '../testing';
import { CaseServices } from './case-session';

let dir: string;
let opened: OpenCase;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-session-'));
  const store = await createCaseStore(path.join(dir, 'case'), { id: 'case-session-1', ...CASE_AUTHORITY, createdAt: '2026-01-01T00:00:00Z', createdBy: 'alice' }, { username: 'alice', passphrase: PASSPHRASE });
  opened = { store, audit: new AuditLog(store.audit, 'case', store.id, () => new Date()) };
});
afterEach(() => {
  opened.store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('case session', () => {
  it('opens services in order, each seeing those before it, and closes them in reverse, the store last', async () => {
    const log: string[] = [];
    const session = CaseServices.list()
      .add('first', () => (log.push('open first'), { n: 1 }), () => void log.push(`close first, store open: ${opened.store.isOpen()}`))
      .add('second', (s) => (log.push('open second'), { n: s.first.n + 1 }), async () => void log.push('close second'))
      .add('third', (s) => ({ n: s.second.n + 1 }))
      .open(opened);
    expect(session.third.n).toBe(3);
    expect(session.store).toBe(opened.store);
    await session.close();
    expect(log).toEqual(['open first', 'open second', 'close second', 'close first, store open: true']);
    expect(opened.store.isOpen()).toBe(false);
  });

  it('still closes the rest and the store when one service fails to close', async () => {
    const closed: string[] = [];
    const session = CaseServices.list()
      .add('first', () => 1, () => void closed.push('first'))
      .add('second', () => 2, () => Promise.reject(new Error('disk gone')))
      .open(opened);
    await session.close();
    expect(closed).toEqual(['first']);
    expect(opened.store.isOpen()).toBe(false);
  });

  it('closes what it opened, and the store, when a service fails to open', async () => {
    const closed: string[] = [];
    const services = CaseServices.list()
      .add('first', () => 1, () => void closed.push('first'))
      .add('second', (): number => {
        throw new Error('no model pack');
      });
    expect(() => services.open(opened)).toThrow(/no model pack/);
    await vi.waitFor(() => expect(opened.store.isOpen()).toBe(false));
    expect(closed).toEqual(['first']);
  });
});
