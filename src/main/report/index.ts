import sharp from 'sharp';
import { LoupeError, ReportCoverage, ReportFormat, ValidationSummary, type ModelPack, type ReportPreview, type ReportVerification, type User } from '../../shared';
import type { AuditLog } from '../audit';
import { casePack } from '../cases';
import { sha256Hex } from '../crypto';
import type { EvidenceReader } from '../evidence';
import type { ReviewService } from '../review';
import type { SearchService } from '../search';
import type { CaseStore } from '../store';
import { reportBlocks } from './blocks';
import { renderBody, renderHtml } from './html';
import { allRecords, buildModel, currentBounds, packChangedAfter, validationDigest, validationProblem, type AttachedValidation, type ModelSources, type ReportModel } from './model';
import { renderPdf } from './pdf';

export { REPORT_FONTS } from './pdf';

export interface ReportDeps {
  store: CaseStore;
  exhibits: EvidenceReader;
  search: SearchService;
  review: ReviewService;
  audit: AuditLog;
  /** The installed manifest of a model pack, or null when it is not installed. */
  manifest(name: string): Promise<ModelPack | null>;
  /** A validation record of the workstation with its charts as PNG, or null when there is none with this id. */
  validation(id: string): AttachedValidation | null;
}

/** A report file made from the open case: what `report.create` hands over and records, and what a disclosure package carries. */
export interface RenderedReport {
  bytes: Uint8Array;
  fileName: string;
  format: ReportFormat;
  mime: string;
  sha256: string;
  covers: ReportCoverage;
  /** The validation records attached to it, in its order. */
  validations: ValidationSummary[];
}

const MIME: Record<ReportFormat, string> = { pdf: 'application/pdf', html: 'text/html; charset=utf-8' };

/** What the audit record of a written report holds: `report.verify` finds a file by it. Any call that writes a report records this. */
export const reportRecord = (r: RenderedReport) => ({
  report: {
    sha256: r.sha256,
    format: r.format,
    bytes: r.bytes.length,
    fileName: r.fileName,
    covers: r.covers,
    // The attachment on the record in words too: which validation of which pack, on which data.
    ...(r.validations.length ? { validations: r.validations.map((v) => ({ id: v.id, pack: `${v.pack} ${v.packVersion}`, dataset: v.datasetSha256, createdAt: v.createdAt, createdBy: v.createdBy })) } : {}),
  },
});

/**
 * The court-ready report of the open case. It only reads: the case's records through the
 * store's reads, the evidence reader, the search and review services and the audit chain,
 * assembled into one model (model.ts), written as content blocks (blocks.ts) and drawn as
 * HTML (html.ts) or PDF (pdf.ts).
 */
export class ReportService {
  constructor(private readonly deps: ReportDeps) {}

  private sources(): ModelSources {
    const { store, exhibits, search, audit, manifest, validation } = this.deps;
    return {
      reads: store.reads,
      exhibits,
      search,
      audit,
      manifest,
      validation,
      size: async (jpeg) => {
        const m = await sharp(jpeg).metadata();
        return { width: m.width ?? 1, height: m.height ?? 1 };
      },
    };
  }

  /**
   * In a blind case a report shows scores and every examiner's records; it is refused to a
   * user who still has a part to play that seeing them would bias: a verification or a
   * resolution they may make, or an examination of theirs not yet submitted whose score
   * they have not revealed.
   */
  refuseWhileBlind(user: User): void {
    if (user.role === 'auditor' || !this.deps.review.blindMode().on) return;
    const q = this.deps.review.queue(user);
    const unrevealed = q.mine.filter((i) => i.state === 'assessed' && !this.deps.store.reads.revealedTo(i.id, user.username));
    const pending = [...q.toVerify, ...q.disputes, ...unrevealed].map((i) => i.id);
    if (pending.length > 0) {
      throw new LoupeError(
        'forbidden',
        `This case is blind and comparison(s) ${pending.join(', ')} still need your independent work: the report would show you scores and other examiners' conclusions. Finish them first (verify or resolve them, or reveal or submit your own), or ask another examiner or an auditor to read the report.`,
      );
    }
  }

  /**
   * The validation records a new report attaches, each with its digest. A validation says
   * something about a case's searches only when it measured the pack the case is made with,
   * so a record of another pack (or version) is refused.
   */
  attach(ids: readonly string[]): { id: string; sha256: string }[] {
    if (ids.length === 0) return [];
    const pack = casePack(this.deps.store);
    return ids.map((id) => {
      const found = this.deps.validation(id);
      if (!found) throw new LoupeError('not_found', `No validation record ${id} on this workstation; the Validation screen and "loupe validate --list" list those kept.`, 'validations');
      const r = found.record;
      if (!pack) throw new LoupeError('conflict', `This case has no model pack recorded yet, so no validation record can be attached: open the case once with a pack installed, then try again.`, 'validations');
      if (r.pack !== pack.name || r.packVersion !== pack.version) {
        throw new LoupeError(
          'conflict',
          `Validation record ${id} measured the pack "${r.pack}" ${r.packVersion}, but this case is made with "${pack.name}" ${pack.version}: its figures say nothing about this case's searches. Attach a validation of "${pack.name}" ${pack.version}, or run one ("loupe validate --data DIR --pack ${pack.name}").`,
          'validations',
        );
      }
      return { id, sha256: validationDigest(found) };
    });
  }

