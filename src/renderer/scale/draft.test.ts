import { describe, expect, it } from 'vitest';
import { ConclusionScale, DEFAULT_SCALE } from '../../shared';
import { newLevel, nextDraft } from './draft';

describe('the next declaration of the conclusion scale', () => {
  it('starts from the scale in force, one version on, and is a valid scale as it stands', () => {
    const draft = nextDraft(DEFAULT_SCALE);
    expect(draft.version).toBe(DEFAULT_SCALE.version + 1);
    expect(draft.levels).toEqual(DEFAULT_SCALE.levels);
    expect(ConclusionScale.safeParse(draft).success).toBe(true);
  });

  it('never changes the scale in force while the draft is edited', () => {
    const draft = nextDraft(DEFAULT_SCALE);
    draft.levels[0]!.label = 'Changed';
    expect(DEFAULT_SCALE.levels[0]!.label).toBe('Strong support for the same person');
  });

  it('gives a new level an id no other level has, and a blank label the schema refuses until filled', () => {
    const levels = [...DEFAULT_SCALE.levels, { id: 'level_10', label: 'x', side: 'same' as const }];
    const added = newLevel(levels);
    expect(levels.map((l) => l.id)).not.toContain(added.id);
    expect(ConclusionScale.safeParse({ ...nextDraft(DEFAULT_SCALE), levels: [...levels, added] }).success).toBe(false);
  });
});
