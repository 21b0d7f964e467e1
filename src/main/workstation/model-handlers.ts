import { describeBands } from '../calibration';
import { measureCalibration } from '../calibration-measurement';
import { createFacePool } from '../face-pool';
import { describePack, describePacks, installPack, loadPack, writeCalibration } from '../models';
import type { Router } from '../router';
import type { PackInUse } from './pack-in-use';

export function registerModelHandlers(router: Router, modelsDir: string, packInUse: PackInUse, now: () => Date): void {
  router.handle('models.list', () => describePacks(modelsDir));

  router.handle('models.install', async (input, ctx) => {
    ctx.setObject(`pack:${input.pack}`);
    await installPack(input.pack, input.from ? { modelsDir, from: input.from } : { modelsDir });
    await packInUse.reset();
    return describePack(modelsDir, input.pack);
  });

  router.handle('models.calibrate', async (input, ctx) => {
    ctx.setObject(`pack:${input.pack}`);
    const pool = await createFacePool({ pack: await loadPack(modelsDir, input.pack) });
    try {
      const report = await measureCalibration(pool, input.dataDirs, input.description, now);
      await writeCalibration(modelsDir, input.pack, report.calibration, report.banded);
      await packInUse.reset();
      const { calibration, banded, ...figures } = report;
      const bands = describeBands(banded);
      ctx.addDetails({ dataset: calibration.dataset, impostorPairs: calibration.impostorPairs, images: figures.images, people: figures.people, tar: figures.tar, bands: bands.map((b) => ({ band: b.band, impostorPairs: b.impostorPairs, genuinePairs: b.genuinePairs })) });
      return {
        ...figures,
        bands,
        impostorPairs: calibration.impostorPairs,
        genuinePairs: calibration.genuinePairs ?? 0,
        pack: await describePack(modelsDir, input.pack),
      };
    } finally {
      await pool.close();
    }
  });
}
