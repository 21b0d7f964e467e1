import type { RecordBatch } from '../evidence';
import type { CallContext, Router } from '../router';
import type { SessionState } from './state';

export function registerEvidenceHandlers(router: Router, state: SessionState): void {
  const open = () => state.requireOpen();

  const recordBatch =
    (ctx: CallContext): RecordBatch =>
    (write) =>
      ctx.commit(() => {
        const started = write();
        ctx.setObject(`batch:${started.batchId}`);
        ctx.addDetails({ filesTotal: started.filesTotal });
        return started;
      });
  router.handle('evidence.import', (input, ctx) => open().evidence.start(input.paths, input.options, ctx.user.username, recordBatch(ctx)));
  router.handle('evidence.resumeImport', (input, ctx) => {
    ctx.setObject(`batch:${input.batchId}`);
    return open().evidence.resume(input.batchId, ctx.user.username, recordBatch(ctx));
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
