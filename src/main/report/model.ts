import {
  Assessment,
  canonicalJson,
  ReviewOrigin,
  type AuditRecord,
  type ExhibitCheck,
  type ExhibitSummary,
  type FaceSummary,
  type FmrEstimate,
  type ImportBatch,
  type CasePack,
  type ModelPack,
  type PackChange,
  type ReportCoverage,
  type ReviewState,
  type SearchResult,
  type ValidationRecord,
} from '../../shared';
import type { AuditLog } from '../audit';
import { casePack, toPackChange } from '../cases';
import { sha256Hex } from '../crypto';
import type { EvidenceReader } from '../evidence';
import type { SearchService } from '../search';
import { reviewStatus, type CaseInfo, type CaseReads, type ValidationPng } from '../store';

/**
 * The audit actions that change what a report says. Reads (and reports themselves) are
 * left out, so reading the case or writing a report does not move what the next report
 * covers: the same case state gives the same report, byte for byte. This is the first set;
 * a report whose coverage has no `changes` was made with it and is checked with it.
 */
const CHANGES_1 = new Set([
  'cases.create',
  'cases.grantAccess',
  'cases.revokeAccess',
  'cases.acceptRestored',
  'evidence.import',
  'evidence.resumeImport',
  'evidence.cancelImport',
  'evidence.importProbe',
  'import.finished',
  'import.failed',
  'exhibit.imported',
  'exhibit.duplicate',
  'exhibit.failed',
  'search.run',
  'review.open',
  'review.assess',
  'review.submit',
  'review.reveal',
  'review.verify',
  'review.resolve',
]);
/** The set since coverage `changes: 2`: a new retention date (the report states it) and a pack change, asked and done (the report states the case's pack and its changes). */
const CHANGES = new Set([...CHANGES_1, 'retention.setDate', 'cases.changePack', 'cases.packChanged']);
const changesOf = (b: { changes?: 2 | undefined }) => (b.changes === 2 ? CHANGES : CHANGES_1);

/**
 * The case's retention date as it stood just after record `seq`: a later change's record says what it was changed from.
 * With `seq` null, as it stands now.
 */
function retentionDateAt(info: CaseInfo, records: readonly AuditRecord[], seq: number | null): string {
  if (seq === null) return info.retentionDate;
  const later = records.find((r) => r.seq > seq && r.action === 'retention.setDate' && r.outcome === 'ok' && typeof r.details.from === 'string');
  return later ? (later.details.from as string) : info.retentionDate;
}
/** The first change of the case's pack done after record `seq`, if any. */
export const packChangedAfter = (records: readonly AuditRecord[], seq: number) => records.find((r) => r.seq > seq && r.action === 'cases.packChanged' && r.outcome === 'ok');

/** Records of single exhibits: listed in the excerpt only for the exhibits a search or comparison used (the exhibit table lists the rest). */
const EXHIBIT_RECORDS = new Set(['exhibit.imported', 'exhibit.duplicate', 'exhibit.failed']);

export interface FaceInReport {
  face: FaceSummary;
  exhibit: ExhibitSummary;
  /** JPEG bytes: the aligned crop the model saw, and the recorded frame or photo with its size. */
  aligned: Uint8Array | null;
  original: { jpeg: Uint8Array; width: number; height: number } | null;
}

export interface ExaminedCandidate {
  itemId: number;
  origin: ReviewOrigin;
  openedBy: string;
  openedAt: string;
  state: ReviewState;
  lead: boolean;
  probe: FaceInReport;
  candidate: FaceInReport;
  score: { score: number; fmr: FmrEstimate | null; rank: number | null } | null;
  /** Oldest first; a revision names the one it corrects. */
  assessments: Assessment[];
  submitted: { by: string; at: string; assessmentId: number } | null;
}

export interface SearchInReport {
  result: SearchResult;
  examined: number;
}

export interface PackInReport {
  name: string;
  version: string;
  /** The installed manifest when it is the version the searches used; null with why otherwise. */
  manifest: ModelPack | null;
  problem: string | null;
}

/** A validation record of the workstation (issue 11.4) with its charts as PNG, as a report attaches it. */
export interface AttachedValidation {
  record: ValidationRecord;
  pngs: ValidationPng[];
}

