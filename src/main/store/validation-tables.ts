import { LoupeError, ValidationRecord, ValidationSummary } from '../../shared';
import type { Db } from './sqlite';

/** A chart of a validation as PNG (its SVG is in the record). */
export interface ValidationPng {
  name: string;
  png: Buffer;
}

/** Validation records of model packs (workstation-level: they are about a pack, not a case). */
export interface ValidationTables {
  /** Newest first. */
  list(): ValidationSummary[];
  /** The whole record (figures, notes, SVG charts), checked against its schema; null when there is none with this id. */
  get(id: string): ValidationRecord | null;
  /** The record's charts as PNG, in the record's order: for reports. */
  pngs(id: string): ValidationPng[];
  insert(record: ValidationRecord, pngs: readonly ValidationPng[]): void;
}

export function validationTables(db: Db): ValidationTables {
  const q = {
    list: db.prepare('SELECT record FROM validations ORDER BY created_at DESC, rowid DESC').pluck(),
    get: db.prepare('SELECT record FROM validations WHERE id = ?').pluck(),
    pngs: db.prepare('SELECT name, png FROM validation_images WHERE validation_id = ? ORDER BY position'),
    insert: db.prepare('INSERT INTO validations (id, created_at, created_by, pack, pack_version, dataset_sha256, record) VALUES (@id, @createdAt, @createdBy, @pack, @packVersion, @datasetSha256, @record)'),
    insertPng: db.prepare('INSERT INTO validation_images (validation_id, position, name, png) VALUES (?, ?, ?, ?)'),
  };
  const parse = (json: string): ValidationRecord => {
    const r = ValidationRecord.safeParse(JSON.parse(json));
    if (!r.success) throw new LoupeError('integrity', `A stored validation record is damaged (${r.error.issues[0]?.message ?? 'unknown problem'}); restore workstation.db from its backup.`);
    return r.data;
  };
  const insert = db.transaction((record: ValidationRecord, pngs: readonly ValidationPng[]) => {
    q.insert.run({ id: record.id, createdAt: record.createdAt, createdBy: record.createdBy, pack: record.pack, packVersion: record.packVersion, datasetSha256: record.datasetSha256, record: JSON.stringify(record) });
    pngs.forEach((p, i) => q.insertPng.run(record.id, i, p.name, p.png));
  });
  return {
    list: () => (q.list.all() as string[]).map((json) => ValidationSummary.parse(parse(json))),
    get: (id) => {
      const json = q.get.get(id) as string | undefined;
      return json === undefined ? null : parse(json);
    },
    pngs: (id) => q.pngs.all(id) as ValidationPng[],
    insert: (record, pngs) => insert(record, pngs),
  };
}
