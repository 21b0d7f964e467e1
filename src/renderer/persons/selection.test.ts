import { describe, expect, it } from 'vitest';
import { groupName, selectionGroup } from './selection';

const view = {
  persons: [
    { id: 4, name: null, faceIds: [1, 2, 3], trackIds: [], exhibitIds: [1], coverFaceId: 1 },
    { id: 7, name: 'Red jacket', faceIds: [5, 6], trackIds: [], exhibitIds: [2], coverFaceId: 5 },
  ],
  unassigned: [8, 9],
};

describe('selected faces in the grouping', () => {
  it('says which group the selection lies in, so a split knows where from', () => {
    expect(selectionGroup(view, new Set())).toBeNull();
    expect(selectionGroup(view, new Set([1, 3]))).toBe(4);
    expect(selectionGroup(view, new Set([8]))).toBe('unassigned');
    expect(selectionGroup(view, new Set([1, 5]))).toBe('mixed');
    expect(selectionGroup(view, new Set([1, 8]))).toBe('mixed');
  });

  it('treats a face no longer in the grouping as not splittable', () => {
    expect(selectionGroup(view, new Set([42]))).toBe('mixed');
  });

  it('names groups by the examiner’s name and their stable number', () => {
    expect(groupName(view.persons[0]!)).toBe('Group 4');
    expect(groupName(view.persons[1]!)).toBe('Red jacket (group 7)');
  });
});