export interface ValidationInReport {
  id: string;
  /** The record when it is on this workstation as it was attached; null with why otherwise. */
  attached: AttachedValidation | null;
  /** The DET curve as PNG with its size in pixels, when the record has one. */
  det: { png: Uint8Array; width: number; height: number } | null;
  problem: string | null;
}

/** The digest of a validation record and its charts: a report's coverage keeps it, so a changed or missing record is told apart. */
export function validationDigest(v: AttachedValidation): string {
  return sha256Hex(canonicalJson({ record: v.record, pngs: v.pngs.map((p) => ({ name: p.name, sha256: sha256Hex(p.png) })) }));
}

/** A PNG's size from its header (width and height are the first fields of IHDR). */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Why an attached validation record cannot be quoted now (absent, or not what was attached), or null. */
export function validationProblem(found: AttachedValidation | null, attached: { id: string; sha256: string }): string | null {
  if (!found) return `Validation record ${attached.id}, attached to this report, is not on this workstation: validation records are kept in the workstation's database, not in the case, so its figures cannot be quoted here.`;
  if (validationDigest(found) !== attached.sha256) return `Validation record ${attached.id} on this workstation is not the one attached to this report (its record or charts differ): it is not quoted.`;
  return null;
}

function validationsOf(src: ModelSources, attached: ReportCoverage['validations']): ValidationInReport[] {
  return (attached ?? []).map(({ id, sha256 }) => {
    const found = src.validation(id);
    const problem = validationProblem(found, { id, sha256 });
    const png = problem ? undefined : found?.pngs.find((p) => p.name === 'det')?.png;
    return { id, attached: problem ? null : found, det: png ? { png, ...pngSize(png) } : null, problem };
  });
}

/** Everything a report says, read from the case's records as they were at its coverage. */
export interface ReportModel {
  caseInfo: CaseInfo;
  /** The time of the newest record covered: the report's date, taken from the records, never the clock. */
  asOf: string;
  exhibits: ExhibitSummary[];
  batches: ImportBatch[];
  searches: SearchInReport[];
  examined: ExaminedCandidate[];
  /** Candidates of the searches that no one examined, and comparisons opened but never examined. */
  notExamined: { candidates: number; opened: number };
  packs: PackInReport[];
  /**
   * The case's own pack as it was at the report's head, and the changes of it done by then (on the audit excerpt too, so outside
   * stateDigest); null on a report made before reports stated it (coverage without `changes: 2`), so it is rebuilt as it was.
   */
  casePack: { record: CasePack | null; changes: PackChange[] } | null;
  /** Validation records of the case's pack attached to this report (workstation records, not the case's: outside stateDigest, checked by their own digest). */
  validations: ValidationInReport[];
  audit: { excerpt: AuditRecord[]; exhibitRecordsLeftOut: number; headSeq: number; headHash: string; chainOk: boolean; chainProblem: string | null };
  originals: ExhibitCheck[];
  covers: ReportCoverage;
}

export interface ModelSources {
  reads: CaseReads;
  exhibits: EvidenceReader;
  search: SearchService;
  audit: AuditLog;
  /** The installed manifest of a pack, or null when it is not installed. */
  manifest(name: string): Promise<ModelPack | null>;
  /** A validation record of this workstation with its charts, or null when there is none with this id. */
  validation(id: string): AttachedValidation | null;
  /** Image size of a JPEG (the original view's markers are in its pixels). */
  size(jpeg: Uint8Array): Promise<{ width: number; height: number }>;
}

type Bounds = Omit<ReportCoverage, 'stateDigest' | 'headHash'>;

export function allRecords(audit: AuditLog): AuditRecord[] {
  const total = audit.list(0, 1).total;
  const out: AuditRecord[] = [];
  for (let offset = 0; offset < total; offset += 1000) out.push(...audit.list(offset, 1000).records);
  return out.reverse();
}

