import { describe, expect, it } from 'vitest';
import { api, type ChannelName } from './api';
import { Role, ROLE_DUTIES } from './roles';

const holds = (role: Role, channel: ChannelName) => (api[channel].roles as readonly string[]).includes(role);

describe('role duties', () => {
  // The sentence a supervisor reads when choosing a role must say what the contract lets that role do, and no more.
  it.each(Role.options)('the duties of %s say what the contract lets it do in the review', (role) => {
    const says = ROLE_DUTIES[role];
    expect(/\bexamines comparisons\b/.test(says), 'assess').toBe(holds(role, 'review.assess'));
    expect(/\bverifies\b/.test(says), 'verify').toBe(holds(role, 'review.verify'));
    expect(/\bresolves disputes\b/.test(says), 'resolve').toBe(holds(role, 'review.resolve'));
    expect(/\bconclusion scale\b/.test(says), 'scale').toBe(holds(role, 'review.setScale'));
    expect(/\bblind mode\b/.test(says), 'blind mode').toBe(holds(role, 'review.setBlindMode'));
    expect(/\bchanges nothing\b/.test(says)).toBe(role === 'auditor');
  });

  it('no longer says a reviewer has only an analyst\'s rights', () => {
    expect(ROLE_DUTIES.reviewer).not.toMatch(/until|analyst's rights/);
  });
});
