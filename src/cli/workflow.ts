import { LoupeError, REVIEW_STATE_LABEL, visibleText as t, type Candidate, type Client, type Comparison, type FaceSummary, type PersonsView, type ReviewItemSummary, type SearchResult } from '../shared';
import { type Command, type CommandContext, idOf, optionalString, options, print, required, UsageError } from './args';
import { withSession } from './session';

/**
 * The examiner's work on the command line: search, compare, watch lists, persons and blind
 * mode. Each command is one session through the router, as a click in the workstation is.
 */

/** A false match rate as written on the command line: 0.001, 1e-3, 1/1000, or "any" for no threshold. */
export function parseFmr(v: string, name = 'fmr'): number | null {
  if (v === 'any') return null;
  const ratio = /^1\s*[/:]\s*([\d,]+)$/.exec(v);
  const n = ratio ? 1 / Number((ratio[1] ?? '').replace(/,/g, '')) : /^[\d.eE+-]+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new UsageError(`--${name} must be a false match rate such as 0.001, 1e-3 or 1/1000 (or "any"), not ${t(v)}`);
  return n;
}

const clock = (ms: number) => `${String(Math.floor(ms / 60000)).padStart(2, '0')}:${((ms % 60000) / 1000).toFixed(1).padStart(4, '0')}`;

/** Where a face is: its exhibit, and the moment of a video. */
const at = (face: FaceSummary, fileName: string) => `${t(fileName)}${face.timeMs !== null ? ` at ${clock(face.timeMs)}` : ''}`;

const quality = (face: FaceSummary) => `quality ${Math.round(face.quality.score)}${face.quality.insufficient ? ' (INSUFFICIENT)' : ''}`;

/**
 * A face named on the command line: a face id of the open case, or an image file imported
 * as a probe (or reference) exhibit, whose one face is taken. An image with several faces
 * is refused with their ids, so the examiner chooses, never the program.
 */
async function faceFrom(c: Client, spec: string, role: 'probe' | 'reference'): Promise<number> {
  if (/^\d+$/.test(spec)) return idOf(spec, 'face', 'a face id (loupe evidence show EXHIBIT) or an image file');
  const d = await c.must('evidence.importProbe', { path: spec, role });
  const faces = [...d.faces].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h);
  const only = faces[0];
  if (!only) throw new LoupeError('not_found', `No face was found in ${t(spec)} (imported as exhibit ${d.exhibit.id}); choose another image.`);
  if (faces.length > 1) {
    throw new LoupeError('invalid_input', `${t(spec)} shows ${faces.length} faces (imported as exhibit ${d.exhibit.id}; face ids, largest first: ${faces.map((f) => f.id).join(', ')}): name the one you mean by its id.`);
  }
  return only.id;
}

const rateOf = (c: Candidate) => (c.withheld ? 'withheld' : c.fmr ? c.fmr.oneIn : 'not calibrated');

function candidateRow(c: Candidate, review: ReviewItemSummary | undefined, rateWidth: number): string {
  const rank = c.rank === null ? '-' : String(c.rank);
  const score = c.score === null ? 'withheld' : c.score.toFixed(4);
  const where = c.watchlist ? `watch list ${t(c.watchlist.listName)}: ${t(c.watchlist.label)}` : at(c.face, c.exhibit.fileName);
  const track = c.trackFaces > 0 ? ` (and ${c.trackFaces} more face${c.trackFaces === 1 ? '' : 's'} of its track)` : '';
  const state = review ? `; review #${review.id}: ${REVIEW_STATE_LABEL[review.state].toLowerCase()}${review.lead ? ' (a lead)' : ''}` : '';
  return `${rank.padStart(4)}  ${score.padStart(8)}  ${rateOf(c).padEnd(rateWidth)}  ${String(c.face.id).padStart(6)}  ${where}${track}, ${quality(c.face)}${state}`;
}

