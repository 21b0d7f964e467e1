import { describe, expect, it } from 'vitest';
import { api } from './api';
import { checkAccess, NO_FACTS, roleRefusal, type AccessFacts } from './channel';
import { REVIEW_REFUSAL } from './review';
import type { User } from './domain';
import type { Role } from './roles';

const user = (username: string, role: Role): User => ({ id: `user-${username}`, username, displayName: username, role, disabled: false, createdAt: '2026-01-01T00:00:00.000Z', createdBy: null });
const ann = user('ann', 'analyst');
const rex = user('rex', 'reviewer');
const sue = user('sue', 'supervisor');
const sam = user('sam', 'supervisor');

describe('access rules declared in the contract', () => {
  it('refuses the workstation audit chain to analysts and reviewers, and gives every role its case chain', () => {
    const list = api['audit.list'];
    const ask = (u: User, chain: 'case' | 'workstation') => checkAccess(list, u, list.input.parse({ chain }), NO_FACTS);
    for (const role of ['analyst', 'reviewer'] as const) {
      expect(ask(user('x', role), 'workstation')).toEqual({ code: 'forbidden', message: 'Only supervisors and auditors may read the workstation audit record.' });
      expect(ask(user('x', role), 'case')).toBeNull();
    }
    for (const role of ['supervisor', 'auditor'] as const) expect(ask(user('x', role), 'workstation')).toBeNull();
  });

  it('asks the role list before the policy, and nobody signed in only on public channels', () => {
    expect(checkAccess(api['users.list'], null, {}, NO_FACTS)).toEqual({ code: 'not_signed_in', message: 'Sign in first.' });
    expect(checkAccess(api['session.status'], null, {}, NO_FACTS)).toBeNull();
    expect(checkAccess(api['audit.export'], ann, { chain: 'case' }, NO_FACTS)).toEqual({ code: 'forbidden', message: roleRefusal('analyst', api['audit.export'].summary) });
    expect(roleRefusal('auditor', api['search.run'].summary)).toBe('Your role (Auditor) may not do this: search a probe face against the case and/or watch lists (1:N); candidates are leads, not identifications.');
  });

  describe("the examiner review's rules (who took part comes from the store, read-only)", () => {
    const facts = (table: Record<number, { examiners: string[]; verifiers: string[] }>): AccessFacts => ({ ...NO_FACTS, reviewParticipants: (id) => table[id] ?? { examiners: [], verifiers: [] } });
    const store = facts({ 1: { examiners: ['ann'], verifiers: [] }, 2: { examiners: ['sue'], verifiers: ['rex'] }, 3: { examiners: ['rex'], verifiers: [] } });
    const verify = api['review.verify'];
    const resolve = api['review.resolve'];
    const call = (itemId: number) => ({ itemId, body: {} as never });

    it('the verifier is not the first examiner', () => {
      expect(checkAccess(verify, rex, call(1), store)).toBeNull();
      expect(checkAccess(verify, rex, call(3), store)).toEqual({ code: 'forbidden', message: REVIEW_REFUSAL.selfVerification });
      // The role list still comes first: an analyst or a supervisor is refused whatever the store says.
      expect(checkAccess(verify, ann, call(1), store)).toEqual({ code: 'forbidden', message: roleRefusal('analyst', verify.summary) });
      expect(checkAccess(verify, sam, call(1), store)).toEqual({ code: 'forbidden', message: roleRefusal('supervisor', verify.summary) });
    });

    it('a supervisor who was neither examiner nor verifier resolves', () => {
      expect(checkAccess(resolve, sam, call(2), store)).toBeNull();
      expect(checkAccess(resolve, sue, call(2), store)).toEqual({ code: 'forbidden', message: REVIEW_REFUSAL.resolverTookPart });
      expect(checkAccess(resolve, rex, call(2), store)).toEqual({ code: 'forbidden', message: roleRefusal('reviewer', resolve.summary) });
    });
  });
});
