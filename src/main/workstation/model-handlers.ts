import { embedderId, type PackInfo } from '../../shared';
import { bestPack, installPack, knownPacks, listPacks, sourceManifest } from '../models';
import type { Router } from '../router';
import type { EngineHolder } from './engine-holder';

export function registerModelHandlers(router: Router, modelsDir: string, engine: EngineHolder): void {
  const describe = async (): Promise<PackInfo[]> => {
    const installed = new Map((await listPacks(modelsDir)).map((p) => [p.name, p]));
    const active = installed.size > 0 ? await bestPack(modelsDir) : null;
    return knownPacks().map((name) => {
      const m = sourceManifest(name);
      const inst = installed.get(name);
      return {
        name,
        version: inst?.version ?? m.version,
        description: m.description,
        installed: inst !== undefined,
        active: name === active,
        detector: m.detector.kind,
        embedder: embedderId(m),
        licence: m.licence,
        modelCard: m.modelCard,
        calibrated: m.calibration !== undefined,
      };
    });
  };

  router.handle('models.list', () => describe());

  router.handle('models.install', async (input, ctx) => {
    ctx.setObject(`pack:${input.pack}`);
    await installPack(input.pack, input.from ? { modelsDir, from: input.from } : { modelsDir });
    await engine.reset();
    return (await describe()).find((p) => p.name === input.pack) as PackInfo;
  });
}
