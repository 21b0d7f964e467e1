import {
  fuseTemplate,
  LoupeError,
  SearchResult,
  similarity,
  TEMPLATE_METHOD,
  type Candidate,
  type Comparison,
  type FaceSummary,
  type FmrEstimate,
  type ModelPack,
  type SearchRequest,
} from '../../shared';
import { bandThresholds, packBandedCalibration, pairRate, pairThreshold, UNCALIBRATED_TEXT } from '../calibration';
import type { CaseStore, TrackFace } from '../store';
import type { CaseFaceIndex } from './case-index';
import { searchSettings } from './authorisation';
import { searchFolded } from './fold';

export { CaseFaceIndex, FaceIndexService } from './case-index';
export { SearchAuthorisations, searchSettings } from './authorisation';

const LEADS_CAVEAT =
  'Investigative leads, not identifications. A score says how alike two faces look to the model; the false match rate estimates how often faces of different people score that high. A candidate is nobody until a trained examiner has compared the faces and a second examiner has verified the decision.';

/** The verified model pack searches and comparisons are made with. */
export interface SearchPack {
  manifest: ModelPack;
  model: string;
}

export type ParsedSearch = Required<Pick<SearchRequest, 'probeFaceId' | 'purpose' | 'maxCandidates'>> & {
  probeTrack?: boolean;
  moreProbeFaceIds?: number[];
  target: { case: boolean; watchlists: number[] };
  /** Undefined: the case's default threshold. */
  maxFmr?: number | null | undefined;
  authorisationId?: number | undefined;
  filters: { exhibitIds?: number[]; from?: string; to?: string; minQuality?: number };
  qualityOverride?: string;
};

/**
 * The rate of a pair at its score, from the band of the pair's weaker face. A pack with
 * only an unbanded table (measured on good colour photos) states no number for any pair;
 * a pack with no calibration at all gives null.
 */
function rate(manifest: ModelPack, a: FaceSummary, b: FaceSummary, score: number): FmrEstimate | null {
  const banded = packBandedCalibration(manifest);
  if (banded) return pairRate(banded, a.quality, b.quality, score);
  return manifest.calibration ? { fmr: null, oneIn: UNCALIBRATED_TEXT, bound: 'uncalibrated' } : null;
}

const packInfo = (p: SearchPack) => {
  const banded = packBandedCalibration(p.manifest);
  return { name: p.manifest.name, version: p.manifest.version, model: p.model, calibration: banded ? `${banded.dataset}; ${banded.degradation}` : (p.manifest.calibration?.dataset ?? null) };
};

/**
 * 1:N search and 1:1 comparison over the open case. Searches record their purpose and
 * full result in the case (and in the audit chain, through the router); a probe of
 * insufficient quality needs a written reason; a threshold is a false match rate read from
 * the pack's calibration per quality band, never a bare score.
 */
export class SearchService {
  constructor(
    private readonly store: CaseStore,
    private readonly index: () => Promise<CaseFaceIndex>,
    private readonly pack: () => Promise<SearchPack>,
    private readonly now: () => Date,
  ) {}

  private face(id: number, field: string): FaceSummary & { embedding: Float32Array } {
    const face = this.store.reads.face(id);
    const embedding = this.store.reads.embeddingsOf([id]).get(id);
    if (!face || !embedding) throw new LoupeError('not_found', `No face ${id} in this case.`, field);
    return { ...face, embedding };
  }

  /** The faces of a track searched with `model` and its template: the stored one, or (a track imported before templates were kept) fused now. */
  private track(trackId: number, model: string): { faces: TrackFace[]; template: { embedding: Float32Array; faces: number } } {
    const faces = this.store.reads.trackFaces(trackId).filter((f) => f.model === model);
    return { faces, template: this.store.reads.trackTemplate(trackId) ?? fuseTemplate(faces) };
  }

