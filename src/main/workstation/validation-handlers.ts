import { LoupeError } from '../../shared';
import { randomId } from '../crypto';
import { createFacePool } from '../face-pool';
import { bestPack, loadPack } from '../models';
import type { Router } from '../router';
import type { WorkstationStore } from '../store';
import { runValidation } from '../validation';
import type { SessionState } from './state';

/** Validation of a model pack on the agency's labelled photos; its records are kept in the workstation database. */
export function registerValidationHandlers(router: Router, ws: WorkstationStore, state: SessionState, modelsDir: string, now: () => Date): void {
  router.handle('validation.run', async (input, ctx) => {
    const pack = await loadPack(modelsDir, input.pack ?? (await bestPack(modelsDir)));
    ctx.setObject(`pack:${pack.manifest.name}`);
    // Its own pool of the pack being validated, closed when done, so the pack in use and its work are not disturbed.
    const pool = await createFacePool({ pack });
    let result;
    try {
      result = await runValidation(input, pack, pool, (p) => state.emit({ type: 'validation.progress', ...p }));
    } finally {
      await pool.close();
    }
    const record = { ...result.record, id: randomId(), createdAt: now().toISOString(), createdBy: ctx.user.username };
    ctx.addDetails({ validation: record.id, pack: `${record.pack} ${record.packVersion}`, dataset: record.datasetSha256, people: record.people, images: record.images, grouping: record.grouping });
    ctx.commit(() => ws.validations.insert(record, result.pngs));
    return record;
  });

  router.handle('validation.list', () => ws.validations.list());

  router.handle('validation.get', (input) => {
    const record = ws.validations.get(input.id);
    if (!record) throw new LoupeError('not_found', `No validation record ${input.id}; the model packs screen and "loupe validate --list" show those kept.`);
    return record;
  });
}
