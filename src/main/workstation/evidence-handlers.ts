import type { Router } from '../router';
import type { SessionState } from './state';

export function registerEvidenceHandlers(router: Router, state: SessionState): void {
  const open = () => state.requireOpen();

  router.handle('evidence.import', async (input, ctx) => {
    const r = await open().evidence.start(input.paths, input.options, ctx.user.username);
    ctx.setObject(`batch:${r.batchId}`);
    ctx.addDetails({ filesTotal: r.filesTotal });
    return r;
  });
  router.handle('evidence.resumeImport', async (input, ctx) => {
    ctx.setObject(`batch:${input.batchId}`);
    return open().evidence.resume(input.batchId, ctx.user.username);
  });
  router.handle('evidence.cancelImport', (input, ctx) => {
    ctx.setObject(`batch:${input.batchId}`);
    return open().evidence.cancel(input.batchId);
  });
  router.handle('evidence.batches', () => open().exhibits.batches());
  router.handle('evidence.list', (input) => open().exhibits.list(input.offset, input.limit, input.status));
  router.handle('evidence.get', (input, ctx) => {
    ctx.setObject(`exhibit:${input.exhibitId}`);
    return open().exhibits.get(input.exhibitId);
  });
  router.handle('faces.get', (input) => open().exhibits.faces(input.faceIds));
  router.handle('evidence.verify', async (input, ctx) => {
    if (input.exhibitId !== undefined) ctx.setObject(`exhibit:${input.exhibitId}`);
    const checks = await open().exhibits.verify(input.exhibitId);
    ctx.addDetails({ checked: checks.length, changedOrMissing: checks.filter((c) => !c.ok).map((c) => ({ exhibitId: c.exhibitId, reason: c.reason })) });
    return checks;
  });
}
