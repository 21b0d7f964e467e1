import { writeFileSync, readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LoupeError, type AuditVerification } from '../shared';
import { verifyExport } from '../main/audit';
import { readSecret } from './prompt';
import { withSession, withWorkstation } from './session';

export interface CommandContext {
  home: string | undefined;
  as: string | undefined;
  json: boolean;
  /** Words after the command's own. */
  args: string[];
  argv: string[];
}

export interface Command {
  words: string[];
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<void>;
}

const GLOBAL = { home: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } } as const;

function options<O extends NonNullable<ParseArgsConfig['options']>>(ctx: CommandContext, opts: O) {
  return parseArgs({ args: ctx.argv, options: { ...GLOBAL, ...opts }, allowPositionals: true, strict: true });
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new LoupeError('invalid_input', `--${name} is required`);
  return v;
}

const print = (ctx: CommandContext, value: unknown, human: () => string) => {
  process.stdout.write(ctx.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
};

const describeVerification = (v: AuditVerification) =>
  v.ok ? `${v.chain} audit chain intact: ${v.records} records, head ${v.headHash}` : `${v.chain} audit chain BROKEN at record ${v.firstBad?.seq}: ${v.firstBad?.reason} (${v.records} records)`;

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
      if (!username) throw new LoupeError('invalid_input', 'Name the user: loupe user add NAME --role ROLE --name "Full Name"');
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
      print(ctx, users, () => users.map((u) => `${u.username.padEnd(20)} ${u.role.padEnd(11)} ${u.disabled ? 'disabled' : 'active  '} ${u.displayName}`).join('\n'));
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
      print(ctx, details, () => `created case ${details.reference} (${details.id}) in ${details.folder}`);
    },
  },
  {
    words: ['case', 'list'],
    usage: 'case list',
    summary: 'cases on this workstation',
    async run(ctx) {
      const cases = await withSession(ctx, (c) => c.must('cases.list', {}));
      print(ctx, cases, () => (cases.length === 0 ? 'no cases' : cases.map((c) => `${c.reference.padEnd(20)} ${c.id}  ${c.hasAccess ? 'member' : '      '}  ${c.title}`).join('\n')));
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
          `${d.reference}: ${d.title}`,
          `offence: ${d.offenceCategory}; authorised by ${d.authorisedBy}; retain until ${d.retentionDate}`,
          `purpose: ${d.purpose}`,
          `legal basis: ${d.legalBasis}`,
          `members: ${d.members.map((m) => m.username).join(', ')}`,
          `exhibits ${d.counts.exhibits}, faces ${d.counts.faces}, audit records ${d.counts.auditRecords}`,
          `folder: ${d.folder}`,
        ].join('\n'),
      );
    },
  },
  {
    words: ['case', 'grant'],
    usage: 'case grant USER --case REF',
    summary: 'give USER a key slot (passphrase from LOUPE_NEW_PASSPHRASE)',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' } });
      const username = positionals[2];
      if (!username) throw new LoupeError('invalid_input', 'Name the user: loupe case grant USER --case REF');
      const passphrase = await readSecret(`Case passphrase for ${username}`, 'LOUPE_NEW_PASSPHRASE');
      const d = await withSession({ ...ctx, caseRef: required(values, 'case') }, (c) => c.must('cases.grantAccess', { username, passphrase }));
      print(ctx, d.members, () => `members: ${d.members.map((m) => m.username).join(', ')}`);
    },
  },
  {
    words: ['audit', 'verify'],
    usage: 'audit verify (--case REF | --workstation)',
    summary: 'check an audit chain; exit 1 when broken',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, workstation: { type: 'boolean' } });
      const caseRef = typeof values.case === 'string' ? values.case : undefined;
      if (!caseRef && !values.workstation) throw new LoupeError('invalid_input', 'Say which chain: --case REF or --workstation');
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
      if (!file) throw new LoupeError('invalid_input', 'Name the exported file: loupe audit check FILE');
      const v = verifyExport(readFileSync(file, 'utf8'));
      const text = v.ok ? `intact: ${v.records} records, head ${v.headHash}` : `BROKEN at record ${v.firstBad?.seq}: ${v.firstBad?.reason}`;
      print(ctx, v, () => text);
      if (!v.ok) throw new LoupeError('integrity', text);
    },
  },
];
