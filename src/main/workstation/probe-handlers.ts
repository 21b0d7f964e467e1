import type { Router } from '../router';
import type { SessionState } from './state';

/** A single image imported on its own: a probe to search with, or a watch list's reference image. */
export function registerProbeHandlers(router: Router, state: SessionState): void {
  const open = () => state.requireOpen();

  router.handle('evidence.importProbe', async (input, ctx) => {
    const details = await open().evidence.importSingle(input.path, { role: input.role, ...(input.exhibitRef ? { exhibitRef: input.exhibitRef } : {}) }, ctx.user.username);
    ctx.setObject(`exhibit:${details.exhibit.id}`);
    ctx.addDetails({ sha256: details.exhibit.sha256, faces: details.faces.length });
    return details;
  });
}