  /**
   * The probe as searched: one face, the fused template of its video track, or a template
   * fused from several stills the examiner chose. `pairFaces` are the probe faces whose
   * single scores are given beside a template's (the chosen face for a track, every still).
   */
  private probeOf(req: ParsedSearch, model: string) {
    const probe = this.face(req.probeFaceId, 'probeFaceId');
    const more = [...new Set(req.moreProbeFaceIds ?? [])].filter((id) => id !== probe.id).map((id) => this.face(id, 'moreProbeFaceIds'));
    for (const p of [probe, ...more]) {
      if (p.model !== model) {
        throw new LoupeError('conflict', `Probe face ${p.id} was encoded by another model (${p.model}); the case's faces are searched with ${model}. Re-import the probe image.`, p === probe ? 'probeFaceId' : 'moreProbeFaceIds');
      }
    }
    const poor = [probe, ...more].filter((p) => p.quality.insufficient);
    if (poor.length > 0 && !req.qualityOverride) {
      const which = poor.length === 1 && poor[0] === probe ? 'The probe face is' : `Probe face${poor.length > 1 ? 's' : ''} ${poor.map((p) => p.id).join(', ')} ${poor.length > 1 ? 'are' : 'is'}`;
      throw new LoupeError(
        'conflict',
        `${which} of insufficient quality for comparison (${[...new Set(poor.flatMap((p) => p.quality.reasons))].join('; ')}). Choose a better probe, or give a reason to search with it anyway.`,
        'qualityOverride',
      );
    }
    if (req.probeTrack) {
      if (more.length > 0) throw new LoupeError('invalid_input', "Search either with the probe's track or with several stills, not both.", 'probeTrack');
      if (probe.trackId === null) throw new LoupeError('invalid_input', 'The probe face is not part of a video track: search with the face alone, or choose a face of a video.', 'probeTrack');
      const { faces, template } = this.track(probe.trackId, model);
      return { probe, query: template.embedding, pairFaces: [probe], own: faces.map((f) => f.id), template: { faceIds: [probe.id], trackId: probe.trackId, faces: template.faces, method: TEMPLATE_METHOD } };
    }
    if (more.length > 0) {
      const all = [probe, ...more];
      const t = fuseTemplate(all.map((p) => ({ embedding: p.embedding, quality: p.quality.score })));
      return { probe, query: t.embedding, pairFaces: all, own: all.map((p) => p.id), template: { faceIds: all.map((p) => p.id), trackId: null, faces: t.faces, method: TEMPLATE_METHOD } };
    }
    return { probe, query: probe.embedding, pairFaces: [probe], own: [probe.id], template: null };
  }

