import { LoupeError } from '../../shared';
import type { Router } from '../router';
import type { SearchPack } from '../search';
import type { SessionState } from './state';

export function registerPersonHandlers(router: Router, state: SessionState, pack: () => Promise<SearchPack>): void {
  const open = () => state.requireOpen();

  router.handle('persons.group', async (input, ctx) => {
    const p = await pack();
    if (!p.manifest.calibration) throw new LoupeError('unavailable', `Model pack ${p.manifest.name} has no calibration, so no grouping threshold can be set from a false match rate; calibrate it first (loupe models calibrate).`);
    const save = await open().persons.group(p.model, p.manifest.calibration, input.maxFmr);
    return ctx.commit(() => {
      const view = save();
      ctx.addDetails({ threshold: view.threshold, persons: view.persons.length, unassigned: view.unassigned.length });
      return view;
    });
  });
  router.handle('persons.view', () => open().persons.view());
  router.handle('persons.merge', (input, ctx) => {
    ctx.setObject(`person:${input.into}`);
    return ctx.commit(() => open().persons.merge(input.into, input.from, ctx.user.username));
  });
  router.handle('persons.split', (input, ctx) => {
    ctx.setObject(`person:${input.personId}`);
    return ctx.commit(() => open().persons.split(input.personId, input.faceIds, ctx.user.username));
  });
  router.handle('persons.moveFace', (input, ctx) => {
    ctx.setObject(`face:${input.faceId}`);
    return ctx.commit(() => open().persons.moveFace(input.faceId, input.to, ctx.user.username));
  });
  router.handle('persons.name', (input, ctx) => {
    ctx.setObject(`person:${input.personId}`);
    return ctx.commit(() => open().persons.name(input.personId, input.name, ctx.user.username));
  });
  router.handle('persons.undo', (_input, ctx) => {
    return ctx.commit(() => {
      const { view, undone } = open().persons.undo();
      ctx.addDetails({ undone });
      return view;
    });
  });
}
