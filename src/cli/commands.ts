import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LoupeError, originLabel, REVIEW_STATE_LABEL, visibleText as t, type AuditVerification, type Client, type ExhibitSummary, type ImportBatch, type PurgeProof, RETENTION_STATUS_LABEL, AUTHORISATION_STATE_LABEL, type SearchAuthorisation, type ReviewItemSummary, type ReviewView } from '../shared';
import type { Workstation } from '../main/workstation';
import { verifyExport } from '../main/audit';
import { type Command, type CommandContext, idOf, optionalString, options, print, required, UsageError, wholeNumber } from './args';
import { readSecret } from './prompt';
import { withSession, withWorkstation } from './session';
import { VALIDATE } from './validate';

const describeVerification = (v: AuditVerification) =>
  (v.ok
    ? `${v.chain} audit chain intact: ${v.records} records, head ${v.headHash}`
    : `${v.chain} audit chain BROKEN at record ${v.firstBad?.seq}: ${v.firstBad?.reason} (${v.records} records)${
        v.behindAnchor ? '. If the case was restored from a backup, a supervisor can accept it: loupe case accept-restore --case REF --reason TEXT' : ''
      }`) + (v.anchorLost ? `\n${describeAnchorLost(v.anchorLost)}` : '');

const describeAnchorLost = (lost: NonNullable<AuditVerification['anchorLost']>) =>
  `WARNING: the chain's anchor was found missing or unreadable ${lost.length === 1 ? 'once' : `${lost.length} times`} (${lost
    .map((l) => `record ${l.seq}, ${l.time}`)
    .join('; ')}): records cut from the end before then, with the anchor deleted, would not show.`;

/** Runs an import to its end, printing progress to stderr; resolves with the batch's final state. */
async function followImport(ctx: CommandContext, c: Client, ws: Workstation, start: () => Promise<{ batchId: string; filesTotal: number }>) {
  let last = '';
  const off = ws.onEvent((e) => {
    if (e.type !== 'import.progress' || ctx.json) return;
    const line = `\r${e.filesDone}/${e.filesTotal} files, ${e.facesFound} faces, ${e.failed} failed, ${e.duplicates} duplicates, ${e.alreadyInCase} already in the case, ${e.filesPerSec.toFixed(1)} files/s${e.etaSec !== null ? `, about ${e.etaSec} s left` : ''}`;
    if (line !== last) process.stderr.write(line.padEnd(last.length));
    last = line;
  });
  const { batchId } = await start();
  await ws.importSettled();
  off();
  if (last) process.stderr.write('\n');
  const batch = (await c.must('evidence.batches', {})).find((b) => b.id === batchId);
  if (!batch) throw new LoupeError('internal', 'The import batch vanished.');
  return batch;
}

const describeBatch = (b: ImportBatch) =>
  `import ${b.id} ${b.status}: ${b.filesDone}/${b.filesTotal} files, ${b.facesFound} faces, ${b.failed} failed, ${b.duplicates} duplicates` +
  (b.alreadyInCase > 0 ? `, ${b.alreadyInCase} already in the case (same file at the same path: nothing imported again for ${b.alreadyInCase === 1 ? 'it' : 'them'})` : '');

/** The validation records named with --validation (any number), in the order given. */
const validationIds = (values: Record<string, unknown>): string[] => (values.validation as string[] | undefined) ?? [];

const describeItem = (i: ReviewItemSummary) =>
  `  #${i.id}  face ${i.leftFaceId} with face ${i.rightFaceId}, ${originLabel(i.origin)}: ${REVIEW_STATE_LABEL[i.state].toLowerCase()}${i.lead ? ' (a lead)' : ''}; opened by ${t(i.openedBy)} ${i.openedAt}`;

function describeReview(v: ReviewView): string {
  const s = v.score;
  return [
    `comparison #${v.item.id}: face ${v.item.leftFaceId} with face ${v.item.rightFaceId}, ${originLabel(v.item.origin)}`,
    `state: ${REVIEW_STATE_LABEL[v.item.state].toLowerCase()}${v.item.lead ? ' (a lead)' : ''}; first examiner: ${v.item.examiner ? t(v.item.examiner) : 'none yet'}; your part: ${v.part}`,
    v.blind ? 'score: withheld (blind mode: save your own assessment first)' : s ? `score: ${s.score.toFixed(4)}${s.rank !== null ? `, rank ${s.rank}` : ''}${s.fmr ? `, false match rate ${s.fmr.oneIn}${s.fmr.band ? ` (${s.fmr.band})` : ''}` : ''}` : 'score: not shown',
    ...v.assessments.map((a) => {
      const level = a.scale.levels.find((l) => l.id === a.body.conclusion);
      return `${a.kind} #${a.id} by ${t(a.examiner)} (${a.examinerRole}) ${a.createdAt}${a.blind ? ', blind' : ''}${a.corrects ? `, corrects #${a.corrects}` : ''}: ${level ? t(level.label) : a.body.conclusion} (${a.scale.id} v${a.scale.version})`;
    }),
    ...(v.withheld > 0 ? [`${v.withheld} assessment(s) withheld from you until you have saved your own`] : []),
    ...(v.why ? [t(v.why)] : []),
  ].join('\n');
}

