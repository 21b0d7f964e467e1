import { embedderId, type PackInfo } from '../../shared';
import { measureCalibration } from '../calibration-measurement';
import { createFacePool } from '../face-pool';
import { bestPack, installedManifest, installPack, knownPacks, loadPack, scanPacks, sourceManifest, writeCalibration } from '../models';
import type { Router } from '../router';
import type { PackInUse } from './pack-in-use';

export function registerModelHandlers(router: Router, modelsDir: string, packInUse: PackInUse, now: () => Date): void {
  const describe = async (): Promise<PackInfo[]> => {
    const scan = await scanPacks(modelsDir);
    const installed = new Map(scan.installed.map((p) => [p.name, p]));
    const damaged = scan.damaged;
    const active = installed.size + damaged.size > 0 ? await bestPack(modelsDir) : null;
    return Promise.all(knownPacks().map(async (name) => {
      const inst = installed.get(name);
      // An installed pack may carry a calibration measured since it was installed.
      const m = inst ? await installedManifest(modelsDir, name) : sourceManifest(name);
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
        problem: damaged.get(name) ?? null,
      };
    }));
  };

  router.handle('models.list', () => describe());

  router.handle('models.install', async (input, ctx) => {
    ctx.setObject(`pack:${input.pack}`);
    await installPack(input.pack, input.from ? { modelsDir, from: input.from } : { modelsDir });
    await packInUse.reset();
    return (await describe()).find((p) => p.name === input.pack) as PackInfo;
  });

  router.handle('models.calibrate', async (input, ctx) => {
    ctx.setObject(`pack:${input.pack}`);
    const pool = await createFacePool({ pack: await loadPack(modelsDir, input.pack) });
    try {
      const report = await measureCalibration(pool, input.dataDirs, input.description, now);
      await writeCalibration(modelsDir, input.pack, report.calibration);
      await packInUse.reset();
      const { calibration, ...figures } = report;
      ctx.addDetails({ dataset: calibration.dataset, impostorPairs: calibration.impostorPairs, images: figures.images, people: figures.people, tar: figures.tar });
      return {
        ...figures,
        impostorPairs: calibration.impostorPairs,
        genuinePairs: calibration.genuinePairs ?? 0,
        pack: (await describe()).find((p) => p.name === input.pack) as PackInfo,
      };
    } finally {
      await pool.close();
    }
  });
}