/** A search as text; with `reviews` (review.states of its candidates), each candidate's review state too. */
export function describeSearch(s: SearchResult, reviews: ReviewItemSummary[] = []): string {
  const target = [s.target.case ? "this case's evidence" : null, ...s.target.watchlists.map((w) => `watch list ${t(w.name)}`)].filter(Boolean).join(' and ');
  const withheld = s.candidates.filter((c) => c.withheld).length;
  const rateWidth = Math.max('false match rate'.length, ...s.candidates.map((c) => rateOf(c).length));
  return [
    `search #${s.id} by ${t(s.createdBy)} ${s.createdAt}; purpose: ${t(s.purpose)}`,
    ...(s.authority ? [`case authorised by ${t(s.authority.authorisedBy)}; legal basis: ${t(s.authority.legalBasis)}${s.authorisationId !== null ? `; run under search authorisation #${s.authorisationId}` : ''}`] : []),
    `probe: face ${s.probe.id} of exhibit ${s.probeExhibit.id} (${at(s.probe, s.probeExhibit.fileName)}), ${quality(s.probe)}${s.qualityOverride ? `; searched despite its quality because: ${t(s.qualityOverride)}` : ''}`,
    `target: ${target}; ${s.scored} faces scored (${s.method}); model pack ${s.pack.name} ${s.pack.version}${s.pack.calibration ? `, calibrated on ${t(s.pack.calibration)}` : ', NOT calibrated'}`,
    `threshold: ${s.maxFmr === null ? 'none (the top candidates whatever their score)' : `false match rate at most ${s.maxFmr}${s.thresholdScore !== null ? ` (score ${s.thresholdScore.toFixed(4)} or more)` : ''}`}; at most ${s.maxCandidates} candidates${Object.keys(s.filters).length > 0 ? `; filters ${t(JSON.stringify(s.filters))}` : ''}`,
    ...(s.blind && withheld > 0 ? [`blind mode: ${withheld} candidate(s) listed by face, their rank, score and rate withheld until you have assessed and revealed each one`] : []),
    s.candidates.length === 0 ? 'no candidates' : `rank     score  ${'false match rate'.padEnd(rateWidth)}    face  where`,
    ...s.candidates.map((c) => candidateRow(c, reviews.find((r) => r.rightFaceId === c.face.id), rateWidth)),
    t(s.caveat),
  ].join('\n');
}

function describeComparison(r: Comparison): string {
  return [
    `face ${r.faceA.id} (${quality(r.faceA)}) with face ${r.faceB.id} (${quality(r.faceB)})`,
    `score ${r.score.toFixed(4)}; false match rate ${r.fmr ? r.fmr.oneIn : 'unknown (the model pack is not calibrated)'}; model pack ${r.pack.name} ${r.pack.version}`,
    t(r.caveat),
  ].join('\n');
}

function describePersons(v: PersonsView): string {
  if (!v.groupedAt) return 'the faces of this case are not grouped yet (loupe persons group --case REF)';
  const th = v.threshold;
  return [
    `grouped ${v.groupedAt}${th ? `: same group at score ${th.score.toFixed(4)} or more${th.fmr !== null ? ` (false match rate ${th.fmr})` : ''}${th.rule ? `, rate set by ${th.rule}` : ''}` : ''}`,
    ...v.persons.map((p) => `  person ${String(p.id).padStart(4)}  ${(p.name ? t(p.name) : '(unnamed)').padEnd(24)} ${String(p.faceIds.length).padStart(4)} faces, ${p.trackIds.length} tracks, ${p.exhibitIds.length} exhibits; cover face ${p.coverFaceId}`),
    `${v.persons.length} persons; ${v.unassigned.length} faces in no group`,
    t(v.caveat),
  ].join('\n');
}

const inCase = (ctx: CommandContext, values: Record<string, unknown>) => ({ ...ctx, caseRef: required(values, 'case') });

export const WORKFLOW_COMMANDS: Command[] = [
  {
    words: ['evidence', 'show'],
    usage: 'evidence show EXHIBIT --case REF',
    summary: 'one exhibit with its faces (ids, time, quality) and video tracks',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' } });
      const exhibitId = idOf(positionals[2], 'exhibit', 'loupe evidence show EXHIBIT --case REF (see loupe evidence list)');
      const d = await withSession(inCase(ctx, values), (c) => c.must('evidence.get', { exhibitId }));
      print(ctx, d, () =>
        [
          `exhibit ${d.exhibit.id} ${t(d.exhibit.fileName)} (${d.exhibit.kind}, ${d.exhibit.role}) sha256 ${d.exhibit.sha256}`,
          ...d.faces.map((f) => `  face ${String(f.id).padStart(6)}  ${f.timeMs !== null ? `${clock(f.timeMs)}  ` : ''}${f.trackId !== null ? `track ${f.trackId}  ` : ''}${Math.round(f.box.w)}x${Math.round(f.box.h)} px  ${quality(f)}`),
          ...d.tracks.map((k) => `  track ${k.id}: ${clock(k.firstMs)}-${clock(k.lastMs)}, ${k.faceCount} faces, best face ${k.bestFaceId}`),
          `${d.faces.length} faces, ${d.tracks.length} tracks`,
        ].join('\n'),
      );
    },
  },
  {
    words: ['search', 'list'],
    usage: 'search list --case REF',
    summary: 'searches made in a case',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' } });
      const list = await withSession(inCase(ctx, values), (c) => c.must('search.list', {}));
      print(ctx, list, () => (list.length === 0 ? 'no searches' : list.map((s) => `#${String(s.id).padEnd(4)} ${s.createdAt}  ${t(s.createdBy).padEnd(12)} probe face ${s.probeFaceId}, ${s.candidates} candidates: ${t(s.purpose)}`).join('\n')));
    },
  },
  {
    words: ['search', 'show'],
    usage: 'search show SEARCH --case REF',
    summary: 'one recorded search, its candidates as far as you may see them, and their review state',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' } });
      const searchId = idOf(positionals[2], 'search', 'loupe search show SEARCH --case REF (see loupe search list)');
      const { s, reviews } = await withSession(inCase(ctx, values), async (c) => {
        const got = await c.must('search.get', { searchId });
        return { s: got, reviews: await c.must('review.states', { leftFaceId: got.probe.id, rightFaceIds: got.candidates.map((x) => x.face.id) }) };
      });
      print(ctx, { ...s, reviews }, () => describeSearch(s, reviews));
    },
  },
  {
    words: ['search'],
    usage:
      'search --case REF (--face ID | --image FILE) --purpose TEXT [--no-case] [--watchlist ID]... [--authorisation N] [--fmr RATE|any] [--top K] [--exhibit ID]... [--from T] [--to T] [--min-quality Q] [--quality-override TEXT]',
    summary: '1:N: search a probe face against the case and/or watch lists; candidates are leads',
    async run(ctx) {
      const { values } = options(ctx, {
        case: { type: 'string' },
        face: { type: 'string' },
        image: { type: 'string' },
        purpose: { type: 'string' },
        'no-case': { type: 'boolean' },
        watchlist: { type: 'string', multiple: true },
        fmr: { type: 'string' },
        top: { type: 'string' },
        exhibit: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        'min-quality': { type: 'string' },
        'quality-override': { type: 'string' },
        authorisation: { type: 'string' },
      });
      const authorisation = optionalString(values.authorisation);
      const face = optionalString(values.face);
      const image = optionalString(values.image);
      if ((face === undefined) === (image === undefined)) throw new UsageError('Give the probe: --face ID (a face of the case) or --image FILE (imported as a probe exhibit), one of the two');
      const purpose = required(values, 'purpose');
      const watchlists = ((values.watchlist as string[] | undefined) ?? []).map((w) => idOf(w, 'watch list', '--watchlist ID (see loupe watchlist list)'));
      const exhibitIds = (values.exhibit as string[] | undefined)?.map((e) => idOf(e, 'exhibit', '--exhibit ID (see loupe evidence list)'));
      const top = optionalString(values.top);
      if (top !== undefined && !/^[1-9]\d{0,2}$/.test(top)) throw new UsageError(`--top must be a number of candidates from 1 to 500, not ${t(top)}`);
      const minQuality = optionalString(values['min-quality']);
      if (minQuality !== undefined && !/^\d+(\.\d+)?$/.test(minQuality)) throw new UsageError(`--min-quality must be a quality score from 0 to 100, not ${t(minQuality)}`);
      const fmr = optionalString(values.fmr);
      const from = optionalString(values.from);
      const to = optionalString(values.to);
      const override = optionalString(values['quality-override']);
      const s = await withSession(inCase(ctx, values), async (c) =>
        c.must('search.run', {
          probeFaceId: await faceFrom(c, face ?? image ?? '', 'probe'),
          purpose,
          target: { case: values['no-case'] !== true, watchlists },
          ...(top !== undefined ? { maxCandidates: Number(top) } : {}),
          ...(fmr !== undefined ? { maxFmr: parseFmr(fmr) } : {}),
          filters: { ...(exhibitIds ? { exhibitIds } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}), ...(minQuality !== undefined ? { minQuality: Number(minQuality) } : {}) },
          ...(override ? { qualityOverride: override } : {}),
          ...(authorisation !== undefined ? { authorisationId: idOf(authorisation, 'search authorisation', '--authorisation N (a supervisor approved it)') } : {}),
        }),
      );
      print(ctx, s, () => describeSearch(s));
    },
  },
  {
    words: ['compare'],
    usage: 'compare A B --case REF --purpose TEXT',
    summary: '1:1: compare two faces (face ids, or image files imported as probes)',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' }, purpose: { type: 'string' } });
      const [a, b] = positionals.slice(1);
      if (!a || !b || positionals.length > 3) throw new UsageError('Name two faces: loupe compare A B --case REF --purpose TEXT (each a face id or an image file)');
      const purpose = required(values, 'purpose');
      const r = await withSession(inCase(ctx, values), async (c) => c.must('compare.faces', { faceA: await faceFrom(c, a, 'probe'), faceB: await faceFrom(c, b, 'probe'), purpose }));
      print(ctx, r, () => describeComparison(r));
    },
  },
  {
    words: ['watchlist', 'create'],
    usage: 'watchlist create NAME --description TEXT --case REF',
    summary: 'create a watch list in a case',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' }, description: { type: 'string' } });
      const name = positionals[2];
      if (!name || positionals.length > 3) throw new UsageError('Name the list (in quotes if it has spaces): loupe watchlist create NAME --description TEXT --case REF');
      const w = await withSession(inCase(ctx, values), (c) => c.must('watchlists.create', { name, description: required(values, 'description') }));
      print(ctx, w, () => `created watch list ${w.id} ${t(w.name)}`);
    },
  },
  {
    words: ['watchlist', 'list'],
    usage: 'watchlist list [LIST] --case REF',
    summary: "a case's watch lists, or one list's entries",
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' } });
      const list = positionals[2];
      if (list === undefined) {
        const lists = await withSession(inCase(ctx, values), (c) => c.must('watchlists.list', {}));
        print(ctx, lists, () => (lists.length === 0 ? 'no watch lists' : lists.map((w) => `${String(w.id).padStart(4)}  ${t(w.name).padEnd(24)} ${String(w.entries).padStart(4)} entries  by ${t(w.createdBy)} ${w.createdAt}: ${t(w.description)}`).join('\n')));
        return;
      }
      const watchlistId = idOf(list, 'watch list', 'loupe watchlist list [LIST] --case REF');
      const entries = await withSession(inCase(ctx, values), (c) => c.must('watchlists.entries', { watchlistId }));
      print(ctx, entries, () => (entries.length === 0 ? 'no entries' : entries.map((e) => `${String(e.id).padStart(5)}  face ${String(e.face.id).padStart(6)}  ${t(e.label).padEnd(24)} retain until ${e.retentionDate}; source: ${t(e.source)}; reason: ${t(e.reason)}; added by ${t(e.addedBy)} ${e.addedAt}`).join('\n')));
    },
  },
  {
    words: ['watchlist', 'add'],
    usage: 'watchlist add LIST (--face ID | --image FILE) --label TEXT --source TEXT --reason TEXT --retain YYYY-MM-DD --case REF',
    summary: 'add a reference face to a watch list, with its provenance',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' }, face: { type: 'string' }, image: { type: 'string' }, label: { type: 'string' }, source: { type: 'string' }, reason: { type: 'string' }, retain: { type: 'string' } });
      const watchlistId = idOf(positionals[2], 'watch list', 'loupe watchlist add LIST ... (see loupe watchlist list)');
      const face = optionalString(values.face);
      const image = optionalString(values.image);
      if ((face === undefined) === (image === undefined)) throw new UsageError('Give the reference face: --face ID or --image FILE (imported as a reference exhibit), one of the two');
      const entry = { label: required(values, 'label'), source: required(values, 'source'), reason: required(values, 'reason'), retentionDate: required(values, 'retain') };
      const e = await withSession(inCase(ctx, values), async (c) => c.must('watchlists.addEntry', { watchlistId, faceId: await faceFrom(c, face ?? image ?? '', 'reference'), ...entry }));
      print(ctx, e, () => `added entry ${e.id} (face ${e.face.id}, ${t(e.label)}) to watch list ${e.watchlistId}`);
    },
  },
  {
    words: ['watchlist', 'remove'],
    usage: 'watchlist remove ENTRY --reason TEXT --case REF',
    summary: 'remove an entry from a watch list, saying why',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' }, reason: { type: 'string' } });
      const entryId = idOf(positionals[2], 'entry', 'loupe watchlist remove ENTRY --reason TEXT --case REF (see loupe watchlist list LIST)');
      const reason = required(values, 'reason');
      await withSession(inCase(ctx, values), (c) => c.must('watchlists.removeEntry', { entryId, reason }));
      print(ctx, { removed: entryId }, () => `removed entry ${entryId}`);
    },
  },
  {
    words: ['persons', 'group'],
    usage: 'persons group --case REF [--fmr RATE]',
    summary: "group the case's unknown faces into putative persons (replaces the grouping)",
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' }, fmr: { type: 'string' } });
      const fmr = optionalString(values.fmr);
      const maxFmr = fmr === undefined ? undefined : parseFmr(fmr);
      if (maxFmr === null) throw new UsageError('--fmr for grouping must be a rate such as 1e-4, not "any"');
      const v = await withSession(inCase(ctx, values), (c) => c.must('persons.group', maxFmr === undefined ? {} : { maxFmr }));
      print(ctx, v, () => describePersons(v));
    },
  },
  {
    words: ['persons', 'list'],
    usage: 'persons list --case REF',
    summary: 'the current grouping of faces into putative persons',
    async run(ctx) {
      const { values } = options(ctx, { case: { type: 'string' } });
      const v = await withSession(inCase(ctx, values), (c) => c.must('persons.view', {}));
      print(ctx, v, () => describePersons(v));
    },
  },
  {
    words: ['persons', 'merge'],
    usage: 'persons merge INTO FROM --case REF',
    summary: 'merge person FROM into person INTO',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' } });
      const into = idOf(positionals[2], 'person', 'loupe persons merge INTO FROM --case REF (see loupe persons list)');
      const from = idOf(positionals[3], 'person', 'loupe persons merge INTO FROM --case REF (see loupe persons list)');
      const v = await withSession(inCase(ctx, values), (c) => c.must('persons.merge', { into, from }));
      print(ctx, v, () => describePersons(v));
    },
  },
  {
    words: ['persons', 'name'],
    usage: 'persons name PERSON NAME --case REF',
    summary: 'name a putative person (an empty NAME clears it)',
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' } });
      const personId = idOf(positionals[2], 'person', 'loupe persons name PERSON NAME --case REF (see loupe persons list)');
      const name = positionals[3];
      if (name === undefined || positionals.length > 4) throw new UsageError('Give one name (in quotes if it has spaces): loupe persons name PERSON NAME --case REF');
      const v = await withSession(inCase(ctx, values), (c) => c.must('persons.name', { personId, name }));
      print(ctx, v, () => describePersons(v));
    },
  },
  {
    words: ['review', 'blind'],
    usage: 'review blind [on|off --reason TEXT] --case REF',
    summary: "show, or (supervisor) set, the case's blind mode",
    async run(ctx) {
      const { values, positionals } = options(ctx, { case: { type: 'string' }, reason: { type: 'string' } });
      const want = positionals[2];
      if (want !== undefined && want !== 'on' && want !== 'off') throw new UsageError(`Say on or off: loupe review blind on|off --reason TEXT --case REF, not ${t(want)}`);
      const reason = want === undefined ? undefined : required(values, 'reason');
      const b = await withSession(inCase(ctx, values), (c) => (want === undefined ? c.must('review.blindMode', {}) : c.must('review.setBlindMode', { on: want === 'on', reason: reason ?? '' })));
      print(ctx, b, () => `blind mode ${b.on ? 'on: scores are withheld from each examiner until they have assessed a candidate' : 'off: scores are shown with every candidate'}`);
    },
  },
];