export const COMMANDS: Command[] = [
  {
    words: ['setup'],
    usage: 'setup --user NAME --name "Full Name"',
    summary: 'first run: create the first supervisor',
    async run(ctx) {
      const { values } = options(ctx, { user: { type: 'string' }, name: { type: 'string' } });
      const username = required(values, 'user');
      const password = await readSecret(`New password for ${username}`, 'LOUPE_PASSWORD');
      const user = await withWorkstation(ctx.home, (c) => c.must('session.createFirstSupervisor', { username, displayName: required(values, 'name'), password }));
      print(ctx, user, () => `created supervisor ${user.username}`);
    },
  },
  {
    words: ['user', 'add'],
    usage: 'user add NAME --role ROLE --name "Full Name"',
    summary: 'add a user (supervisor); password from LOUPE_NEW_PASSWORD',
    async run(ctx) {
      const { values, positionals } = options(ctx, { role: { type: 'string' }, name: { type: 'string' } });
      const username = positionals[2];
      if (!username) throw new UsageError('Name the user: loupe user add NAME --role ROLE --name "Full Name"');
      const password = await readSecret(`New password for ${username}`, 'LOUPE_NEW_PASSWORD');
      const user = await withSession(ctx, (c) =>
        c.must('users.add', { username, displayName: required(values, 'name'), role: required(values, 'role') as 'analyst', password }),
      );
      print(ctx, user, () => `added ${user.role} ${user.username}`);
    },
  },
  {
    words: ['user', 'list'],
    usage: 'user list',
    summary: 'list users (supervisor)',
    async run(ctx) {
      const users = await withSession(ctx, (c) => c.must('users.list', {}));
      print(ctx, users, () => users.map((u) => `${u.username.padEnd(20)} ${u.role.padEnd(11)} ${u.disabled ? 'disabled' : u.lockedAt ? 'locked  ' : 'active  '} ${t(u.displayName)}`).join('\n'));
    },
  },
  {
    words: ['user', 'unlock'],
    usage: 'user unlock NAME',
    summary: 'unlock a user locked by wrong passwords (supervisor)',
    async run(ctx) {
      const username = ctx.args[0];
      if (!username) throw new UsageError('Name the user: loupe user unlock NAME');
      const user = await withSession(ctx, (c) => c.must('users.unlock', { username }));
      print(ctx, user, () => `unlocked ${user.username}`);
    },
  },
  {
    words: ['case', 'create'],
    usage: 'case create --reference R --title T --offence O --purpose P --legal-basis L --authorised-by A --retention YYYY-MM-DD',
    summary: 'create an encrypted case (passphrase from LOUPE_PASSPHRASE)',
    async run(ctx) {
      const { values } = options(ctx, {
        reference: { type: 'string' },
        title: { type: 'string' },
        offence: { type: 'string' },
        purpose: { type: 'string' },
        'legal-basis': { type: 'string' },
        'authorised-by': { type: 'string' },
        retention: { type: 'string' },
      });
      const details = await withSession(ctx, async (c) =>
        c.must('cases.create', {
          reference: required(values, 'reference'),
          title: required(values, 'title'),
          offenceCategory: required(values, 'offence') as 'other',
          purpose: required(values, 'purpose'),
          legalBasis: required(values, 'legal-basis'),
          authorisedBy: required(values, 'authorised-by'),
          retentionDate: required(values, 'retention'),
          passphrase: await readSecret('New case passphrase', 'LOUPE_PASSPHRASE'),
        }),
      );
      print(ctx, details, () => `created case ${t(details.reference)} (${details.id}) in ${t(details.folder)}`);
    },
  },
  {
    words: ['case', 'list'],
    usage: 'case list',
    summary: 'cases on this workstation',
    async run(ctx) {
      const cases = await withSession(ctx, (c) => c.must('cases.list', {}));
      print(ctx, cases, () => (cases.length === 0 ? 'no cases' : cases.map((c) => `${t(c.reference).padEnd(20)} ${c.id}  ${(c.folder === 'missing' ? 'FOLDER MISSING' : c.folder === 'unreadable' ? 'KEY SLOTS DAMAGED' : c.hasAccess ? 'member' : '').padEnd(17)}  ${t(c.title ?? '')}`).join('\n')));
    },
  },
  {
    words: ['case', 'open'],
    usage: 'case open --case REF',
    summary: 'check that your passphrase opens a case, and that its audit chain is intact',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' } });
      const { d, v } = await withSession({ ...ctx, caseRef: required(values, 'case') }, async (c) => ({ d: await c.must('cases.info', {}), v: await c.must('audit.verify', { chain: 'case' }) }));
      print(ctx, { case: d, audit: v }, () => `opened ${t(d.reference)} (${d.counts.exhibits} exhibits, ${d.counts.faces} faces); ${describeVerification(v)}`);
      if (!v.ok) throw new LoupeError('integrity', describeVerification(v));
    },
  },
  {
    words: ['case', 'info'],
    usage: 'case info --case REF',
    summary: 'open a case and show its details',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' } });
      const d = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('cases.info', {}));
      print(ctx, d, () =>
        [
          `${t(d.reference)}: ${t(d.title)}`,
          `offence: ${d.offenceCategory}; authorised by ${t(d.authorisedBy)}; retain until ${d.retentionDate}`,
          `purpose: ${t(d.purpose)}`,
          `legal basis: ${t(d.legalBasis)}`,
          `members: ${d.members.map((m) => m.username).join(', ')}`,
          `exhibits ${d.counts.exhibits}, faces ${d.counts.faces}, audit records ${d.counts.auditRecords}`,
          d.pack ? `model pack: ${d.pack.name} ${d.pack.version} (${d.pack.how} ${d.pack.recordedAt}${d.pack.recordedBy ? ` by ${d.pack.recordedBy}` : ''}); ${d.pack.files.map((f) => `${f.file} ${f.sha256}`).join(', ')}` : 'model pack: not recorded yet',
          `folder: ${t(d.folder)}`,
        ].join('\n'),
      );
    },
  },
  {
    words: ['case', 'check'],
    usage: 'case check --case REF [--quick]',
    summary: 'check every page of a case database; exit 4 when damaged',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, quick: { type: 'boolean' } });
      const r = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('cases.check', { full: values.quick !== true }));
      const text = r.ok
        ? `case database sound: ${r.pagesChecked} pages checked in ${(r.ms / 1000).toFixed(1)} s`
        : `case database DAMAGED: ${r.problems.map(t).join('; ')}. Restore the case folder from its latest backup and keep the damaged copy for examination.`;
      print(ctx, r, () => text);
      if (!r.ok) throw new LoupeError('integrity', text);
    },
  },
  {
    words: ['case', 'accept-restore'],
    usage: 'case accept-restore --case REF --reason TEXT',
    summary: 'accept a case restored from an older copy, recording what was lost (supervisor)',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, reason: { type: 'string' } });
      const a = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('cases.acceptRestored', { reason: required(values, 'reason') }));
      print(ctx, a, () => `accepted the restored copy: ${a.recordsLost} audit records lost (the workstation had seen up to record ${a.anchored.seq}, ${a.anchored.hash}; the copy ends at record ${a.restored.seq}, ${a.restored.hash}); the chain is anchored again`);
    },
  },
  {
    words: ['case', 'change-pack'],
    usage: 'case change-pack --case REF --pack NAME --reason TEXT',
    summary: "change a case's model pack: encode its faces again with an installed pack (supervisor); run again to resume one cut short",
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, pack: { type: 'string' }, reason: { type: 'string' } });
      const change = await withSession({ ...ctx, caseRef: required(values, 'case') }, async (c, ws) => {
        let last = '';
        const off = ws.onEvent((e) => {
          if (e.type !== 'pack.progress' || ctx.json) return;
          const line = `\r${e.done}/${e.total} faces encoded again with ${e.pack} (${e.stage})`;
          if (line !== last) process.stderr.write(line.padEnd(last.length));
          last = line;
        });
        const started = await c.must('cases.changePack', { pack: required(values, 'pack'), reason: required(values, 'reason') });
        await ws.packChangeSettled();
        off();
        if (last) process.stderr.write('\n');
        const ended = (await c.must('cases.packChanges', {})).find((x) => x.id === started.id);
        if (!ended) throw new LoupeError('internal', 'The pack change vanished.');
        return ended;
      });
      const text = `pack change ${change.id} ${change.status}: ${change.facesDone}/${change.facesTotal} faces encoded again, from ${change.from.name} ${change.from.version} to ${change.to.name} ${change.to.version}`;
      print(ctx, change, () => (change.failure ? `${text}: ${t(change.failure)}` : text));
      if (change.status !== 'done') throw new LoupeError('conflict', `${text}${change.failure ? `: ${change.failure}` : ''}`);
    },
  },
  {
    words: ['case', 'grant'],
    usage: 'case grant USER --case REF',
    summary: 'give USER a key slot (passphrase from LOUPE_NEW_PASSPHRASE)',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' } });
      const username = positionals[2];
      if (!username) throw new UsageError('Name the user: loupe case grant USER --case REF');
      const passphrase = await readSecret(`Case passphrase for ${username}`, 'LOUPE_NEW_PASSPHRASE');
      const d = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('cases.grantAccess', { username, passphrase }));
      print(ctx, d.members, () => `members: ${d.members.map((m) => m.username).join(', ')}`);
    },
  },
  {
    words: ['case', 'export'],
    usage: 'case export --case REF --out FILE [--with-originals] [--validation ID...]',
    summary: "write a disclosure package (supervisor); package passphrase from LOUPE_PACKAGE_PASSPHRASE; --validation attaches a validation record of the case's pack to its report",
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, out: { type: 'string' }, 'with-originals': { type: 'boolean' }, validation: { type: 'string', multiple: true } });
      const out = path.resolve(required(values, 'out'));
      const caseRef = required(values, 'case');
      const passphrase = await readSecret('New package passphrase (give it to the recipient separately)', 'LOUPE_PACKAGE_PASSPHRASE');
      const e = await withSession({ ...ctx, caseRef }, (c) => c.must('cases.export', { out, passphrase, withOriginals: values['with-originals'] === true, validations: validationIds(values) }));
      print(ctx, e, () =>
        [
          `wrote ${t(e.file)}: ${e.bytes} bytes, SHA-256 ${e.sha256}`,
          `audit chain to record ${e.chain.records} (head ${e.chain.headHash}); ${e.report ? 'with' : 'without'} the report; originals: ${e.originals.included} of ${e.originals.referenced} included${e.originals.included === 0 ? ' (referenced by hash)' : ''}`,
          ...e.entries.filter((x) => x.kind !== 'original').map((x) => `  ${x.name.padEnd(12)} ${String(x.bytes).padStart(12)}  ${x.sha256}`),
        ].join('\n'),
      );
    },
  },
  {
    words: ['case', 'import'],
    usage: 'case import FILE [--originals-to DIR]',
    summary: 'bring a case from a disclosure package (supervisor); LOUPE_PACKAGE_PASSPHRASE, then your new LOUPE_PASSPHRASE',
    async run(ctx) {
      const { values, positionals } = options(ctx, { 'originals-to': { type: 'string' } });
      const file = positionals[2];
      if (!file) throw new UsageError('Name the package: loupe case import FILE [--originals-to DIR]');
      const originalsTo = optionalString(values['originals-to']);
      const packagePassphrase = await readSecret('Package passphrase', 'LOUPE_PACKAGE_PASSPHRASE');
      const passphrase = await readSecret('Your new passphrase for the imported case', 'LOUPE_PASSPHRASE');
      const r = await withSession(ctx, (c) => c.must('cases.import', { file: path.resolve(file), packagePassphrase, passphrase, ...(originalsTo ? { originalsTo: path.resolve(originalsTo) } : {}) }));
      print(ctx, r, () =>
        [
          `imported case ${t(r.reference)} (${r.caseId}), exported by ${t(r.exportedBy)} at ${r.exportedAt}; package SHA-256 ${r.packageSha256}`,
          `every entry matched its hash; audit chain intact: ${r.chain.records} records as exported, ${r.head.records} with this import (head ${r.head.headHash})`,
          r.originals.folder ? `originals: ${r.originals.written} written to ${t(r.originals.folder)}, each checked against its import hash` : `originals: ${r.originals.referenced} referenced by hash, not included`,
          'open it with: loupe case open --case ' + r.reference,
        ].join('\n'),
      );
    },
  },
  {
    words: ['review', 'queue'],
    usage: 'review queue --case REF',
    summary: 'comparisons awaiting your assessment, verification or resolution',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' } });
      const q = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('review.queue', {}));
      print(ctx, q, () =>
        [
          `awaiting my assessment: ${q.mine.length}`,
          ...q.mine.map(describeItem),
          // A reviewer takes the next item rather than choosing whose work to check: a count, not a list.
          `awaiting my verification: ${q.toVerify.length}${q.toVerify.length > 0 ? ' (take the next one in the workstation, Case overview)' : ''}`,
          `disputes I may resolve: ${q.disputes.length}`,
          ...q.disputes.map(describeItem),
        ].join('\n'),
      );
    },
  },
  {
    words: ['review', 'show'],
    usage: 'review show ITEM --case REF',
    summary: 'one comparison under review: its state and the assessments you may see',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' } });
      const itemId = idOf(positionals[2], 'comparison', 'loupe review show ITEM --case REF (see loupe review queue)');
      const v = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('review.get', { itemId }));
      print(ctx, v, () => describeReview(v));
    },
  },
  {
    words: ['audit', 'verify'],
    usage: 'audit verify (--case REF | --workstation)',
    summary: 'check an audit chain; exit 4 when broken',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, workstation: { type: 'boolean' } });
      const caseRef = typeof values.case === 'string' ? values.case : undefined;
      if (!caseRef && !values.workstation) throw new UsageError('Say which chain: --case REF or --workstation');
      const v = await withSession({ ...ctx, caseRef }, (c) => c.must('audit.verify', { chain: caseRef ? 'case' : 'workstation' }));
      print(ctx, v, () => describeVerification(v));
      if (!v.ok) throw new LoupeError('integrity', describeVerification(v));
    },
  },
  {
    words: ['audit', 'export'],
    usage: 'audit export (--case REF | --workstation) --out FILE',
    summary: 'write the audit record as JSON lines',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, workstation: { type: 'boolean' }, out: { type: 'string' } });
      const caseRef = typeof values.case === 'string' ? values.case : undefined;
      if (!caseRef && !values.workstation) throw new UsageError('Say which chain: --case REF or --workstation');
      const out = required(values, 'out');
      const e = await withSession({ ...ctx, caseRef }, (c) => c.must('audit.export', { chain: caseRef ? 'case' : 'workstation' }));
      writeFileSync(out, e.jsonl, { flag: 'wx', mode: 0o600 });
      print(ctx, { file: out, headHash: e.headHash, records: e.records }, () => `wrote ${e.records} records to ${out}; head hash ${e.headHash}`);
    },
  },
  {
    words: ['audit', 'check'],
    usage: 'audit check FILE',
    summary: 'verify an exported audit file on its own (no sign-in)',
    async run(ctx) {
      const file = ctx.args[0];
      if (!file) throw new UsageError('Name the exported file: loupe audit check FILE');
      const v = verifyExport(readFileSync(file, 'utf8'));
      const text = v.ok ? `intact: ${v.records} records, head ${v.headHash}` : `BROKEN at record ${v.firstBad?.seq}: ${t(v.firstBad?.reason ?? '')}`;
      print(ctx, v, () => text);
      if (!v.ok) throw new LoupeError('integrity', text);
    },
  },
  {
    words: ['models', 'list'],
    usage: 'models list',
    summary: 'model packs, installed or not, with their licences',
    async run(ctx) {
      const packs = await withSession(ctx, (c) => c.must('models.list', {}));
      print(ctx, packs, () => packs.map((p) => `${p.name.padEnd(10)} ${p.version.padEnd(7)} ${p.installed ? 'installed' : 'available'}${p.active ? ' (in use)' : ''}  ${p.detector} + ${p.embedder}  ${p.licence}`).join('\n'));
    },
  },
  {
    words: ['models', 'install'],
    usage: 'models install PACK [--from DIR]',
    summary: 'install a model pack (registry, or a folder when air-gapped)',
    async run(ctx) {
      const { values, positionals } = options(ctx, { from: { type: 'string' } });
      const pack = positionals[2];
      if (!pack) throw new UsageError('Name the pack: loupe models install PACK [--from DIR]');
      const from = optionalString(values.from);
      const info = await withSession(ctx, (c) => c.must('models.install', from ? { pack, from } : { pack }));
      print(ctx, info, () => `installed ${info.name} ${info.version} (${info.detector} + ${info.embedder}; ${info.licence})`);
    },
  },
  {
    words: ['models', 'calibrate'],
    usage: 'models calibrate PACK --data DIR [--data DIR] --description TEXT',
    summary: 'measure score -> false match rate on labelled photos (a folder per person)',
    async run(ctx) {
      const { values, positionals } = options(ctx, { data: { type: 'string', multiple: true }, description: { type: 'string' } });
      const pack = positionals[2];
      if (!pack) throw new UsageError('Name the pack: loupe models calibrate PACK --data DIR --description TEXT');
      const dataDirs = (values.data as string[] | undefined) ?? [];
      const r = await withSession(ctx, (c) => c.must('models.calibrate', { pack, dataDirs, description: required(values, 'description') }));
      print(ctx, r, () =>
        [
          `calibrated ${pack} on ${r.images} images of ${r.people} people (${r.skipped} without a usable face): ${r.impostorPairs.toLocaleString('en-GB')} impostor and ${r.genuinePairs.toLocaleString('en-GB')} same-person pairs`,
          ...r.tar.map((t) => `  at FMR ${t.fmr}: score ${t.score.toFixed(3)}, same-person pairs accepted ${(t.tar * 100).toFixed(1)}%`),
          `per quality band (${r.degraded.encoded} degraded copies; a pair is read in the band of its weaker face):`,
          ...r.bands.map((b) => `  ${b.band}: ${b.impostorPairs.toLocaleString('en-GB')} impostor pairs, ${b.calibrated ? `supports rates down to ${b.lowestSupportedRate}` : 'too few: not calibrated for faces like these'}`),
        ].join('\n'),
      );
    },
  },
  {
    words: ['import'],
    usage: 'import --case REF [--exhibit-ref X] [--fps N] [--no-small-faces] PATH...',
    summary: 'import files and folders as exhibits and find their faces',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' }, 'exhibit-ref': { type: 'string' }, fps: { type: 'string' }, 'no-small-faces': { type: 'boolean' } });
      const paths = positionals.slice(1);
      if (paths.length === 0) throw new UsageError('Name at least one file or folder: loupe import --case REF PATH...');
      const exhibitRef = optionalString(values['exhibit-ref']);
      const fps = optionalString(values.fps);
      const batch = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c, ws) =>
        followImport(ctx, c, ws, () =>
          c.must('evidence.import', {
            paths,
            options: {
              ...(exhibitRef ? { exhibitRef } : {}),
              ...(fps ? { videoFramesPerSecond: Number(fps) } : {}),
              smallFaces: values['no-small-faces'] !== true,
            },
          }),
        ),
      );
      print(ctx, batch, () => describeBatch(batch));
    },
  },
  {
    words: ['import-resume'],
    usage: 'import-resume --case REF [--batch ID]',
    summary: 'resume an interrupted import (the latest, or the one named)',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, batch: { type: 'string' } });
      const wanted = optionalString(values.batch);
      const batch = await withSession({ ...ctx, caseRef: required(values, 'case') }, async (c, ws) => {
        const open = (await c.must('evidence.batches', {})).filter((b) => b.status !== 'done');
        const target = wanted ? open.find((b) => b.id === wanted) : open[0];
        if (!target) throw new LoupeError('not_found', wanted ? `No unfinished import ${wanted} in this case.` : 'This case has no unfinished import.');
        return followImport(ctx, c, ws, () => c.must('evidence.resumeImport', { batchId: target.id }));
      });
      print(ctx, batch, () => describeBatch(batch));
    },
  },
  {
    words: ['evidence', 'list'],
    usage: 'evidence list --case REF [--failed] [--offset N] [--limit N]',
    summary: 'exhibits of a case with their hashes and face counts (all, or --limit from --offset)',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, failed: { type: 'boolean' }, offset: { type: 'string' }, limit: { type: 'string' } });
      const offset = wholeNumber(values.offset, 'offset') ?? 0;
      const limit = wholeNumber(values.limit, 'limit');
      const status = values.failed ? { status: 'failed' as const } : {};
      // The API gives at most 500 a call: the pages are fetched one after another, in the one session.
      const page = await withSession({ ...ctx, caseRef: required(values, 'case') }, async (c) => {
        const exhibits: ExhibitSummary[] = [];
        let total = 0;
        for (;;) {
          const want = Math.min(500, limit === undefined ? 500 : limit - exhibits.length);
          if (want <= 0) break;
          const got = await c.must('evidence.list', { offset: offset + exhibits.length, limit: want, ...status });
          total = got.total;
          exhibits.push(...got.exhibits);
          if (got.exhibits.length < want) break;
        }
        return { total, offset, exhibits };
      });
      print(ctx, page, () =>
        [
          ...page.exhibits.map((e) => `${String(e.id).padStart(5)} ${e.status.padEnd(9)} ${e.kind.padEnd(11)} ${String(e.faceCount).padStart(4)} faces  ${e.sha256.slice(0, 16)}  ${t(e.sourcePath)}${e.failure ? `  (${t(e.failure)})` : ''}${e.notice ? `  [${t(e.notice)}]` : ''}`),
          page.exhibits.length === 0 ? `none of ${page.total} exhibits` : `${page.offset + 1}-${page.offset + page.exhibits.length} of ${page.total} exhibits`,
        ].join('\n'),
      );
    },
  },
  {
    words: ['evidence', 'verify'],
    usage: 'evidence verify --case REF',
    summary: 're-hash the original files; exit 4 if any changed or is missing',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' } });
      const checks = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('evidence.verify', {}));
      const bad = checks.filter((x) => !x.ok);
      const where = (x: (typeof checks)[number]) => (x.readFrom === x.sourcePath ? t(x.sourcePath) : `${t(x.readFrom)} (imported from ${t(x.sourcePath)})`);
      print(ctx, checks, () => [...bad.map((b) => `exhibit ${b.exhibitId} ${where(b)}: ${t(b.reason ?? '')}`), `${checks.length - bad.length} of ${checks.length} originals match their import hash`].join('\n'));
      if (bad.length > 0) throw new LoupeError('integrity', `${bad.length} original file(s) changed or missing`);
    },
  },
  {
    words: ['retention', 'list'],
    usage: 'retention list [--all]',
    summary: 'cases by retention: overdue, due, held, date not known; --all adds kept and purged (supervisor, auditor)',
    async run(ctx) {
      const { values } = options(ctx, { all: { type: 'boolean' } });
      const q = await withSession(ctx, (c) => c.must('retention.queue', {}));
      const shown = values.all ? q.cases : q.cases.filter((c) => c.status !== 'kept' && c.status !== 'purged');
      print(ctx, { ...q, cases: shown }, () =>
        [
          ...shown.map(
            (c) =>
              `${t(c.reference).padEnd(20)} ${RETENTION_STATUS_LABEL[c.status].padEnd(18)} ${c.retentionDate ?? 'date not known (open the case once)'}${c.daysLeft === null || c.purgedAt ? '' : c.daysLeft < 0 ? `  ${-c.daysLeft} days past` : `  ${c.daysLeft} days left`}${c.purgedAt ? `  purged ${c.purgedAt} by ${t(c.purgedBy ?? '')}` : ''}`,
          ),
          `${shown.length} of ${q.cases.length} cases listed on ${q.today} (due: within ${q.dueWithinDays} days)`,
        ].join('\n'),
      );
    },
  },
  {
    words: ['retention', 'extend'],
    usage: 'retention extend --case REF --until YYYY-MM-DD --reason TEXT',
    summary: "change how long a case is kept (supervisor; the reason stays in the case's encrypted record)",
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, until: { type: 'string' }, reason: { type: 'string' } });
      const r = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('retention.setDate', { retentionDate: required(values, 'until'), reason: required(values, 'reason') }));
      print(ctx, r, () => `case ${t(required(values, 'case'))} is kept until ${r.retentionDate}${r.held ? ' (and under a legal hold)' : ''}`);
    },
  },
  {
    words: ['retention', 'hold'],
    usage: 'retention hold --case REF --reason TEXT [--lift]',
    summary: 'place (or with --lift, lift) a legal hold on a case: a held case is never purged (supervisor)',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, reason: { type: 'string' }, lift: { type: 'boolean' } });
      const r = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('retention.setHold', { held: !values.lift, reason: required(values, 'reason') }));
      print(ctx, r, () => `case ${t(required(values, 'case'))}: ${r.held ? 'under a legal hold' : 'legal hold lifted'}; retention date ${r.retentionDate}`);
    },
  },
  {
    words: ['retention', 'purge'],
    usage: 'retention purge --case REF --yes',
    summary: 'crypto-erase a case past its retention date and not held: its keys, then its folder; cannot be undone (supervisor)',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, yes: { type: 'boolean' } });
      const ref = required(values, 'case');
      if (!values.yes) throw new UsageError(`Purging destroys case ${t(ref)} for good. Run again with --yes to confirm: loupe retention purge --case ${t(ref)} --yes`);
      const r = await withSession(ctx, async (c) => c.must('retention.purge', { caseId: await registeredCase(c, ref), confirmReference: ref }));
      print(ctx, r, () => [`purged case ${t(r.reference)} on ${r.purgedAt} (${r.rule}); ${r.keySlotFilesDestroyed} key slot file(s) destroyed`, describeProof(r.proof)].join('\n'));
      if (!r.proof.ok) throw new LoupeError('integrity', 'The purge finished but a check failed: see above.');
    },
  },
  {
    words: ['retention', 'verify'],
    usage: 'retention verify --case REF',
    summary: 'show that a purged case can no longer be opened: no key slot anywhere, files gone; exit 4 otherwise (supervisor, auditor)',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' } });
      const p = await withSession(ctx, async (c) => c.must('retention.verify', { caseId: await registeredCase(c, required(values, 'case')) }));
      print(ctx, p, () => describeProof(p));
      if (!p.ok) throw new LoupeError('integrity', `Case ${t(p.reference)} is not shown to be purged: see the checks above.`);
    },
  },
  VALIDATE,
  {
    words: ['report', 'verify'],
    usage: 'report verify FILE --case REF',
    summary: 'check a report file against the case: its SHA-256 on the audit chain, the records it covered unchanged; exit 4 otherwise',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' } });
      const file = positionals[2];
      if (!file) throw new UsageError('Name the report file: loupe report verify FILE --case REF');
      const contentBase64 = readFileSync(file).toString('base64');
      const v = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('report.verify', { contentBase64 }));
      print(ctx, v, () => [`${v.ok ? 'VERIFIED' : 'NOT VERIFIED'}: ${file} (SHA-256 ${v.sha256})`, ...v.findings.map((f) => `  ${t(f)}`)].join('\n'));
      if (!v.ok) throw new LoupeError('integrity', `${file} does not verify against the case: see above.`);
    },
  },
  {
    words: ['report'],
    usage: 'report --case REF --out FILE [--format pdf|html] [--validation ID...]',
    summary: "write the case's report (PDF by default); its SHA-256 and what it covers go on the case's audit chain; --validation attaches a validation record of the case's pack (see loupe validate --list)",
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, validation: { type: 'string', multiple: true } });
      const out = required(values, 'out');
      const format = optionalString(values.format) ?? 'pdf';
      if (format !== 'pdf' && format !== 'html') throw new UsageError(`--format is pdf or html, not ${t(format)}`);
      const r = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('report.create', { format, validations: validationIds(values) }));
      writeFileSync(out, Buffer.from(r.contentBase64, 'base64'), { flag: 'wx', mode: 0o600 });
      const { contentBase64: _content, ...shown } = r;
      print(ctx, { file: out, ...shown }, () => `wrote the ${format.toUpperCase()} report of the case as at audit record ${r.covers.headSeq}${r.covers.validations?.length ? `, with validation record(s) ${r.covers.validations.map((v) => v.id).join(', ')}` : ''} to ${out} (${r.bytes} bytes, SHA-256 ${r.sha256}); check it later with: loupe report verify ${out} --case REF`);
    },
  },
  {
    words: ['search', 'request'],
    usage: 'search request --case REF --face ID --watchlist ID... --purpose TEXT',
    summary: "ask a supervisor's authorisation to search a probe face against watch lists (where the case requires it)",
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, face: { type: 'string' }, watchlist: { type: 'string', multiple: true }, purpose: { type: 'string' } });
      const watchlistIds = ((values.watchlist as string[] | undefined) ?? []).map((w) => idOf(w, 'watch list', '--watchlist ID (see loupe watchlist list)'));
      const probeFaceId = idOf(required(values, 'face'), 'face', '--face ID (see loupe evidence show)');
      const a = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('search.requestAuthorisation', { probeFaceId, watchlistIds, purpose: required(values, 'purpose') }));
      print(ctx, a, () => describeAuthorisation(a));
    },
  },
  {
    words: ['search', 'authorisations'],
    usage: 'search authorisations --case REF',
    summary: 'requests to search watch lists and their decisions',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' } });
      const list = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('search.authorisations', {}));
      print(ctx, list, () => (list.length === 0 ? 'no requests' : list.map(describeAuthorisation).join('\n')));
    },
  },
  {
    words: ['search', 'decide'],
    usage: 'search decide N --case REF (--approve | --refuse) --reason TEXT',
    summary: 'approve or refuse a request to search watch lists (a supervisor other than the requester)',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' }, approve: { type: 'boolean' }, refuse: { type: 'boolean' }, reason: { type: 'string' } });
      const requestId = idOf(positionals[2], 'request', 'loupe search decide N --case REF (see loupe search authorisations)');
      if (values.approve === values.refuse) throw new UsageError('Say --approve or --refuse, one of the two');
      const a = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('search.decideAuthorisation', { requestId, approve: values.approve === true, reason: required(values, 'reason') }));
      print(ctx, a, () => describeAuthorisation(a));
    },
  },
];

