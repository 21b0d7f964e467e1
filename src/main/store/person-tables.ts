import type { Db } from './sqlite';

/** One stored edit of the grouping: what it was, who made it and when, and how to take it back. */
export interface PersonEditRow {
  seq: number;
  kind: string;
  user: string;
  at: string;
  undo: string;
}

export interface PersonReads {
  personMembers(): { faceId: number; personId: number }[];
  persons(): { id: number; name: string | null }[];
  lastPersonEdit(): PersonEditRow | null;
}

export interface PersonWrites {
  /** Replaces the whole grouping, clearing its edit history. */
  replaceGrouping(groups: { faceIds: number[] }[]): void;
  newPerson(name: string | null): number;
  setPersonName(id: number, name: string | null): void;
  setPersonDeleted(id: number, deleted: boolean): void;
  assignFaces(faceIds: readonly number[], personId: number | null): void;
  recordPersonEdit(e: { at: string; user: string; kind: string; undo: string }): void;
  markPersonEditUndone(seq: number): void;
}

/** The grouping of faces into persons, and the history of the examiner's edits of it. */
export function personTables(db: Db): { reads: PersonReads; writes: PersonWrites } {
  const q = {
    members: db.prepare('SELECT m.face_id AS faceId, m.person_id AS personId FROM person_members m JOIN faces f ON f.id = m.face_id WHERE f.deleted = 0'),
    persons: db.prepare('SELECT id, name FROM person_groups WHERE deleted = 0 ORDER BY id'),
    lastEdit: db.prepare('SELECT seq, kind, user, at, undo FROM person_edits WHERE undone = 0 ORDER BY seq DESC LIMIT 1'),
    clearMembers: db.prepare('DELETE FROM person_members'),
    clearPersons: db.prepare('UPDATE person_groups SET deleted = 1'),
    clearEdits: db.prepare('DELETE FROM person_edits'),
    newPerson: db.prepare('INSERT INTO person_groups (name) VALUES (?)'),
    setName: db.prepare('UPDATE person_groups SET name = ? WHERE id = ?'),
    setDeleted: db.prepare('UPDATE person_groups SET deleted = ? WHERE id = ?'),
    assign: db.prepare('INSERT INTO person_members (face_id, person_id) VALUES (?, ?) ON CONFLICT(face_id) DO UPDATE SET person_id = excluded.person_id'),
    unassign: db.prepare('DELETE FROM person_members WHERE face_id = ?'),
    recordEdit: db.prepare('INSERT INTO person_edits (at, user, kind, undo) VALUES (@at, @user, @kind, @undo)'),
    undone: db.prepare('UPDATE person_edits SET undone = 1 WHERE seq = ?'),
  };
  const assign = db.transaction((faceIds: readonly number[], personId: number | null) => {
    for (const id of faceIds) {
      if (personId === null) q.unassign.run(id);
      else q.assign.run(id, personId);
    }
  });
  const replace = db.transaction((groups: { faceIds: number[] }[]) => {
    q.clearMembers.run();
    q.clearPersons.run();
    q.clearEdits.run();
    for (const g of groups) {
      const pid = Number(q.newPerson.run(null).lastInsertRowid);
      for (const f of g.faceIds) q.assign.run(f, pid);
    }
  });
  return {
    reads: {
      personMembers: () => q.members.all() as { faceId: number; personId: number }[],
      persons: () => q.persons.all() as { id: number; name: string | null }[],
      lastPersonEdit: () => (q.lastEdit.get() as PersonEditRow | undefined) ?? null,
    },
    writes: {
      replaceGrouping: (groups) => replace(groups),
      newPerson: (name) => Number(q.newPerson.run(name).lastInsertRowid),
      setPersonName: (id, name) => void q.setName.run(name, id),
      setPersonDeleted: (id, deleted) => void q.setDeleted.run(deleted ? 1 : 0, id),
      assignFaces: (faceIds, personId) => assign(faceIds, personId),
      recordPersonEdit: (e) => void q.recordEdit.run(e),
      markPersonEditUndone: (seq) => void q.undone.run(seq),
    },
  };
}
