import { LoupeError } from '../../shared';
import type { CallContext, Router } from '../router';
import type { SessionState } from './state';

export function registerPersonHandlers(router: Router, state: SessionState): void {
  const open = () => state.requireOpen();
  /** An examiner's edit of the grouping: recorded against what it changed, committed with its record, made in the signed-in user's name. */
  const edit = <T>(ctx: CallContext, object: string, change: (by: string) => T): T => {
    ctx.setObject(object);
    return ctx.commit(() => change(ctx.user.username));
  };

  router.handle('persons.group', async (input, ctx) => {
    const p = await open().pack.pack();
    if (!p.manifest.calibration) throw new LoupeError('unavailable', `Model pack ${p.manifest.name} has no calibration, so no grouping threshold can be set from a false match rate; calibrate it first (loupe models calibrate).`);
    const save = await open().persons.group(p.model, p.manifest.calibration, input.maxFmr);
    return ctx.commit(() => {
      const view = save();
      ctx.addDetails({ threshold: view.threshold, persons: view.persons.length, unassigned: view.unassigned.length });
      return view;
    });
  });
  router.handle('persons.view', () => open().persons.view());
  router.handle('persons.merge', (input, ctx) => edit(ctx, `person:${input.into}`, (by) => open().persons.merge(input.into, input.from, by)));
  router.handle('persons.split', (input, ctx) => edit(ctx, `person:${input.personId}`, (by) => open().persons.split(input.personId, input.faceIds, by)));
  router.handle('persons.moveFace', (input, ctx) => edit(ctx, `face:${input.faceId}`, (by) => open().persons.moveFace(input.faceId, input.to, by)));
  router.handle('persons.name', (input, ctx) => edit(ctx, `person:${input.personId}`, (by) => open().persons.name(input.personId, input.name, by)));
  router.handle('persons.undo', (_input, ctx) => {
    return ctx.commit(() => {
      const { view, undone } = open().persons.undo();
      ctx.addDetails({ undone });
      return view;
    });
  });
}