  /** Searches, then resolves to the write that records the search, for the caller to commit with its audit record. */
  async run(req: ParsedSearch, user: string): Promise<() => SearchResult> {
    const settings = searchSettings(this.store);
    const maxFmr = req.maxFmr === undefined ? settings.defaultMaxFmr : req.maxFmr;
    // A change of the case's pack swapped in while this search awaited would mix two encodings in one result.
    const packRecord = this.store.reads.caseMeta('pack');
    const pack = await this.pack();
    const { probe, query, pairFaces, own, template: probeTemplate } = this.probeOf(req, pack.model);
    // A threshold is a rate, held per quality band: each candidate's best pair must score at or above its band's threshold;
    // a pair whose band cannot support the rate must reach the strictest threshold of the bands that can.
    const banded = packBandedCalibration(pack.manifest);
    let thresholdScore: number | null = null;
    let passes: (a: FaceSummary, b: FaceSummary, score: number) => boolean = () => true;
    if (maxFmr !== null) {
      if (!banded) {
        throw new LoupeError(
          'unavailable',
          `Model pack ${pack.manifest.name} has no calibration by quality band, so a false match rate cannot be estimated for the faces searched: calibrate it (loupe models calibrate) or search without a threshold.`,
          'maxFmr',
        );
      }
      const thresholds = bandThresholds(banded, maxFmr);
      const scores = thresholds.flatMap((t) => (t.score === null ? [] : [t.score]));
      if (scores.length === 0) {
        throw new LoupeError(
          'invalid_input',
          `No quality band of pack ${pack.manifest.name}'s calibration measured enough impostor pairs to support a false match rate of ${maxFmr}; choose a higher rate or search without one.`,
          'maxFmr',
        );
      }
      // The lowest band threshold narrows the index search; each pair is then held to its own band's.
      thresholdScore = Math.min(...scores);
      passes = (a, b, score) => {
        const t = pairThreshold(banded, thresholds, a.quality, b.quality).score;
        return t !== null && score >= t;
      };
    }

    const lists = req.target.watchlists.map((id) => {
      const w = this.store.reads.watchlist(id);
      if (!w) throw new LoupeError('not_found', `No watch list ${id} in this case.`, 'target.watchlists');
      return w;
    });
    // An entry past its retention date is never searched, even before the next open of the case removes it.
    const entries = this.store.reads.entriesByFace(req.target.watchlists, this.now().toISOString().slice(0, 10));
    const allowed = new Set<number>(req.target.case ? this.store.reads.filteredFaceIds(pack.model, ['evidence'], req.filters) : []);
    if (entries.size > 0) {
      // Exhibits and capture times narrow the evidence; a watch list's reference photo is searched whatever its exhibit or date.
      const quality = req.filters.minQuality === undefined ? {} : { minQuality: req.filters.minQuality };
      const passing = new Set(this.store.reads.filteredFaceIds(pack.model, ['evidence', 'probe', 'reference'], quality));
      for (const faceId of entries.keys()) if (passing.has(faceId)) allowed.add(faceId);
    }
    for (const id of own) allowed.delete(id);

    const index = await this.index();
    if (index.modelId !== pack.model) {
      // Its faces are not comparable with the probe's: searching would find nobody, silently.
      throw new LoupeError('conflict', `The case's face index holds faces of model ${index.modelId}, but searches now use ${pack.model}: close and reopen the case to rebuild it.`);
    }
    // A fused probe's index scores are not single-pair scores, and each pair's band has its own threshold, so the threshold is applied after each candidate's best pair is found; more are asked for to make up for those it drops.
    const { outcome, kept } =
      allowed.size > 0
        ? await searchFolded(
            (k) => index.search(query, k, allowed),
            (ids) => this.store.reads.faceContext(ids),
            probeTemplate ? null : thresholdScore,
            thresholdScore !== null ? req.maxCandidates * 2 + 20 : req.maxCandidates,
          )
        : { outcome: { candidates: [], method: 'exact' as const, scored: 0, ef: null }, kept: [] };

    const scored = kept.map((c) => {
      const trackId = this.store.reads.face(c.id)?.trackId ?? null;
      const whole = trackId === null ? null : this.track(trackId, pack.model);
      // Only faces the search may return count (filters, the probe's own faces); a track some of whose faces are left out gets a template of the rest.
      const inTrack = whole?.faces.filter((f) => allowed.has(f.id)) ?? [];
      const track = whole && inTrack.length > 0 ? { faces: inTrack, template: inTrack.length === whole.faces.length ? whole.template : fuseTemplate(inTrack) } : null;
      const faces = track ? track.faces : [{ id: c.id, embedding: this.store.reads.embeddingsOf([c.id]).get(c.id) as Float32Array }];
      // The best single pair of faces: the score a false match rate is calibrated for.
      let best = { faceId: c.id, probeFace: probe, score: -Infinity };
      for (const p of pairFaces) {
        for (const f of faces) {
          const sc = similarity(p.embedding, f.embedding);
          if (sc > best.score) best = { faceId: f.id, probeFace: p, score: sc };
        }
      }
      const template =
        probeTemplate || track ? { score: similarity(query, track ? track.template.embedding : (faces[0] as { embedding: Float32Array }).embedding), probeFaces: probeTemplate?.faces ?? 1, candidateFaces: track?.template.faces ?? 1 } : null;
      return { ...best, trackFaces: c.trackFaces, template };
    });
    // A track is ranked by its template, a still by its face: both are cosine similarities of unit vectors.
    const ranked = scored
      .map((c) => ({ ...c, face: this.store.reads.face(c.faceId) as FaceSummary }))
      .filter((c) => thresholdScore === null || (c.score >= thresholdScore && passes(c.probeFace, c.face, c.score)))
      .sort((a, b) => (b.template?.score ?? b.score) - (a.template?.score ?? a.score));

    const candidates: Candidate[] = ranked.slice(0, req.maxCandidates).map((c, i) => {
      const face = c.face;
      const exhibit = this.store.reads.exhibit(face.exhibitId);
      const entry = entries.get(c.faceId);
      return {
        rank: i + 1,
        face,
        exhibit: { id: face.exhibitId, fileName: exhibit?.fileName ?? '', exhibitRef: exhibit?.exhibitRef ?? null, captureTime: exhibit?.captureTime ?? null, kind: exhibit?.kind ?? 'image' },
        score: c.score,
        fmr: rate(pack.manifest, c.probeFace, face, c.score),
        withheld: false,
        trackFaces: c.trackFaces,
        template: c.template,
        watchlist: entry ? { entryId: entry.id, watchlistId: entry.watchlistId, listName: entry.listName, label: entry.label } : null,
      };
    });

    const probeExhibit = this.store.reads.exhibit(probe.exhibitId);
    const { embedding: _e, ...probeFace } = probe;
    const createdAt = this.now().toISOString();
    const draft = {
      id: 1,
      createdAt,
      createdBy: user,
      purpose: req.purpose,
      probe: probeFace,
      probeExhibit: { id: probe.exhibitId, fileName: probeExhibit?.fileName ?? '', exhibitRef: probeExhibit?.exhibitRef ?? null },
      probeTemplate,
      target: { case: req.target.case, watchlists: lists.map((w) => ({ id: w.id, name: w.name })) },
      maxCandidates: req.maxCandidates,
      maxFmr,
      thresholdScore,
      filters: req.filters,
      qualityOverride: req.qualityOverride ?? null,
      pack: packInfo(pack),
      method: outcome.method,
      scored: outcome.scored,
      candidates,
      caveat: LEADS_CAVEAT,
      authority: settings.authority,
      authorisationId: req.authorisationId ?? null,
    };
    return () => {
      // (A case with no pack recorded yet records it in this.pack(): that is no change.)
      if (packRecord !== null && this.store.reads.caseMeta('pack') !== packRecord) {
        throw new LoupeError('conflict', "The case's model pack was changed while this search ran, so its faces are now encoded by another pack; nothing was recorded. Run the search again.");
      }
      const id = this.store.transaction(() => {
        const searchId = this.store.writes.recordSearch({ createdAt, createdBy: user, purpose: req.purpose, probeFaceId: probe.id, result: '{}' });
        this.store.writes.setSearchResult(searchId, JSON.stringify({ ...draft, id: searchId }));
        return searchId;
      });
      return { ...draft, id, blind: false };
    };
  }