/** Where the case stands now: the bounds a new report covers. */
export function currentBounds(reads: CaseReads, audit: AuditLog): Bounds {
  const records = allRecords(audit).filter((r) => CHANGES.has(r.action) && r.outcome === 'ok');
  const items = reads.reviewItems();
  const maxAssessmentId = Math.max(0, ...items.flatMap((i) => reads.assessments(i.id).map((a) => a.id)));
  return {
    changes: 2,
    headSeq: records.at(-1)?.seq ?? 0,
    maxExhibitId: reads.exhibitsPage(0, 1).total === 0 ? 0 : Math.max(...allExhibits(reads).map((e) => e.id)),
    maxSearchId: Math.max(0, ...reads.searches().map((s) => s.id)),
    maxItemId: Math.max(0, ...items.map((i) => i.id)),
    maxAssessmentId,
    submittedItems: items.filter((i) => reads.submission(i.id)).map((i) => i.id),
  };
}

function allExhibits(reads: CaseReads): ExhibitSummary[] {
  const { total } = reads.exhibitsPage(0, 1);
  const out: ExhibitSummary[] = [];
  for (let offset = 0; offset < total; offset += 500) out.push(...reads.exhibitsPage(offset, 500).exhibits);
  return out.sort((a, b) => a.id - b.id);
}

/**
 * Reads the report's model from the case, limited to `bounds` (a report being made, or one being
 * verified). `writtenAt` is the seq of the record that wrote the report being verified: a report
 * made with the first set of changes stated the retention date of that moment.
 */
export async function buildModel(src: ModelSources, bounds: Bounds, writtenAt: number | null = null): Promise<ReportModel> {
  const { reads } = src;
  const records = allRecords(src.audit);
  const head = records.find((r) => r.seq === bounds.headSeq);
  // The first pack change done after the head: the case's pack, and the model of its faces, as they were at the head.
  const changedLater = packChangedAfter(records, bounds.headSeq);
  const packChanges = reads.packChanges().map(toPackChange);
  const laterChange = changedLater ? (packChanges.find((c) => `pack-change:${c.id}` === changedLater.object) ?? null) : null;
  const exhibits = allExhibits(reads).filter((e) => e.id <= bounds.maxExhibitId);
  const searches = reads
    .searches()
    .filter((s) => s.id <= bounds.maxSearchId)
    .map((s) => src.search.get(s.id))
    .sort((a, b) => a.id - b.id);
  const submitted = new Set(bounds.submittedItems);
  const face = async (id: number): Promise<FaceInReport> => {
    const [found] = src.exhibits.faces([id]);
    if (!found) throw new Error(`face ${id} named by a comparison is not in the case`);
    const originalJpeg = found.face.frameId !== null ? reads.media('frame', found.face.frameId, 'display') : reads.media('exhibit', found.exhibit.id, 'display');
    return {
      ...found,
      face: laterChange ? { ...found.face, model: laterChange.from.embedder } : found.face,
      aligned: reads.media('face', id, 'aligned'),
      original: originalJpeg ? { jpeg: originalJpeg, ...(await src.size(originalJpeg)) } : null,
    };
  };

  const examined: ExaminedCandidate[] = [];
  let opened = 0;
  for (const item of reads.reviewItems().filter((i) => i.id <= bounds.maxItemId)) {
    const rows = reads.assessments(item.id).filter((a) => a.id <= bounds.maxAssessmentId);
    if (!rows.some((r) => r.kind === 'examination')) {
      opened++;
      continue;
    }
    const submission = submitted.has(item.id) ? reads.submission(item.id) : null;
    const status = reviewStatus(rows, submission);
    const origin = ReviewOrigin.parse(JSON.parse(item.origin));
    examined.push({
      itemId: item.id,
      origin,
      openedBy: item.openedBy,
      openedAt: item.openedAt,
      state: status.state,
      lead: status.lead,
      probe: await face(item.leftFaceId),
      candidate: await face(item.rightFaceId),
      score: await scoreOf(src, origin, item.leftFaceId, item.rightFaceId),
      assessments: rows.map((r) =>
        Assessment.parse({ ...r, blind: r.blind === 1, scale: JSON.parse(r.scale), body: JSON.parse(r.body) }),
      ),
      submitted: submission ? { by: submission.submittedBy, at: submission.submittedAt, assessmentId: submission.assessmentId } : null,
    });
  }
  const examinedPairs = new Set(examined.map((e) => `${e.probe.face.id}:${e.candidate.face.id}`));
  const inSearches = searches.map((result) => ({ result, examined: result.candidates.filter((c) => examinedPairs.has(`${result.probe.id}:${c.face.id}`)).length }));

  const used = new Set([...examined.map((e) => [e.probe.exhibit.id, e.candidate.exhibit.id]).flat(), ...searches.map((s) => s.probeExhibit.id)]);
  const changes = changesOf(bounds);
  const covered = records.filter((r) => r.seq <= bounds.headSeq && changes.has(r.action));
  const excerpt = covered.filter((r) => !EXHIBIT_RECORDS.has(r.action) || used.has(Number(r.object?.split(':')[1])));
  const verification = src.audit.verify();

  const packs: PackInReport[] = [];
  for (const key of [...new Set(searches.map((s) => `${s.pack.name}@${s.pack.version}`))].sort()) {
    const [name = '', version = ''] = key.split('@');
    const manifest = await src.manifest(name);
    const problem = !manifest
      ? `Pack "${name}" is not installed on this workstation now: its manifest (files, hashes, model card) cannot be quoted.`
      : manifest.version !== version
        ? `The installed "${name}" pack is version ${manifest.version}, not the ${version} the searches used: its manifest is not quoted.`
        : null;
    packs.push({ name, version, manifest: problem ? null : manifest, problem });
  }

  const model: Omit<ReportModel, 'covers' | 'originals'> = {
    caseInfo: { ...reads.info(), retentionDate: retentionDateAt(reads.info(), records, bounds.changes === 2 ? bounds.headSeq : writtenAt) },
    asOf: head?.time ?? reads.info().createdAt,
    exhibits,
    batches: reads.batches().filter((b) => b.startedAt <= (head?.time ?? '')).sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
    searches: inSearches,
    examined,
    notExamined: { candidates: inSearches.reduce((n, s) => n + s.result.candidates.length - s.examined, 0), opened },
    packs,
    casePack:
      bounds.changes === 2
        ? {
            record: laterChange ? laterChange.from : casePack({ reads }),
            changes: packChanges.filter((c) => c.status === 'done' && c.finishedAt !== null && c.finishedAt <= (head?.time ?? '')).reverse(),
          }
        : null,
    validations: validationsOf(src, bounds.validations),
    audit: {
      excerpt,
      exhibitRecordsLeftOut: covered.length - excerpt.length,
      headSeq: bounds.headSeq,
      headHash: head?.hash ?? '',
      chainOk: verification.ok,
      chainProblem: verification.firstBad ? `record ${verification.firstBad.seq}: ${verification.firstBad.reason}` : null,
    },
  };
  const originals = await src.exhibits.verify();
  return { ...model, originals: originals.filter((o) => o.exhibitId <= bounds.maxExhibitId), covers: { ...bounds, headHash: model.audit.headHash, stateDigest: stateDigest(model) } };
}

