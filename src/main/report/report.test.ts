import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatEstimate, GROUPING_NOTE, type ReportFile, type SearchResult, type ValidationRecord } from '../../shared';
import { assessmentBody as body, CASE_AUTHORITY, FACES_DIR, PASSPHRASE, PASSWORD, PEOPLE_CASE_MISSING, peopleCaseReady, tamperClosedCase, tempWorkstation } from '../testing';

if (!peopleCaseReady) console.warn(`report tests: ${PEOPLE_CASE_MISSING}: skipped`);
const hasTool = (tool: string) => {
  try {
    execFileSync(tool, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const poppler = hasTool('pdftoppm') && hasTool('pdftotext');
if (!poppler) console.warn('report tests: pdftoppm/pdftotext (poppler-utils) not installed: the PDF is not rendered page by page');

const PHOTOS: Record<string, string> = {
  'obama.jpg': 'identities/Barack_Obama/obama.jpg',
  'obama2.jpg': 'identities/Barack_Obama/obama2.jpg',
  'biden.jpg': 'identities/Joe_Biden/biden.jpg',
};
/** Names in Greek, Cyrillic and Arabic are drawn by the shipped fonts; a CJK one is written by code point. */
const TITLE = 'Robbery of Ελένη Παπαδοπούλου, Иван Петров and 李';

describe.skipIf(!peopleCaseReady)('the case report', () => {
  let t: Awaited<ReturnType<typeof tempWorkstation>>;
  let src: string;
  let out: string;
  let caseId: string;
  let search: SearchResult;

  const as = async (username: string) => {
    if ((await t.must('session.status', {})).user) await t.must('session.signOut', {});
    await t.must('session.signIn', { username, password: PASSWORD });
    await t.must('cases.open', { caseId, passphrase: username === 'sup' ? PASSPHRASE : `${username} passphrase for the case` });
  };
  const pdf = async () => t.must('report.create', { format: 'pdf' });
  const verify = (f: ReportFile | Buffer) => t.must('report.verify', { contentBase64: Buffer.isBuffer(f) ? f.toString('base64') : f.contentBase64 });

  beforeAll(async () => {
    src = mkdtempSync(path.join(os.tmpdir(), 'loupe-report-src-'));
    out = mkdtempSync(path.join(os.tmpdir(), 'loupe-report-out-'));
    for (const [name, rel] of Object.entries(PHOTOS)) copyFileSync(path.join(FACES_DIR, rel), path.join(src, name));
    t = await tempWorkstation('loupe-report-');
    await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
    for (const [username, role] of [
      ['ann', 'analyst'],
      ['rita', 'reviewer'],
      ['aud', 'auditor'],
    ] as const) {
      await t.must('users.add', { username, displayName: username, role, password: PASSWORD });
    }
    caseId = (await t.must('cases.create', { ...CASE_AUTHORITY, title: TITLE, passphrase: PASSPHRASE })).id;
    for (const u of ['ann', 'rita', 'aud']) await t.must('cases.grantAccess', { username: u, passphrase: `${u} passphrase for the case` });
    await t.must('evidence.import', { paths: [src], options: { exhibitRef: 'JD/1' } });
    await t.ws.importSettled();
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 50, status: 'done' });
    const probe = (await t.must('evidence.get', { exhibitId: exhibits.find((e) => e.fileName === 'obama.jpg')?.id ?? 0 })).faces[0];
    await as('ann');
    const seen = await t.must('search.run', { probeFaceId: probe?.id ?? 0, purpose: 'Find the man seen at the robbery in the seized photographs', maxFmr: null });
    await as('aud');
    search = await t.must('search.get', { searchId: seen.id });
    // The analyst examines the best candidate and submits it; the reviewer verifies it: a lead.
    await as('ann');
    const item = await t.must('review.open', { leftFaceId: search.probe.id, rightFaceId: search.candidates[0]?.face.id ?? 0, origin: { kind: 'search', searchId: search.id } });
    await t.must('review.assess', { itemId: item.item.id, body: body('strong_same') });
    await t.must('review.submit', { itemId: item.item.id });
    await as('rita');
    await t.must('review.verify', { itemId: item.item.id, body: body('moderate_same', { annotations: [{ n: 1, side: 'left', view: 'original', x: 100, y: 80, note: 'Ear lobe' }] }) });
    await as('ann');
  }, 240_000);
  afterAll(async () => {
    await t?.dispose();
    rmSync(src, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('says what the issue lists: case, exhibits with hashes, the search, the examined candidate with its records, the model card, limitations and the audit excerpt', async () => {
    const p = await t.must('report.preview', {});
    expect(p.examined).toBe(1);
    expect(p.notExamined).toBe(search.candidates.length - 1);
    const text = p.html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'");
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 50 });
    for (const want of [
      CASE_AUTHORITY.reference,
      CASE_AUTHORITY.legalBasis,
      CASE_AUTHORITY.authorisedBy,
      CASE_AUTHORITY.purpose,
      ...exhibits.map((e) => e.sha256),
      'Find the man seen at the robbery in the seized photographs',
      `${search.candidates.length - 1} not examined, and so not presented as results`,
      'Strong support for the same person',
      'Moderate support for the same person',
      'Seven-level support scale',
      'Verification',
      'by rita (reviewer)',
      'Submitted for verification',
      'brightness +20',
      'Ear lobe',
      'Training data',
      'NISTIR 8280',
      'An investigative lead, not an identification',
      'intact',
      search.pack.version,
    ]) {
      expect(text, want).toContain(want);
    }
    // Only the examined candidate's faces appear as a comparison: the other candidates are counted, never shown.
    expect(p.html.match(/Comparison \d+: /g)).toHaveLength(1);
    for (const c of search.candidates.slice(1)) expect(text).not.toContain(`Candidate: face ${c.face.id},`);
  });

  it('is deterministic: the same case state gives byte-identical PDF and HTML files, reads and written reports do not change it', async () => {
    const a = await pdf();
    await t.must('evidence.list', { offset: 0, limit: 10 });
    await t.must('search.get', { searchId: search.id });
    const b = await pdf();
    expect(b.sha256).toBe(a.sha256);
    expect(Buffer.from(b.contentBase64, 'base64').equals(Buffer.from(a.contentBase64, 'base64'))).toBe(true);
    const h1 = await t.must('report.create', { format: 'html' });
    const h2 = await t.must('report.create', { format: 'html' });
    expect(h2.contentBase64).toBe(h1.contentBase64);
    // Each file written is on the case chain with its hash and what it covered.
    const records = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 20 })).records.filter((r) => r.action === 'report.create');
    expect(records.map((r) => (r.details.report as { sha256: string }).sha256)).toEqual([h2.sha256, h1.sha256, b.sha256, a.sha256]);
    expect((records[0]?.details.report as { covers: unknown }).covers).toEqual(h1.covers);
  });

  it('verify: a written report is found on the chain and reproduced; a tampered copy is not; a later search leaves it valid', async () => {
    const file = await pdf();
    expect(await verify(file)).toMatchObject({ ok: true, chainOk: true, stateMatches: true, reproduced: true, recorded: { format: 'pdf', user: 'ann' } });
    const bytes = Buffer.from(file.contentBase64, 'base64');
    const at = Math.floor(bytes.length / 2);
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    const tampered = await verify(bytes);
    expect(tampered).toMatchObject({ ok: false, recorded: null });
    expect(tampered.findings[0]).toMatch(/No record of this case's audit chain names this file's SHA-256/);
    // New work after the report: it still verifies (it covers what it covered); a new report differs.
    await t.must('search.run', { probeFaceId: search.probe.id, purpose: 'A second search after the report was written', maxFmr: null });
    expect((await verify(file)).ok).toBe(true);
    expect((await pdf()).sha256).not.toBe(file.sha256);
  });

  it('a new retention date is a change the next report covers; a report made before it still verifies as of its head', async () => {
    const old = await pdf();
    const oldHtml = (await t.must('report.preview', {})).html;
    expect(oldHtml).toContain(CASE_AUTHORITY.retentionDate);
    await as('sup');
    await t.must('retention.setDate', { retentionDate: '2041-06-30', reason: 'Extended: the trial is listed for 2040' });
    await as('ann');
    expect(await verify(old)).toMatchObject({ ok: true, stateMatches: true, reproduced: true });
    const next = await pdf();
    expect(next.covers.headSeq).toBeGreaterThan(old.covers.headSeq);
    const html = (await t.must('report.preview', {})).html;
    expect(html).toContain('2041-06-30');
    expect(html).toContain('retention.setDate');
    expect(await verify(next)).toMatchObject({ ok: true, reproduced: true });
  });

  it("a change of the case's pack is a change the next report covers; a report made before it still verifies, stating the pack as it was", async () => {
    const casePack = (await t.must('cases.info', {})).pack!;
    const to = ['yunet', 'default'].find((p) => p !== casePack.name && existsSync(path.join('models', 'packs', p)));
    if (!to) return;
    const old = await pdf();
    await as('sup');
    await t.must('cases.changePack', { pack: to, reason: 'The agency moved to the newer pack for all open cases' });
    await t.ws.packChangeSettled();
    await as('ann');
    expect(await verify(old)).toMatchObject({ ok: true, stateMatches: true, reproduced: true });
    const next = await pdf();
    expect(next.covers.headSeq).toBeGreaterThan(old.covers.headSeq);
    const text = (await t.must('report.preview', {})).html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'");
    expect(text).toContain(`The case's model pack is ${to}`);
    expect(text).toContain("Changes of the case's pack");
    expect(text).toContain('cases.packChanged');
    expect(await verify(next)).toMatchObject({ ok: true, reproduced: true });
  }, 120_000);

  it('verify: a covered record changed outside Loupe is detected', async () => {
    const file = await pdf();
    const folder = (await t.must('cases.info', {})).folder;
    await t.must('session.signOut', {});
    await tamperClosedCase(folder, "DROP TRIGGER assessments_append_only_update; UPDATE assessments SET body = json_set(body, '$.rationale', 'A different rationale written after the report') WHERE kind = 'verification'");
    await as('ann');
    const v = await verify(Buffer.from(file.contentBase64, 'base64'));
    expect(v).toMatchObject({ ok: false, stateMatches: false, reproduced: false });
    expect(v.findings.join(' ')).toMatch(/no longer say what they said/);
  });

  it('roles: an auditor reads it but does not write it; in a blind case a reviewer who may yet verify is refused', async () => {
    await as('aud');
    expect((await t.must('report.preview', {})).examined).toBe(1);
    expect(await t.invoke('report.create', { format: 'pdf' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await as('ann');
    const item = await t.must('review.open', { leftFaceId: search.probe.id, rightFaceId: search.candidates[1]?.face.id ?? 0, origin: { kind: 'search', searchId: search.id } });
    await t.must('review.assess', { itemId: item.item.id, body: body('limited_different') });
    // Her own examination, not revealed nor submitted: the report would show her its score.
    expect(await t.invoke('report.preview', {})).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/still need your independent work/) } });
    await t.must('review.submit', { itemId: item.item.id });
    await as('rita');
    expect(await t.invoke('report.create', { format: 'pdf' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await as('ann');
  });

  it('a disclosure package carries the report, so its export is refused in a blind case as the report is', async () => {
    await as('sup');
    const item = await t.must('review.open', { leftFaceId: search.candidates[0]?.face.id ?? 0, rightFaceId: search.candidates[1]?.face.id ?? 0, origin: { kind: 'pair' } });
    await t.must('review.assess', { itemId: item.item.id, body: body('limited_different') });
    const refused = await t.invoke('cases.export', { out: path.join(out, 'blind.loupecase'), passphrase: PASSPHRASE });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/still need your independent work/) } });
    expect(existsSync(path.join(out, 'blind.loupecase'))).toBe(false);
    // Nothing about a report was written for the refused export.
    const records = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 5 })).records;
    expect(records.some((r) => r.action === 'report.forDisclosure')).toBe(false);
    await t.must('review.submit', { itemId: item.item.id });
    await as('ann');
  });

  it.skipIf(!poppler)('pdftoppm renders every page; Greek and Cyrillic names are drawn, a CJK one is given by code point', async () => {
    const file = await pdf();
    const at = path.join(out, file.fileName);
    writeFileSync(at, Buffer.from(file.contentBase64, 'base64'));
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [at], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThan(3);
    execFileSync('pdftoppm', ['-r', '40', '-png', at, path.join(out, 'page')]);
    const pngs = readdirSync(out).filter((f) => f.startsWith('page') && f.endsWith('.png'));
    expect(pngs).toHaveLength(pages);
    const text = execFileSync('pdftotext', [at, '-'], { encoding: 'utf8' });
    expect(text).toContain('Ελένη Παπαδοπούλου');
    expect(text).toContain('Иван Петров');
    expect(text).toContain('[U+674E]');
    expect(existsSync(at)).toBe(true);
  });
  describe('with validation records of the pack attached', () => {
    let record: ValidationRecord;
    let other: ValidationRecord;
    let before: ReportFile;

    /** Copies of some identities/ folders (a folder per person), and a groups file by their source. */
    const labelled = (people: string[], groupsBy?: (p: string) => string) => {
      const dir = path.join(out, `data-${people.length}`);
      mkdirSync(dir);
      for (const p of people) cpSync(path.join(FACES_DIR, 'identities', p), path.join(dir, p), { recursive: true });
      if (!groupsBy) return { dir, groups: undefined };
      const groups = path.join(out, `groups-${people.length}.csv`);
      writeFileSync(groups, `person,source\n${people.map((p) => `${p},${groupsBy(p)}`).join('\n')}\n`);
      return { dir, groups };
    };

    beforeAll(async () => {
      before = await pdf();
      const casePack = (await t.must('cases.info', {})).pack!;
      const otherPack = ['yunet', 'default'].find((p) => p !== casePack.name && existsSync(path.join('models', 'packs', p)));
      await as('sup');
      const people = ['ORL_s1', 'ORL_s2', 'ORL_s3', 'ORL_s4', 'Barack_Obama', 'Joe_Biden', 'Kit_Harington', 'Rose_Leslie'];
      const data = labelled(people, (p) => (p.startsWith('ORL_') ? 'ORL' : 'press'));
      record = await t.must('validation.run', { dataDirs: [data.dir], groupsFile: data.groups, description: 'Four ORL people and four press photo people, grouped by source', pack: casePack.name, replicates: 100, seed: 5 });
      // A record of another installed pack, for the refusal.
      if (otherPack) other = await t.must('validation.run', { dataDirs: [labelled(['Barack_Obama', 'Joe_Biden', 'Kit_Harington']).dir], description: 'Three press photo people, another pack', pack: otherPack, replicates: 100, seed: 5 });
      await as('ann');
    }, 300_000);

    it('the report gains a section per record: data set and hash, pack, date, who ran it, figures per group with intervals and the DET curve; the attachment is on the record and the file verifies', async () => {
      expect(record.pack).toBe((await t.must('cases.info', {})).pack?.name);
      const file = await t.must('report.create', { format: 'pdf', validations: [record.id] });
      expect(file.covers.validations).toEqual([{ id: record.id, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
      // Attaching changes nothing else: the same case state, and the same headSeq.
      expect(file.covers.headSeq).toBe(before.covers.headSeq);
      expect(file.covers.stateDigest).toBe(before.covers.stateDigest);
      expect(file.sha256).not.toBe(before.sha256);
      const [rec] = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 1 })).records;
      expect(rec).toMatchObject({ action: 'report.create', user: 'ann', outcome: 'ok' });
      expect((rec?.details.report as { validations: unknown }).validations).toEqual([
        { id: record.id, pack: `${record.pack} ${record.packVersion}`, dataset: record.datasetSha256, createdAt: record.createdAt, createdBy: 'sup' },
      ]);
      expect(await verify(file)).toMatchObject({ ok: true, stateMatches: true, reproduced: true });
      // The same request gives the same bytes; without the record, the report is the one made before the record existed.
      expect((await t.must('report.create', { format: 'pdf', validations: [record.id] })).sha256).toBe(file.sha256);
      expect((await pdf()).sha256).toBe(before.sha256);

      const p = await t.must('report.preview', { validations: [record.id] });
      const text = p.html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&#34;/g, '"');
      const press = record.figures.groups.find((g) => g.label === 'press')!;
      for (const want of [
        `Local validation ${record.id}`,
        'Four ORL people and four press photo people, grouped by source',
        record.datasetSha256,
        `${record.pack} ${record.packVersion}`,
        `${record.createdAt} by sup`,
        'FNMR at FMR 1 in 1,000',
        'Rank-1 identification rate (1:N)',
        formatEstimate(record.figures.overall.metrics.rank1!),
        formatEstimate(press.metrics['fnmrAtOperating']!),
        'ORL',
        GROUPING_NOTE,
      ]) {
        expect(text, want).toContain(want);
      }
      expect(p.html).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+" width="\d+" alt="False non-match rate against false match rate/);
      expect((await t.must('report.preview', {})).html).not.toContain('Local validation');

      if (!poppler) return;
      const at = path.join(out, `validated-${file.fileName}`);
      writeFileSync(at, Buffer.from(file.contentBase64, 'base64'));
      const pdfText = execFileSync('pdftotext', [at, '-'], { encoding: 'utf8' });
      for (const want of [`Local validation ${record.id}`, record.datasetSha256, 'DET curves: all and by source']) expect(pdfText).toContain(want);
      // One image more than the report without it: the DET curve (its alpha channel is listed apart, as an smask).
      const images = (f: string) => execFileSync('pdfimages', ['-list', f], { encoding: 'utf8' }).split('\n').filter((l) => l.trim().split(/\s+/)[2] === 'image').length;
      const plain = path.join(out, `plain-${before.fileName}`);
      writeFileSync(plain, Buffer.from(before.contentBase64, 'base64'));
      expect(images(at)).toBe(images(plain) + 1);
      execFileSync('pdftoppm', ['-r', '40', '-png', at, path.join(out, 'validated')]);
      const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [at], { encoding: 'utf8' }))?.[1]);
      expect(readdirSync(out).filter((f) => f.startsWith('validated') && f.endsWith('.png'))).toHaveLength(pages);
    });

    it('refuses a record of another pack, an unknown record or one attached twice, saying why, and records the refusal', async () => {
      const casePack = (await t.must('cases.info', {})).pack!;
      if (other) {
        const refused = await t.invoke('report.create', { format: 'pdf', validations: [record.id, other.id] });
        expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', field: 'validations' } });
        expect(!refused.ok && refused.error.message).toBe(
          `Validation record ${other.id} measured the pack "${other.pack}" ${other.packVersion}, but this case is made with "${casePack.name}" ${casePack.version}: its figures say nothing about this case's searches. Attach a validation of "${casePack.name}" ${casePack.version}, or run one ("loupe validate --data DIR --pack ${casePack.name}").`,
        );
        const [rec] = (await t.must('audit.list', { chain: 'case', offset: 0, limit: 1 })).records;
        expect(rec).toMatchObject({ action: 'report.create', user: 'ann', outcome: 'failed', details: { error: { code: 'conflict' } } });
        expect(await t.invoke('report.preview', { validations: [other.id] })).toMatchObject({ ok: false, error: { code: 'conflict' } });
      }
      expect(await t.invoke('report.create', { format: 'pdf', validations: ['AAAAAAAAAAAAAAAA'] })).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringMatching(/No validation record AAAAAAAAAAAAAAAA on this workstation/) } });
      expect(await t.invoke('report.create', { format: 'pdf', validations: [record.id, record.id] })).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/Attach each validation record once/) } });
    });
  });
});
