import { LoupeError } from '../../shared';
import type { Router } from '../router';
import type { SearchPack } from '../search';
import type { SessionState } from './state';

export function registerSearchHandlers(router: Router, state: SessionState, pack: () => Promise<SearchPack>): void {
  const open = () => state.requireOpen();

  router.handle('evidence.importProbe', async (input, ctx) => {
    const details = await open().evidence.importSingle(input.path, { role: input.role, ...(input.exhibitRef ? { exhibitRef: input.exhibitRef } : {}) }, ctx.user!.username);
    ctx.setObject(`exhibit:${details.exhibit.id}`);
    ctx.addDetails({ sha256: details.exhibit.sha256, faces: details.faces.length });
    return details;
  });

  router.handle('search.run', async (input, ctx) => {
    ctx.setObject(`face:${input.probeFaceId}`);
    const result = await open().search.run(input, ctx.user!.username);
    ctx.setObject(`search:${result.id}`);
    // The audit record holds what a court may ask: who, why, with what, at which threshold, and what came back.
    ctx.addDetails({
      searchId: result.id,
      probeFaceId: result.probe.id,
      pack: result.pack,
      thresholdScore: result.thresholdScore,
      method: result.method,
      scored: result.scored,
      candidates: result.candidates.map((c) => ({ rank: c.rank, faceId: c.face.id, score: Number(c.score.toFixed(4)), fmr: c.fmr?.fmr ?? null })),
    });
    return result;
  });
  router.handle('search.list', () => open().search.list());
  router.handle('search.get', (input, ctx) => {
    ctx.setObject(`search:${input.searchId}`);
    return open().search.get(input.searchId);
  });
  router.handle('compare.faces', async (input, ctx) => {
    ctx.setObject(`faces:${input.faceA},${input.faceB}`);
    const c = await open().search.compare(input.faceA, input.faceB);
    ctx.addDetails({ score: Number(c.score.toFixed(4)), fmr: c.fmr?.fmr ?? null, pack: c.pack });
    return c;
  });

  router.handle('watchlists.list', () => open().watchlists.list());
  router.handle('watchlists.create', (input, ctx) => {
    const w = open().watchlists.create(input.name, input.description, ctx.user!.username);
    ctx.setObject(`watchlist:${w.id}`);
    return w;
  });
  router.handle('watchlists.entries', (input, ctx) => {
    ctx.setObject(`watchlist:${input.watchlistId}`);
    return open().watchlists.entries(input.watchlistId);
  });
  router.handle('watchlists.addEntry', (input, ctx) => {
    const e = open().watchlists.add(input, ctx.user!.username);
    ctx.setObject(`watchlist-entry:${e.id}`);
    return e;
  });
  router.handle('watchlists.removeEntry', (input, ctx) => {
    ctx.setObject(`watchlist-entry:${input.entryId}`);
    const removed = open().watchlists.remove(input.entryId, input.reason, ctx.user!.username);
    ctx.addDetails({ watchlistId: removed.watchlistId, faceId: removed.faceId, label: removed.label });
    return { done: true as const };
  });

  router.handle('persons.group', async (input, ctx) => {
    const p = await pack();
    if (!p.manifest.calibration) throw new LoupeError('unavailable', `Model pack ${p.manifest.name} has no calibration, so no grouping threshold can be set from a false match rate; calibrate it first (loupe models calibrate).`);
    const view = await open().persons.group(p.model, p.manifest.calibration, input.maxFmr);
    ctx.addDetails({ threshold: view.threshold, persons: view.persons.length, unassigned: view.unassigned.length });
    return view;
  });
  router.handle('persons.view', () => open().persons.view());
  router.handle('persons.merge', (input, ctx) => {
    ctx.setObject(`person:${input.into}`);
    return open().persons.merge(input.into, input.from, ctx.user!.username);
  });
  router.handle('persons.split', (input, ctx) => {
    ctx.setObject(`person:${input.personId}`);
    return open().persons.split(input.personId, input.faceIds, ctx.user!.username);
  });
  router.handle('persons.moveFace', (input, ctx) => {
    ctx.setObject(`face:${input.faceId}`);
    return open().persons.moveFace(input.faceId, input.to, ctx.user!.username);
  });
  router.handle('persons.name', (input, ctx) => {
    ctx.setObject(`person:${input.personId}`);
    return open().persons.name(input.personId, input.name, ctx.user!.username);
  });
  router.handle('persons.undo', (_input, ctx) => {
    const { view, undone } = open().persons.undo();
    ctx.addDetails({ undone });
    return view;
  });
}