/** A case of the register by id or reference, purged ones included (the case list leaves those out). */
async function registeredCase(c: Client, ref: string): Promise<string> {
  const found = (await c.must('retention.queue', {})).cases.find((x) => x.caseId === ref || x.reference.toLowerCase() === ref.toLowerCase());
  if (!found) throw new LoupeError('not_found', `No case ${t(ref)} on this workstation (see: loupe retention list --all).`);
  return found.caseId;
}

const describeProof = (p: PurgeProof) =>
  [`case ${t(p.reference)}: ${p.ok ? 'cannot be opened on this workstation' : 'NOT shown to be purged'}`, ...p.checks.map((x) => `  ${x.ok ? 'ok  ' : 'FAIL'} ${t(x.check)}: ${t(x.found)}`)].join('\n');

const describeAuthorisation = (a: SearchAuthorisation) =>
  `request #${a.id} by ${t(a.requestedBy)} ${a.requestedAt}: probe face ${a.probeFaceId} against ${a.watchlists.map((w) => t(w.name)).join(', ')}; purpose: ${t(a.purpose)}; ${AUTHORISATION_STATE_LABEL[a.state].toLowerCase()}${
    a.decidedBy ? ` (${t(a.decidedBy)}: ${t(a.decisionReason ?? '')})` : ''
  }${a.searchId !== null ? `, search #${a.searchId}` : ''}`;
