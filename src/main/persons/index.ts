import { LoupeError, type GroupingThreshold, type PersonsView } from '../../shared';
import type { CalibrationTable } from '../calibration';
import { groupFaces, groupingThresholds, type GroupingItem } from '../grouping';
import type { CaseStore, FaceContext } from '../store';

const PERSONS_CAVEAT =
  'Putative groups: the model suggests which faces may show one person. A group is not an identification; an examiner decides, and can merge, split and move faces.';

/** How to put a grouping back as it was before one edit. */
interface Undo {
  persons: { id: number; name: string | null; deleted: boolean }[];
  assign: { faceIds: number[]; personId: number | null }[];
}

/**
 * Grouping the case's unknown faces by person, and the examiner's edits of it. Every edit
 * stores how to undo it, so the last edits can be taken back one by one; the router audits
 * each call, so the record shows who changed which group and when.
 */
export class PersonsService {
  constructor(
    private readonly store: CaseStore,
    private readonly now: () => Date,
  ) {}

  /**
   * Groups the case's evidence faces. Faces flagged insufficient for comparison are left
   * unassigned: too small, blurred or perhaps not a face, they would chain people together;
   * an examiner can still move one into a group by hand. The thresholds come from the pack's
   * calibration: the examiner's false match rate, or else one that falls as the case grows.
   */
  async group(model: string, calibration: CalibrationTable, maxFmr?: number): Promise<() => PersonsView> {
    const items: GroupingItem[] = [];
    for (const row of this.store.reads.groupingItems(model, 'evidence')) {
      if (row.insufficient === 1) continue;
      items.push({ id: row.faceId, embedding: row.embedding, frameKey: row.frameKey, ...(row.trackId !== null ? { trackId: String(row.trackId) } : {}) });
    }
    if (items.length === 0) throw new LoupeError('conflict', 'This case has no faces good enough to group yet; import evidence first.');
    const t = groupingThresholds(calibration, items.length, maxFmr);
    const threshold: GroupingThreshold = {
      score: t.threshold,
      fmr: t.fmr,
      pairScore: t.pairThreshold,
      pairFmr: t.pairFmr,
      rule: maxFmr === undefined ? 'case size' : 'examiner',
      limitedByCalibration: t.limitedByCalibration,
    };
    const result = await groupFaces(items, { threshold: t.threshold, pairThreshold: t.pairThreshold });
    return () => {
      this.store.transaction(() => {
        this.store.writes.replaceGrouping(result.groups.map((faceIds) => ({ faceIds })));
        this.store.writes.setCaseMeta('grouping', JSON.stringify({ at: this.now().toISOString(), model, threshold }));
      });
      return this.view();
    };
  }

