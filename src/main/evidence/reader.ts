import { CASE_MEDIA_REF, LoupeError, type ExhibitCheck, type ExhibitDetails, type ExhibitSummary, type FaceSummary, type ImportBatch } from '../../shared';
import { sha256File } from '../crypto';
import type { CaseReads } from '../store';
import { fsPath } from './source-path';

/**
 * The read side of a case's evidence: batches, exhibits, faces, media and the check of
 * originals against their import hashes. It holds only the store's reads, so whoever is
 * given it (reports, the media protocol) can look but never write.
 */
export class EvidenceReader {
  constructor(private readonly reads: CaseReads) {}

  batches(): ImportBatch[] {
    return this.reads.batches();
  }

  batch(batchId: string): ImportBatch {
    const b = this.reads.batch(batchId);
    if (!b) throw new LoupeError('not_found', 'No such import batch in this case.', 'batchId');
    return b;
  }

  list(offset: number, limit: number, status?: 'done' | 'failed' | 'duplicate') {
    return this.reads.exhibitsPage(offset, limit, status);
  }

  get(exhibitId: number): ExhibitDetails {
    const exhibit = this.reads.exhibit(exhibitId);
    if (!exhibit) throw new LoupeError('not_found', `No exhibit ${exhibitId} in this case.`, 'exhibitId');
    return { exhibit, faces: this.reads.faces(exhibitId), tracks: this.reads.tracks(exhibitId), frames: this.reads.frames(exhibitId) };
  }

  faces(ids: readonly number[]): { face: FaceSummary; exhibit: ExhibitSummary }[] {
    return ids.flatMap((id) => {
      const face = this.reads.face(id);
      const exhibit = face ? this.reads.exhibit(face.exhibitId) : null;
      return face && exhibit ? [{ face, exhibit }] : [];
    });
  }

  /** Re-reads originals and compares their SHA-256 with the hash taken at import. */
  async verify(exhibitId?: number): Promise<ExhibitCheck[]> {
    const rows = this.reads.exhibitsForCheck(exhibitId);
    if (exhibitId !== undefined && rows.length === 0) throw new LoupeError('not_found', `No exhibit ${exhibitId} in this case.`, 'exhibitId');
    const out: ExhibitCheck[] = [];
    for (const r of rows) {
      const at = { exhibitId: r.id, sourcePath: r.sourcePath, readFrom: r.location ?? r.sourcePath };
      if (r.sha256 === '') {
        out.push({ ...at, ok: false, reason: 'The file could not be read at import, so it has no hash to compare.' });
        continue;
      }
      const now = await sha256File(fsPath(at.readFrom)).catch((err: NodeJS.ErrnoException) => err);
      if (now instanceof Error) out.push({ ...at, ok: false, reason: `The original cannot be read now (${now.code ?? now.message}).` });
      else if (now.sha256 !== r.sha256) out.push({ ...at, ok: false, reason: `The original has changed since import: SHA-256 is now ${now.sha256}, was ${r.sha256}.` });
      else out.push({ ...at, ok: true, reason: null });
    }
    return out;
  }

  /** Image bytes for the renderer: only refs of the known form, only from this case. */
  media(ref: string): { mime: string; bytes: Uint8Array } | null {
    if (!CASE_MEDIA_REF.test(ref)) return null;
    const [kind, id, variant] = ref.split('/') as ['exhibit' | 'face' | 'frame', string, 'thumb' | 'display' | 'crop' | 'aligned'];
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n <= 0) return null;
    const bytes = this.reads.media(kind, n, variant);
    return bytes ? { mime: 'image/jpeg', bytes } : null;
  }
}