/** The digest of what the report says of the case's own records: images by hash, and neither the originals' check, the packs nor attached validations (they are not the case's records). */
function stateDigest(model: Omit<ReportModel, 'covers' | 'originals'>): string {
  const face = (f: FaceInReport) => ({ face: f.face, exhibit: f.exhibit.id, aligned: f.aligned && sha256Hex(f.aligned), original: f.original && sha256Hex(f.original.jpeg) });
  const { packs: _packs, casePack: _casePack, validations: _validations, audit, ...rest } = model;
  return sha256Hex(
    canonicalJson({
      ...rest,
      examined: model.examined.map((e) => ({ ...e, probe: face(e.probe), candidate: face(e.candidate) })),
      audit: { excerpt: audit.excerpt, headSeq: audit.headSeq, headHash: audit.headHash },
    }),
  );
}

async function scoreOf(src: ModelSources, origin: ReviewOrigin, left: number, right: number): Promise<ExaminedCandidate['score']> {
  if (origin.kind === 'pair') {
    const c = await src.search.compare(left, right).catch(() => null);
    return c && { score: c.score, fmr: c.fmr, rank: null };
  }
  const candidate = src.search.get(origin.searchId).candidates.find((c) => c.face.id === right);
  return candidate && candidate.score !== null ? { score: candidate.score, fmr: candidate.fmr, rank: candidate.rank } : null;
}
