/**
 * The banded calibration of a pack, measured by the calibration flow (measureCalibration,
 * as `loupe models calibrate` runs it) on a subset of the face data that fits an hour on two
 * cores: every identities/ photo and the first --lfw-people people of lfw150/ with two or
 * more photos, two photos each. Prints each band's figures and writes the calibration
 * (the pack's `bandedCalibration`) with the machine's figures to --json.
 *   npx tsx bench/calibration-bands.ts --pack NAME [--lfw-people N] [--json FILE]
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeBands } from '../src/main/calibration';
import { measureCalibration } from '../src/main/calibration-measurement';
import { machine, openPool, parseArgs, writeJson } from './_lib';

const USAGE = 'usage: calibration-bands --pack NAME [--data DIR] [--lfw-people N] [--json FILE]';

/** A labelled folder of the first `people` lfw150 people with two or more photos, two each (copies: calibration reads plain files). */
function lfwSubset(lfw: string, people: number, into: string): string {
  const dir = path.join(into, 'lfw150');
  mkdirSync(dir);
  let taken = 0;
  for (const person of readdirSync(lfw, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const photos = readdirSync(path.join(lfw, person)).sort();
    if (photos.length < 2) continue;
    mkdirSync(path.join(dir, person));
    for (const p of photos.slice(0, 2)) cpSync(path.join(lfw, person, p), path.join(dir, person, p));
    if (++taken >= people) break;
  }
  return dir;
}

async function main() {
  const args = await parseArgs(process.argv.slice(2), USAGE, ['lfw-people']);
  const pack = args.packs[0];
  if (!pack) throw new Error(USAGE);
  const people = Number(args.extra['lfw-people'] ?? 650);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'loupe-calibration-'));
  try {
    const dirs = [lfwSubset(path.join(args.data, 'lfw150'), people, scratch), path.join(args.data, 'identities')];
    const pool = await openPool(args, pack);
    const started = Date.now();
    let shown = 0;
    const report = await measureCalibration(
      pool,
      dirs,
      `LFW (lfw150 150x150 colour crops, the first ${people} people with two or more photos, two photos each) and the identities/ test photos (press photos, TV stills, greyscale ORL and face-api.js crops)`,
      () => new Date(),
      (done, total) => {
        if (Date.now() - shown > 30_000) {
          shown = Date.now();
          console.error(`${done}/${total} encoded, ${Math.round((Date.now() - started) / 1000)} s`);
        }
      },
    ).finally(() => pool.close());
    const seconds = (Date.now() - started) / 1000;
    const bands = describeBands(report.banded);
    console.log(`${pack}: ${report.images} photos of ${report.people} people, ${report.degraded.encoded} degraded copies (${report.degraded.lost} lost), ${seconds.toFixed(0)} s`);
    for (const b of bands) {
      console.log(`  ${b.band}: ${b.impostorPairs} impostor / ${b.genuinePairs} genuine pairs; ${b.calibrated ? `lowest rate it supports ${b.lowestSupportedRate}` : 'not calibrated'}; ${b.tar.map((t) => `TAR ${(t.tar * 100).toFixed(1)}% at FMR ${t.fmr} (score ${t.score.toFixed(3)})`).join(', ')}`);
    }
    writeJson(args.json, { pack, machine: machine(), seconds, images: report.images, people: report.people, skipped: report.skipped, degraded: report.degraded, bands, bandedCalibration: report.banded });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
