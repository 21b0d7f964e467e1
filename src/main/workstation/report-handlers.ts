import { reportRecord } from '../report';
import type { Router } from '../router';
import type { SessionState } from './state';

/**
 * The report: reading it on screen is an ordinary read; writing a file records the file's
 * SHA-256 and what it covers in the call's own record (committed before the file is handed
 * over), which is what `report.verify` looks for.
 */
export function registerReportHandlers(router: Router, state: SessionState): void {
  const report = () => state.requireOpen().report;

  router.handle('report.preview', async (input, ctx) => {
    const preview = await report().preview(ctx.user, input.validations);
    ctx.setObject(`report:${preview.covers.headSeq}`);
    return preview;
  });
  router.handle('report.create', async (input, ctx) => {
    report().refuseWhileBlind(ctx.user);
    const rendered = await report().render(input.format, undefined, input.validations);
    ctx.setObject(`report:${rendered.covers.headSeq}`);
    ctx.commit(() => ctx.addDetails(reportRecord(rendered)));
    return { fileName: rendered.fileName, format: rendered.format, mime: rendered.mime, sha256: rendered.sha256, bytes: rendered.bytes.length, contentBase64: Buffer.from(rendered.bytes).toString('base64'), covers: rendered.covers };
  });
  router.handle('report.verify', async (input, ctx) => {
    const result = await report().verify(Buffer.from(input.contentBase64, 'base64'));
    if (result.recorded) ctx.setObject(`report:${result.recorded.seq}`);
    ctx.addDetails({ sha256: result.sha256, ok: result.ok, findings: result.findings });
    return result;
  });
}
