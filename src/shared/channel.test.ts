import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { api } from './api';
import { channel, checkAccess, roleRefusal, type Policy } from './channel';
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
    const ask = (u: User, chain: 'case' | 'workstation') => checkAccess(list, u, list.input.parse({ chain }), {});
    for (const role of ['analyst', 'reviewer'] as const) {
      expect(ask(user('x', role), 'workstation')).toEqual({ code: 'forbidden', message: 'Only supervisors and auditors may read the workstation audit record.' });
      expect(ask(user('x', role), 'case')).toBeNull();
    }
    for (const role of ['supervisor', 'auditor'] as const) expect(ask(user('x', role), 'workstation')).toBeNull();
  });

  it('asks the role list before the policy, and nobody signed in only on public channels', () => {
    expect(checkAccess(api['users.list'], null, {}, {})).toEqual({ code: 'not_signed_in', message: 'Sign in first.' });
    expect(checkAccess(api['session.status'], null, {}, {})).toBeNull();
    expect(checkAccess(api['audit.export'], ann, { chain: 'case' }, {})).toEqual({ code: 'forbidden', message: roleRefusal('analyst', api['audit.export'].summary) });
    expect(roleRefusal('auditor', api['search.run'].summary)).toBe('Your role (Auditor) may not do this: search a probe face against the case and/or watch lists (1:N); candidates are leads, not identifications.');
  });

  /**
   * The examiner review's rules, declared as its channels will declare them: each needs to
   * know from the store who assessed the candidate, which main answers through a read-only
   * lookup. The lookup here is a table standing for that store, which the review builds.
   */
  describe('can express the examiner review (issue 10)', () => {
    interface ReviewFacts {
      examiners(candidateId: number): { first: string | null; verifier: string | null };
    }
    const facts = (table: Record<number, { first: string | null; verifier: string | null }>): ReviewFacts => ({ examiners: (id) => table[id] ?? { first: null, verifier: null } });
    const Candidate = z.object({ candidateId: z.number().int() }).strict();

    const verifierIsNotFirstExaminer: Policy<{ candidateId: number }, ReviewFacts> = ({ user: u, input, facts: f }) => {
      const { first } = f.examiners(input.candidateId);
      if (first === null) return 'This candidate has no first assessment to verify yet.';
      return first === u.username ? 'You made the first assessment of this candidate: a second examiner must verify it.' : null;
    };
    const resolverWasNeitherExaminer: Policy<{ candidateId: number }, ReviewFacts> = ({ user: u, input, facts: f }) => {
      const { first, verifier } = f.examiners(input.candidateId);
      return u.username === first || u.username === verifier ? 'You assessed this candidate: a supervisor who was neither examiner resolves the dispute.' : null;
    };
    const verify = channel({ input: Candidate, output: z.object({}), roles: ['reviewer', 'supervisor'], policy: verifierIsNotFirstExaminer, scope: 'case', summary: 'Verify a lead blind' });
    const resolve = channel({ input: Candidate, output: z.object({}), roles: ['supervisor'], policy: resolverWasNeitherExaminer, scope: 'case', summary: 'Resolve a dispute' });
    const store = facts({ 1: { first: 'ann', verifier: null }, 2: { first: 'sue', verifier: 'rex' }, 3: { first: 'rex', verifier: null } });

    it('the verifier is not the first examiner', () => {
      expect(checkAccess(verify, rex, { candidateId: 1 }, store)).toBeNull();
      expect(checkAccess(verify, rex, { candidateId: 3 }, store)).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/second examiner must verify/) });
      expect(checkAccess(verify, rex, { candidateId: 9 }, store)).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/no first assessment/) });
      // The role list still comes first: an analyst is refused whatever the store says.
      expect(checkAccess(verify, ann, { candidateId: 1 }, store)).toMatchObject({ code: 'forbidden', message: roleRefusal('analyst', 'Verify a lead blind') });
    });

    it('a supervisor who was neither examiner resolves', () => {
      expect(checkAccess(resolve, sam, { candidateId: 2 }, store)).toBeNull();
      expect(checkAccess(resolve, sue, { candidateId: 2 }, store)).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/neither examiner/) });
      expect(checkAccess(resolve, rex, { candidateId: 2 }, store)).toMatchObject({ code: 'forbidden', message: roleRefusal('reviewer', 'Resolve a dispute') });
    });
  });
});