  async model(covers?: ReportCoverage, validations: readonly string[] = [], writtenAt: number | null = null): Promise<ReportModel> {
    if (covers) return buildModel(this.sources(), covers, writtenAt);
    const attached = this.attach(validations);
    return buildModel(this.sources(), { ...currentBounds(this.deps.store.reads, this.deps.audit), ...(attached.length ? { validations: attached } : {}) });
  }

  async preview(user: User, validations: readonly string[] = []): Promise<ReportPreview> {
    this.refuseWhileBlind(user);
    const m = await this.model(undefined, validations);
    return { html: renderBody(reportBlocks(m)), covers: m.covers, examined: m.examined.length, notExamined: m.notExamined.candidates };
  }

  /**
   * The report's bytes for the open case as it stands, with the validation records named (or as
   * it stood at `covers`, with the validations it names, verifying the report written at record `writtenAt`); nothing is recorded here: the caller records reportRecord().
   */
  async render(format: ReportFormat, covers?: ReportCoverage, validations: readonly string[] = [], writtenAt: number | null = null): Promise<RenderedReport> {
    const m = await this.model(covers, validations, writtenAt);
    const blocks = reportBlocks(m);
    const title = `Face comparison report, case ${m.caseInfo.reference}`;
    const bytes =
      format === 'pdf'
        ? await renderPdf(blocks, { title, subject: `Case ${m.caseInfo.reference} as at audit record ${m.audit.headSeq}`, date: new Date(m.asOf), footer: `Case ${m.caseInfo.reference}, report as at ${m.asOf} (audit record ${m.audit.headSeq})` })
        : new TextEncoder().encode(renderHtml(blocks, title));
    const safeRef = m.caseInfo.reference.replace(/[^A-Za-z0-9._-]+/g, '_');
    const attached = m.validations.flatMap((v) => (v.attached ? [ValidationSummary.parse(v.attached.record)] : []));
    return { bytes, fileName: `loupe-report-${safeRef}-${m.audit.headSeq}.${format}`, format, mime: MIME[format], sha256: sha256Hex(bytes), covers: m.covers, validations: attached };
  }

  /**
   * Checks a report file against the case: a record of the case's chain must name its SHA-256,
   * the chain must be intact, the records it covered must still say the same (their digest),
   * and a report made now from those records is compared byte for byte.
   */
  async verify(bytes: Uint8Array): Promise<ReportVerification> {
    const sha256 = sha256Hex(bytes);
    const chain = this.deps.audit.verify();
    const findings: string[] = [];
    if (!chain.ok) findings.push(`The case's audit chain is broken at record ${chain.firstBad?.seq}: ${chain.firstBad?.reason}.`);
    const record = this.findRecord(sha256);
    if (!record) {
      findings.unshift(`No record of this case's audit chain names this file's SHA-256 (${sha256}): it is not a report this case wrote, or it was altered after it was written.`);
      return { ok: false, sha256, recorded: null, chainOk: chain.ok, stateMatches: null, reproduced: null, findings };
    }
    const again = await this.render(record.format, record.covers, [], record.seq);
    const stateMatches = again.covers.stateDigest === record.covers.stateDigest;
    const reproduced = again.sha256 === sha256;
    const validationProblems = (record.covers.validations ?? []).flatMap((v) => validationProblem(this.deps.validation(v.id), v) ?? []);
    if (!stateMatches) findings.push(`The case records this report covered (up to audit record ${record.covers.headSeq}) no longer say what they said when it was written.`);
    // Every record, not a first page: in a large case the change may be thousands of records back.
    const repacked = stateMatches ? undefined : packChangedAfter(allRecords(this.deps.audit), record.covers.headSeq);
    if (repacked) findings.push(`The case's model pack was changed after this report was made (audit record ${repacked.seq}): the score of a 1:1 comparison is worked out again from the faces' new encodings, so it can differ from the one reported.`);
    if (!reproduced && validationProblems.length) findings.push(...validationProblems);
    else if (stateMatches && !reproduced) findings.push("The covered records are unchanged, but a report made from them now differs: the originals' check or the installed model pack is not what it was then.");
    if (findings.length === 0) findings.push(`Written at audit record ${record.seq} (${record.time}, by ${record.user ?? 'unknown'}); the chain is intact, the records it covered are unchanged, and it is reproduced byte for byte.`);
    return { ok: chain.ok && stateMatches && reproduced, sha256, recorded: { seq: record.seq, time: record.time, user: record.user, format: record.format }, chainOk: chain.ok, stateMatches, reproduced, findings };
  }

  private findRecord(sha256: string) {
    const log = this.deps.audit;
    const total = log.list(0, 1).total;
    for (let offset = 0; offset < total; offset += 1000) {
      for (const r of log.list(offset, 1000).records) {
        const rep = (r.details as { report?: { sha256?: unknown; format?: unknown; covers?: unknown } }).report;
        if (r.outcome !== 'ok' || rep?.sha256 !== sha256) continue;
        const covers = ReportCoverage.safeParse(rep.covers);
        const format = ReportFormat.safeParse(rep.format);
        if (covers.success && format.success) return { seq: r.seq, time: r.time, user: r.user, format: format.data, covers: covers.data };
      }
    }
    return null;
  }
}
