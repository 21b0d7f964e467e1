import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { calibratedPack, FACES_DIR, FACES_MISSING, facesAvailable, MODELS_DIR, PASSWORD, tempWorkstation } from '../main/testing';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};

function loupe(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', '--home', home, '--as', 'sup', ...args], {
    env: { ...process.env, LOUPE_PASSWORD: PASSWORD, LOUPE_MODELS: MODELS_DIR },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!facesAvailable || !calibratedPack)(`loupe validate${facesAvailable ? '' : ` (skipped: ${FACES_MISSING})`}`, () => {
  it('validates labelled photos by group, prints the figures with the grouping note, writes each chart as SVG and PNG, and shows the record again', async () => {
    const home = temp('loupe-cli-validate-home-');
    const data = temp('loupe-cli-validate-data-');
    const out = temp('loupe-cli-validate-out-');
    // The eight TV characters (five crops each), grouped by their first letter: a grouping the data carries, not a demographic one.
    const people = readdirSync(path.join(FACES_DIR, 'identities')).filter((n) => n.startsWith('bbt_'));
    for (const p of people) cpSync(path.join(FACES_DIR, 'identities', p), path.join(data, p), { recursive: true });
    const groups = path.join(out, 'groups.csv');
    writeFileSync(groups, `person,initial\n${people.map((p) => `${p},${p.charAt(4) < 'l' ? 'a-k' : 'l-z'}`).join('\n')}\n`);
    const t = await tempWorkstation('', home);
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.ws.close();

    const missing = loupe(home, 'validate', '--description', 'no data given');
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/Give the labelled photos: loupe validate --data DIR/);

    const run = loupe(home, 'validate', '--data', data, '--groups', groups, '--description', 'Eight TV characters by initial', '--pack', calibratedPack!, '--replicates', '100', '--out', out);
    expect(run.err).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^validation \S+ of \S+ 1\.\d+\.\d+ by sup/);
    expect(run.out).toMatch(/data: Eight TV characters by initial; 8 people, 40 images \(0 without a face\)/);
    expect(run.out).toMatch(/^initial a-k: \d people/m);
    expect(run.out).toMatch(/FNMR at the operating threshold +\d/);
    expect(run.out).toMatch(/Cannot be measured: 7\d\d impostor pairs support false match rates down to/);
    expect(run.out).toContain('is not a bias result');
    const files = readdirSync(out).filter((f) => f !== 'groups.csv').sort();
    expect(files).toEqual([`${calibratedPack}-det.png`, `${calibratedPack}-det.svg`, ...['scores-1-a-k', 'scores-2-l-z', 'scores-all'].flatMap((n) => [`${calibratedPack}-${n}.png`, `${calibratedPack}-${n}.svg`])]);
    expect(readFileSync(path.join(out, `${calibratedPack}-det.svg`), 'utf8')).toContain('False match rate (FMR), log scale');
    expect(await sharp(path.join(out, `${calibratedPack}-det.png`)).metadata()).toMatchObject({ format: 'png', width: 1640 });

    const id = /^validation (\S+)/.exec(run.out)![1]!;
    const listed = loupe(home, 'validate', '--list');
    expect(listed.out).toContain(id);
    const shown = loupe(home, 'validate', '--show', id);
    expect(shown.code).toBe(0);
    expect(shown.out.split('\n').slice(0, 3)).toEqual(run.out.split('\n').slice(0, 3));
  });
});