  get(searchId: number): SearchResult {
    const raw = this.store.reads.searchResult(searchId);
    if (!raw) throw new LoupeError('not_found', `No search ${searchId} in this case.`, 'searchId');
    const result = SearchResult.parse(JSON.parse(raw));
    // A case's authority is never changed, so a search recorded before results kept it reads it from the case.
    return { ...result, authority: result.authority ?? searchSettings(this.store).authority };
  }

  list() {
    return this.store.reads.searches().map(({ result, ...s }) => ({ ...s, candidates: (JSON.parse(result) as { candidates?: unknown[] }).candidates?.length ?? 0 }));
  }

  async compare(faceA: number, faceB: number): Promise<Comparison> {
    const pack = await this.pack();
    const a = this.face(faceA, 'faceA');
    const b = this.face(faceB, 'faceB');
    if (a.model !== b.model) throw new LoupeError('conflict', `The two faces were encoded by different models (${a.model}, ${b.model}) and cannot be compared.`, 'faceB');
    const score = similarity(a.embedding, b.embedding);
    const { embedding: _a, ...faceASummary } = a;
    const { embedding: _b, ...faceBSummary } = b;
    return {
      faceA: faceASummary,
      faceB: faceBSummary,
      score,
      fmr: a.model === pack.model ? rate(pack.manifest, a, b, score) : null,
      pack: packInfo(pack),
      caveat: LEADS_CAVEAT,
    };
  }
}
