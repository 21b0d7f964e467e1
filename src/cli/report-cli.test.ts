import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CASE_AUTHORITY, FACES_DIR, MODELS_DIR, PASSPHRASE, PASSWORD, PEOPLE_CASE_MISSING, peopleCaseReady, tempWorkstation } from '../main/testing';

if (!peopleCaseReady) console.warn(`report command line test: ${PEOPLE_CASE_MISSING}: skipped`);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};

function loupe(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', '--home', home, '--as', 'sup', ...args], {
    env: { ...process.env, LOUPE_PASSWORD: PASSWORD, LOUPE_PASSPHRASE: PASSPHRASE, LOUPE_MODELS: MODELS_DIR },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!peopleCaseReady)('loupe report', () => {
  it('two runs on the same case state write byte-identical PDFs; report verify passes them and fails a tampered copy; --validation attaches a validation record', async () => {
    const home = temp('loupe-report-cli-');
    const src = temp('loupe-report-cli-src-');
    const out = temp('loupe-report-cli-out-');
    copyFileSync(path.join(FACES_DIR, 'identities/Barack_Obama/obama.jpg'), path.join(src, 'obama.jpg'));
    copyFileSync(path.join(FACES_DIR, 'identities/Barack_Obama/obama2.jpg'), path.join(src, 'obama2.jpg'));
    const t = await tempWorkstation('', home);
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    await t.must('cases.create', { ...CASE_AUTHORITY, reference: 'REP/1', passphrase: PASSPHRASE });
    await t.must('evidence.import', { paths: [src] });
    await t.ws.importSettled();
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 10 });
    const probe = (await t.must('evidence.get', { exhibitId: exhibits[0]?.id ?? 0 })).faces[0];
    await t.must('search.run', { probeFaceId: probe?.id ?? 0, purpose: 'Find the probe among the seized photographs', maxFmr: null });
    // A validation record of the case's own pack, to attach with --validation.
    const data = temp('loupe-report-cli-data-');
    for (const p of ['Barack_Obama', 'Joe_Biden', 'Kit_Harington']) cpSync(path.join(FACES_DIR, 'identities', p), path.join(data, p), { recursive: true });
    const validation = await t.must('validation.run', { dataDirs: [data], description: 'Three press photo people, for the report', pack: (await t.must('cases.info', {})).pack?.name, replicates: 100 });
    await t.ws.close();

    const a = path.join(out, 'a.pdf');
    const b = path.join(out, 'b.pdf');
    const first = loupe(home, 'report', '--case', 'REP/1', '--out', a);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^wrote the PDF report of the case as at audit record \d+ to .*a\.pdf \(\d+ bytes, SHA-256 [0-9a-f]{64}\)/);
    expect(loupe(home, 'report', '--case', 'REP/1', '--out', b).code).toBe(0);
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
    // Never over an existing file.
    expect(loupe(home, 'report', '--case', 'REP/1', '--out', a).code).not.toBe(0);

    const ok = loupe(home, 'report', 'verify', a, '--case', 'REP/1');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^VERIFIED: /);
    const bytes = readFileSync(a);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 100) ^ 0x20, bytes.length - 100);
    const tampered = path.join(out, 'tampered.pdf');
    writeFileSync(tampered, bytes);
    const bad = loupe(home, 'report', 'verify', tampered, '--case', 'REP/1');
    expect(bad.code).toBe(4);
    expect(bad.out).toMatch(/^NOT VERIFIED: .*\n {2}No record of this case's audit chain names this file's SHA-256/);

    const html = path.join(out, 'r.html');
    const json = JSON.parse(loupe(home, '--json', 'report', '--case', 'REP/1', '--out', html, '--format', 'html').out) as { format: string; sha256: string };
    expect(json.format).toBe('html');
    expect(readFileSync(html, 'utf8')).toMatch(/^<!DOCTYPE html>/);

    // --validation attaches a validation record of the case's pack; the file verifies like any other.
    const v = path.join(out, 'validated.pdf');
    const withValidation = loupe(home, 'report', '--case', 'REP/1', '--out', v, '--validation', validation.id);
    expect(withValidation.code).toBe(0);
    expect(withValidation.out).toContain(`, with validation record(s) ${validation.id} to `);
    expect(readFileSync(v).equals(readFileSync(a))).toBe(false);
    expect(loupe(home, 'report', 'verify', v, '--case', 'REP/1').code).toBe(0);
    const unknown = loupe(home, 'report', '--case', 'REP/1', '--out', path.join(out, 'unknown.pdf'), '--validation', 'AAAAAAAAAAAAAAAA');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/No validation record AAAAAAAAAAAAAAAA on this workstation/);
  }, 240_000);
});
