import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PASSPHRASE, tamperClosedCase, tempCase } from '../testing';

let t: Awaited<ReturnType<typeof tempCase>>;
let src: string;
beforeEach(async () => {
  t = await tempCase();
  src = mkdtempSync(path.join(os.tmpdir(), 'loupe-batch-record-'));
  writeFileSync(path.join(src, 'notes.jpg'), 'not an image');
});
afterEach(async () => {
  await t.dispose();
  rmSync(src, { recursive: true, force: true });
});

it('writes an import batch and its audit record in one transaction: a record that cannot be written leaves no batch', async () => {
  const { id, folder } = await t.must('cases.info', {});
  await t.must('cases.close', {});
  // A disk that refuses this one record, as a full disk would.
  await tamperClosedCase(folder, `CREATE TRIGGER refuse_import_record BEFORE INSERT ON audit WHEN NEW.action = 'evidence.import' BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
  await t.must('cases.open', { caseId: id, passphrase: PASSPHRASE });

  const r = await t.invoke('evidence.import', { paths: [src] });
  expect(r).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringMatching(/could not be written.*Its writes were undone/) } });
  expect(await t.must('evidence.batches', {})).toEqual([]);
});

it('records the batch it started under the batch it names', async () => {
  const { batchId } = await t.must('evidence.import', { paths: [src] });
  const { records } = await t.must('audit.list', { chain: 'case', offset: 0, limit: 10, object: `batch:${batchId}` });
  expect(records.filter((r) => r.action === 'evidence.import')).toMatchObject([{ outcome: 'ok', details: { filesTotal: 1 } }]);
  expect((await t.must('evidence.batches', {})).map((b) => b.id)).toEqual([batchId]);
});
