import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CASE_AUTHORITY, MODELS_DIR, packInstalled, PASSPHRASE, PASSWORD, tempWorkstation } from '../main/testing';

const ready = packInstalled('yunet') || packInstalled('default');
if (!ready) console.warn('command line test: no model pack installed (an import needs one): skipped');

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** The command line as a user runs it, in its own process. */
function loupe(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', '--home', home, '--as', 'sup', ...args], {
    env: { ...process.env, LOUPE_PASSWORD: PASSWORD, LOUPE_PASSPHRASE: PASSPHRASE, LOUPE_MODELS: MODELS_DIR },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!ready)('command line', () => {
  it('lists every exhibit past the API page of 500, or the window asked for, and shows hostile names inert', async () => {
    const home = temp('loupe-cli-home-');
    const src = temp('loupe-cli-src-');
    mkdirSync(path.join(src, 'notes'));
    for (let i = 0; i < 510; i++) writeFileSync(path.join(src, 'notes', `note-${String(i).padStart(3, '0')}.txt`), `note ${i}\n`);
    const hostile = 'a\nexhibit 99 done\u001b[2J\u202egpj.exe';
    writeFileSync(path.join(src, hostile), 'not an image');

    const t = await tempWorkstation('', home);
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'CLI/1', passphrase: PASSPHRASE });
    await t.must('evidence.import', { paths: [src] });
    await t.ws.importSettled();
    await t.ws.close();

    const all = loupe(home, 'evidence', 'list', '--case', 'CLI/1');
    expect(all.err).toBe('');
    const lines = all.out.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('1-511 of 511 exhibits');
    expect(lines).toHaveLength(512);
    expect(all.out.includes('\u001b') || all.out.includes('\u202e')).toBe(false);
    expect(all.out).toContain('a\\nexhibit 99 done\\x1b[2J\\u202egpj.exe');

    const window = loupe(home, 'evidence', 'list', '--case', 'CLI/1', '--offset', '499', '--limit', '3');
    expect(window.out.trimEnd().split('\n').at(-1)).toBe('500-502 of 511 exhibits');

    const json = JSON.parse(loupe(home, '--json', 'evidence', 'list', '--case', 'CLI/1').out) as { total: number; exhibits: { sourcePath: string }[] };
    expect(json.exhibits).toHaveLength(511);
    expect(json.exhibits.some((e) => e.sourcePath.endsWith(hostile))).toBe(true);

    const check = loupe(home, 'case', 'check', '--case', 'CLI/1');
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/^case database sound: \d+ pages checked in [\d.]+ s\n$/);

    const missing = loupe(home, 'import', '--case', 'CLI/1', path.join(src, 'gone\u001b]0;owned\u0007'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^loupe: No such file or folder: .*gone\\x1b]0;owned\\x07\. Check the path; nothing was imported\.\n$/);
  });
});
