import type { Person, PersonsView } from '../../shared';

/** A group is called by its name when the examiner gave one, else by its number, which stays the same through edits. */
export function groupName(p: Pick<Person, 'id' | 'name'>): string {
  return p.name ? `${p.name} (group ${p.id})` : `Group ${p.id}`;
}

/** Where the selected faces are: all in one group (its id), all unassigned, spread over several, or nowhere (nothing selected). */
export function selectionGroup(view: Pick<PersonsView, 'persons' | 'unassigned'>, selected: ReadonlySet<number>): number | 'unassigned' | 'mixed' | null {
  if (selected.size === 0) return null;
  const home = new Map<number, number | 'unassigned'>();
  for (const p of view.persons) for (const f of p.faceIds) home.set(f, p.id);
  for (const f of view.unassigned) home.set(f, 'unassigned');
  const places = new Set([...selected].map((f) => home.get(f) ?? 'mixed'));
  if (places.size !== 1) return 'mixed';
  return [...places][0] ?? null;
}