  view(): PersonsView {
    const meta = this.store.reads.caseMeta('grouping');
    const info = meta ? (JSON.parse(meta) as { at: string; threshold: Partial<GroupingThreshold> & { score: number } }) : null;
    const members = this.store.reads.personMembers();
    const context = this.store.reads.faceContext(members.map((m) => m.faceId));
    const byPerson = new Map<number, FaceContext[]>();
    for (const m of members) {
      const c = context.get(m.faceId);
      if (!c) continue;
      const list = byPerson.get(m.personId) ?? [];
      list.push(c);
      byPerson.set(m.personId, list);
    }
    const persons = this.store.reads
      .persons()
      .filter((p) => (byPerson.get(p.id)?.length ?? 0) > 0)
      .map((p) => {
        const faces = (byPerson.get(p.id) as FaceContext[]).sort((a, b) => a.faceId - b.faceId);
        const cover = faces.reduce((best, f) => (f.qualityScore > best.qualityScore ? f : best));
        return {
          id: p.id,
          name: p.name,
          faceIds: faces.map((f) => f.faceId),
          trackIds: [...new Set(faces.flatMap((f) => (f.trackId === null ? [] : [f.trackId])))],
          exhibitIds: [...new Set(faces.map((f) => f.exhibitId))],
          coverFaceId: cover.faceId,
        };
      })
      .sort((a, b) => b.faceIds.length - a.faceIds.length || a.id - b.id);

    // Who appears with whom: persons present in the same image or video frame.
    const byFrame = new Map<string, { persons: Set<number>; exhibitId: number }>();
    for (const m of members) {
      const c = context.get(m.faceId);
      if (!c) continue;
      const f = byFrame.get(c.frameKey) ?? { persons: new Set<number>(), exhibitId: c.exhibitId };
      f.persons.add(m.personId);
      byFrame.set(c.frameKey, f);
    }
    const pairs = new Map<string, { a: number; b: number; count: number; exhibits: Set<number> }>();
    for (const { persons: ps, exhibitId } of byFrame.values()) {
      const ids = [...ps].sort((x, y) => x - y);
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++) {
          const key = `${ids[i]}:${ids[j]}`;
          const p = pairs.get(key) ?? { a: ids[i] as number, b: ids[j] as number, count: 0, exhibits: new Set<number>() };
          p.count++;
          p.exhibits.add(exhibitId);
          pairs.set(key, p);
        }
      }
    }
    const assigned = new Set(members.map((m) => m.faceId));
    const model = meta ? (JSON.parse(meta) as { model: string }).model : null;
    const unassigned = model ? this.store.reads.faceIdsByRole(model, 'evidence').filter((id) => !assigned.has(id)) : [];
    return {
      groupedAt: info?.at ?? null,
      threshold: info
        ? { fmr: null, pairScore: null, pairFmr: null, rule: null, limitedByCalibration: false, ...info.threshold }
        : null,
      persons,
      unassigned,
      together: [...pairs.values()].sort((x, y) => y.count - x.count).map((p) => ({ a: p.a, b: p.b, count: p.count, exhibits: [...p.exhibits] })),
      canUndo: this.store.reads.lastPersonEdit() !== null,
      caveat: PERSONS_CAVEAT,
    };
  }

  merge(into: number, from: number, user: string): PersonsView {
    if (into === from) throw new LoupeError('invalid_input', 'Choose two different groups to merge.', 'from');
    const a = this.person(into, 'into');
    const b = this.person(from, 'from');
    const facesOfB = this.facesOf(from);
    // Faces from one frame are different people: refuse to merge what the footage separates.
    const frames = new Set([...this.store.reads.faceContext(this.facesOf(into)).values()].map((c) => c.frameKey));
    const clash = [...this.store.reads.faceContext(facesOfB).values()].find((c) => frames.has(c.frameKey));
    if (clash) throw new LoupeError('conflict', `These groups both have a face in one image or frame (face ${clash.faceId}), so they cannot be one person.`, 'from');
    this.edit('merge', user, { persons: [b, a], assign: [{ faceIds: facesOfB, personId: from }] }, () => {
      this.store.writes.assignFaces(facesOfB, into);
      this.store.writes.setPersonDeleted(from, true);
    });
    return this.view();
  }

  split(personId: number, faceIdsAsked: number[], user: string): PersonsView {
    this.person(personId, 'personId');
    // A face listed twice must not pass for two: the group would be emptied.
    const faceIds = [...new Set(faceIdsAsked)];
    const members = new Set(this.facesOf(personId));
    const outside = faceIds.find((f) => !members.has(f));
    if (outside !== undefined) throw new LoupeError('invalid_input', `Face ${outside} is not in group ${personId}.`, 'faceIds');
    if (faceIds.length === members.size) throw new LoupeError('invalid_input', 'Leave at least one face in the group, or rename it instead.', 'faceIds');
    this.edit('split', user, { persons: [], assign: [{ faceIds, personId }] }, () => {
      const created = this.store.writes.newPerson(null);
      this.store.writes.assignFaces(faceIds, created);
      return created;
    });
    return this.view();
  }

  moveFace(faceId: number, to: number | null, user: string): PersonsView {
    const member = this.store.reads.personMembers().find((m) => m.faceId === faceId);
    const context = this.store.reads.faceContext([faceId]).get(faceId);
    if (!context) throw new LoupeError('not_found', `No face ${faceId} in this case.`, 'faceId');
    if (context.role !== 'evidence') throw new LoupeError('invalid_input', `Face ${faceId} is on a ${context.role} image; only evidence faces are grouped into persons.`, 'faceId');
    const from = member?.personId ?? null;
    if (from === to) return this.view();
    const persons = from === null ? [] : [this.person(from, 'faceId')];
    if (to !== null) {
      persons.push(this.person(to, 'to'));
      const clash = [...this.store.reads.faceContext(this.facesOf(to)).values()].find((c) => c.frameKey === context.frameKey);
      if (clash) throw new LoupeError('conflict', `Group ${to} already has a face from the same image or frame (face ${clash.faceId}).`, 'to');
    }
    this.edit('move', user, { persons, assign: [{ faceIds: [faceId], personId: from }] }, () => {
      this.store.writes.assignFaces([faceId], to);
      if (from !== null && this.facesOf(from).length === 0) this.store.writes.setPersonDeleted(from, true);
    });
    return this.view();
  }

  name(personId: number, name: string, user: string): PersonsView {
    const p = this.person(personId, 'personId');
    this.edit('name', user, { persons: [p], assign: [] }, () => this.store.writes.setPersonName(personId, name === '' ? null : name));
    return this.view();
  }

  /** Takes back the latest edit not yet undone; says which one, for the audit record. */
  undo(): { view: PersonsView; undone: { kind: string; by: string; at: string } } {
    const last = this.store.reads.lastPersonEdit();
    if (!last) throw new LoupeError('conflict', 'There is no edit of the grouping to undo.');
    const u = JSON.parse(last.undo) as Undo & { created?: number };
    this.store.transaction(() => {
      for (const p of u.persons) {
        this.store.writes.setPersonName(p.id, p.name);
        this.store.writes.setPersonDeleted(p.id, p.deleted);
      }
      for (const a of u.assign) this.store.writes.assignFaces(a.faceIds, a.personId);
      if (u.created !== undefined) this.store.writes.setPersonDeleted(u.created, true);
      this.store.writes.markPersonEditUndone(last.seq);
    });
    return { view: this.view(), undone: { kind: last.kind, by: last.user, at: last.at } };
  }

  private person(id: number, field: string): { id: number; name: string | null; deleted: boolean } {
    const p = this.store.reads.persons().find((x) => x.id === id);
    if (!p) throw new LoupeError('not_found', `No group ${id} in the current grouping.`, field);
    return { ...p, deleted: false };
  }

  private facesOf(personId: number): number[] {
    return this.store.reads
      .personMembers()
      .filter((m) => m.personId === personId)
      .map((m) => m.faceId);
  }

  private edit(kind: string, user: string, undo: Undo, apply: () => number | void): void {
    this.store.transaction(() => {
      const created = apply();
      this.store.writes.recordPersonEdit({ at: this.now().toISOString(), user, kind, undo: JSON.stringify(typeof created === 'number' ? { ...undo, created } : undo) });
    });
  }
}
