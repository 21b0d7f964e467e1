import {
  CASE_PACK_HOW,
  FACTOR_LABEL,
  formatEstimate,
  formatRate,
  GROUPING_NOTE,
  metricLabel,
  VALIDATION_METRICS,
  FEATURE_COMPONENTS,
  FEATURE_LABEL,
  OBSERVATION_LABEL,
  packFiles,
  REVIEW_STATE_LABEL,
  SUITABILITY_LABEL,
  type Annotation,
  type Assessment,
  type DisplayAdjustments,
  type ExaminerAnalysis,
  type FaceSummary,
  type FmrEstimate,
  type ModelPack,
} from '../../shared';
import type { ExaminedCandidate, FaceInReport, ReportModel, ValidationInReport } from './model';

/**
 * The report's content as a list of blocks, written once and drawn twice (HTML for the
 * screen, PDF for disclosure), so the two can never say different things.
 */
export type Block =
  | { t: 'title'; text: string; sub: string }
  | { t: 'h1' | 'h2' | 'h3'; text: string }
  | { t: 'p'; text: string; tone?: 'caveat' | 'muted' }
  | { t: 'kv'; rows: [string, string][] }
  | { t: 'table'; head: string[]; rows: string[][]; widths: number[]; mono?: number[] }
  | { t: 'figure'; caption: string; panels: Panel[] }
  /** A chart drawn at the text's width: a PNG with its size in pixels and words for those who cannot see it. */
  | { t: 'chart'; caption: string; png: Uint8Array; width: number; height: number; alt: string }
  | { t: 'signature' };

export interface Marker {
  x: number;
  y: number;
  label: string;
  /** Which record the marker belongs to: examination, verification or resolution. */
  kind: Assessment['kind'];
}

export interface Panel {
  label: string;
  jpeg: Uint8Array | null;
  width: number;
  height: number;
  markers: Marker[];
  /** The face's box, drawn on a whole frame or photo. */
  box: { x: number; y: number; w: number; h: number } | null;
}

const KIND_LABEL: Record<Assessment['kind'], string> = { examination: 'Examination', verification: 'Verification', resolution: 'Resolution' };
/** The aligned crop is the embedder's input size. */
const ALIGNED_PX = 112;

const oneIn = (fmr: number) => `1 in ${Math.round(1 / fmr).toLocaleString('en-GB')}`;

/** A rate with what it was read from: the pair's quality band, how many measured impostor pairs of it scored as high, and the upper bound. */
function fmrText(fmr: FmrEstimate | null): string {
  if (!fmr) return 'none: the pack in use has no calibration for this model';
  const parts = [`${fmr.oneIn}${fmr.bound === 'below' || fmr.bound === 'above' ? ' (a bound: outside the measured range)' : ''}`];
  if (fmr.band) parts.push(`quality band of the pair: ${fmr.band}`);
  if (fmr.impostorsAtOrAbove !== undefined && fmr.impostorPairs) parts.push(`${fmr.impostorsAtOrAbove.toLocaleString('en-GB')} of ${fmr.impostorPairs.toLocaleString('en-GB')} measured impostor pairs of that band scored at least this`);
  if (fmr.upper !== undefined && fmr.upper > 0) parts.push(`one-sided 95% upper bound ${oneIn(fmr.upper)}`);
  return parts.join('; ');
}
const exhibitName = (e: { fileName: string; exhibitRef: string | null; id: number }) => `exhibit ${e.id}${e.exhibitRef ? ` (${e.exhibitRef})` : ''}, ${e.fileName}`;
const when = (ms: number | null) => (ms === null ? '' : `, at ${(ms / 1000).toFixed(1)} s`);

function quality(f: FaceSummary): string {
  const q = f.quality;
  const verdict = q.insufficient ? `INSUFFICIENT for reliance (${q.reasons.join('; ')})` : 'sufficient';
  return `${q.score.toFixed(0)}/100, ${verdict}; eyes ${q.interEyePx.toFixed(0)} px apart, yaw ${q.yawDeg.toFixed(0)}°, roll ${q.rollDeg.toFixed(0)}°, sharpness ${q.sharpness.toFixed(0)}`;
}

function faceLine(f: FaceInReport): string {
  return `face ${f.face.id} of ${exhibitName(f.exhibit)}${when(f.face.timeMs)}; SHA-256 ${f.exhibit.sha256}; quality ${quality(f.face)}`;
}

export function reportBlocks(m: ReportModel): Block[] {
  const c = m.caseInfo;
  const out: Block[] = [
    {
      t: 'title',
      text: `Face comparison report: case ${c.reference}`,
      sub: `From the case's records as they stood at ${m.asOf} (audit record ${m.audit.headSeq}). Made by Loupe, offline.`,
    },
    {
      t: 'p',
      tone: 'caveat',
      text: 'Every candidate a face search returns is an investigative lead, not an identification. A result below is a lead only where a trained examiner compared the faces and a second examiner verified the conclusion, as recorded.',
    },
    { t: 'h1', text: '1. The case' },
    {
      t: 'kv',
      rows: [
        ['Reference', c.reference],
        ['Title', c.title],
        ['Offence category', c.offenceCategory],
        ['Purpose', c.purpose],
        ['Legal basis', c.legalBasis],
        ['Authorised by', c.authorisedBy],
        ['Retain until', c.retentionDate],
        ['Case created', `${c.createdAt} by ${c.createdBy}`],
        ['Case id', c.id],
      ],
    },
    ...exhibitBlocks(m),
    ...searchBlocks(m),
    ...examinedBlocks(m),
    ...packBlocks(m),
    ...m.validations.flatMap(validationBlocks),
    ...limitationBlocks(m),
    ...auditBlocks(m),
    { t: 'h1', text: '8. Signature' },
    { t: 'p', text: "This report's SHA-256, who wrote it and what it covers are recorded on the case's audit chain; “loupe report verify FILE --case REF” (or the Report screen) checks a copy against the case." },
    { t: 'signature' },
  ];
  return out;
}

function exhibitBlocks(m: ReportModel): Block[] {
  const check = new Map(m.originals.map((o) => [o.exhibitId, o]));
  const failed = m.originals.filter((o) => !o.ok).length;
  return [
    { t: 'h1', text: '2. Exhibits' },
    {
      t: 'p',
      text: `${m.exhibits.length} exhibit(s). Each original was hashed (SHA-256) at import and never modified; when this report was made each was read again: ${m.originals.length - failed} matched its import hash${failed ? `, ${failed} did not (see the last column)` : ''}.`,
    },
    {
      t: 'table',
      head: ['Id', 'Exhibit', 'Provenance (path at import)', 'SHA-256', 'Import', 'Status', 'Original now'],
      widths: [4, 14, 22, 22, 16, 10, 12],
      mono: [3],
      rows: m.exhibits.map((e) => {
        const o = check.get(e.id);
        return [
          String(e.id),
          `${e.exhibitRef ? `${e.exhibitRef}: ` : ''}${e.fileName} (${e.kind}${e.fileType ? `, ${e.fileType}` : ''}, ${e.bytes.toLocaleString('en-GB')} bytes${e.role !== 'evidence' ? `, ${e.role}` : ''})`,
          `${e.sourcePath}${e.captureTime ? `; captured ${e.captureTime}` : ''}${e.camera ? `; ${e.camera}` : ''}`,
          e.sha256 || '(unreadable at import)',
          `${e.importedAt} by ${e.importedBy}`,
          `${e.status}${e.duplicateOf ? ` of ${e.duplicateOf}` : ''}${e.failure ? `: ${e.failure}` : ''}; ${e.faceCount} face(s)${e.notice ? `; ${e.notice}` : ''}`,
          o ? (o.ok ? 'matches' : `DOES NOT MATCH: ${o.reason ?? ''}`) : 'not checked',
        ];
      }),
    },
    { t: 'h2', text: 'Imports' },
    {
      t: 'table',
      head: ['Batch', 'Started', 'Finished', 'Status', 'Sources', 'Files', 'Faces'],
      widths: [12, 18, 18, 10, 24, 10, 8],
      rows: m.batches.map((b) => [
        b.id,
        `${b.startedAt} by ${b.startedBy}`,
        b.finishedAt ?? '',
        b.status,
        b.sources.join('; '),
        `${b.filesDone}/${b.filesTotal}, ${b.failed} failed, ${b.duplicates} duplicates`,
        String(b.facesFound),
      ]),
    },
  ];
}

function searchBlocks(m: ReportModel): Block[] {
  const out: Block[] = [{ t: 'h1', text: '3. Searches' }];
  if (m.searches.length === 0) out.push({ t: 'p', text: 'No search was made in this case.' });
  for (const { result: s, examined } of m.searches) {
    const lists = s.target.watchlists.map((w) => w.name);
    out.push(
      { t: 'h2', text: `Search ${s.id}` },
      {
        t: 'kv',
        rows: [
          ['Purpose', s.purpose],
          ['Made by, when', `${s.createdBy}, ${s.createdAt}`],
          ['Probe', `face ${s.probe.id} of ${exhibitName(s.probeExhibit)}${when(s.probe.timeMs)}`],
          ['Probe quality', quality(s.probe)],
          ...(s.qualityOverride ? ([['Searched despite low quality because', s.qualityOverride]] as [string, string][]) : []),
          ['Target', [s.target.case ? "the case's evidence" : '', lists.length ? `watch list(s): ${lists.join(', ')}` : ''].filter(Boolean).join(' and ')],
          ...(s.probeTemplate ? ([['Probe template', `${s.probeTemplate.faces} faces fused (${s.probeTemplate.method}): ${s.probeTemplate.faceIds.join(', ')}${s.probeTemplate.trackId !== null ? `, track ${s.probeTemplate.trackId}` : ''}`]] as [string, string][]) : []),
          ...(s.authority ? ([['Authority at the time', `authorised by ${s.authority.authorisedBy}; legal basis: ${s.authority.legalBasis}`]] as [string, string][]) : []),
          ...(s.authorisationId !== null ? ([['Search authorisation', `ran under authorisation ${s.authorisationId}, approved by a supervisor (on the audit record)`]] as [string, string][]) : []),
          ['Model pack', `${s.pack.name} ${s.pack.version}, embedder ${s.pack.model} (files and hashes in section 5)`],
          [
            'Threshold',
            s.maxFmr === null
              ? `none: the best ${s.maxCandidates} candidates whatever their score`
              : `false match rate at most ${oneIn(s.maxFmr)} (score ${s.thresholdScore?.toFixed(4) ?? 'n/a'}), at most ${s.maxCandidates} candidates`,
          ],
          ['Calibration', s.pack.calibration ?? 'none: no false match rate could be given'],
          ['Filters', Object.keys(s.filters).length ? JSON.stringify(s.filters) : 'none'],
          ['Method', `${s.method === 'exact' ? 'exact (every face scored)' : 'approximate nearest neighbours (HNSW)'}, ${s.scored.toLocaleString('en-GB')} faces scored`],
          ['Candidates', `${s.candidates.length} returned; ${examined} examined (section 4); ${s.candidates.length - examined} not examined, and so not presented as results`],
        ],
      },
    );
  }
  return out;
}

function analysisText(a: ExaminerAnalysis): string {
  return `${SUITABILITY_LABEL[a.suitability]}${a.factors.length ? `; limited by ${a.factors.map((f) => FACTOR_LABEL[f].toLowerCase()).join(', ')}` : ''}${a.note ? `; ${a.note}` : ''}`;
}

function adjustments(d: DisplayAdjustments): string {
  const parts = [d.brightness ? `brightness ${d.brightness > 0 ? '+' : ''}${d.brightness}` : '', d.contrast ? `contrast ${d.contrast > 0 ? '+' : ''}${d.contrast}` : '', d.gamma !== 1 ? `gamma ${d.gamma}` : '', d.greyscale ? 'greyscale' : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
}

/** The markers of an item's current records (a superseded examination's markers are listed with it, not drawn). */
function currentRecords(e: ExaminedCandidate): Assessment[] {
  const exams = e.assessments.filter((a) => a.kind === 'examination');
  return [...exams.slice(-1), ...e.assessments.filter((a) => a.kind !== 'examination')];
}

function panels(e: ExaminedCandidate, view: 'aligned' | 'original'): Panel[] {
  const drawn = currentRecords(e);
  return (['left', 'right'] as const).map((side) => {
    const f = side === 'left' ? e.probe : e.candidate;
    const markers = drawn.flatMap((a) =>
      a.body.annotations.filter((n: Annotation) => n.side === side && n.view === view).map((n) => ({ x: n.x, y: n.y, label: `${a.kind[0]?.toUpperCase() ?? ''}${n.n}`, kind: a.kind })),
    );
    const label = `${side === 'left' ? 'Probe' : 'Candidate'}: face ${f.face.id}, ${view === 'aligned' ? 'aligned as the model saw it' : f.face.frameId !== null ? 'recorded frame' : 'original photo'}`;
    return view === 'aligned'
      ? { label, jpeg: f.aligned, width: ALIGNED_PX, height: ALIGNED_PX, markers, box: null }
      : { label, jpeg: f.original?.jpeg ?? null, width: f.original?.width ?? 1, height: f.original?.height ?? 1, markers, box: f.face.box };
  });
}

function assessmentBlocks(a: Assessment, e: ExaminedCandidate): Block[] {
  const level = a.scale.levels.find((l) => l.id === a.body.conclusion);
  const superseded = e.assessments.some((b) => b.corrects === a.id);
  return [
    { t: 'h3', text: `${KIND_LABEL[a.kind]} ${a.id} by ${a.examiner} (${a.examinerRole}), ${a.createdAt}${superseded ? ' (superseded by a revision)' : ''}` },
    {
      t: 'kv',
      rows: [
        ['Conclusion', `${level?.label ?? a.body.conclusion} (scale: ${a.scale.name}, ${a.scale.id} version ${a.scale.version})`],
        ['Rationale', a.body.rationale],
        ['Analysis, probe', analysisText(a.body.analysis.left)],
        ['Analysis, candidate', analysisText(a.body.analysis.right)],
        ['Blind', a.blind ? 'yes: score, rank and other candidates were hidden from the examiner when this was saved' : 'no: the score had been revealed to the examiner'],
        ...(a.corrects ? ([['Revises', `record ${a.corrects}, because: ${a.correctionReason ?? ''}`]] as [string, string][]) : []),
        [
          'Display',
          `${a.body.display.view} view; probe adjustments: ${adjustments(a.body.display.left)}; candidate adjustments: ${adjustments(a.body.display.right)}; ${a.body.display.smoothing ? 'smoothed' : 'no smoothing (pixels as recorded)'}. Adjustments change how pixels were drawn on screen, never the pixels: the images in this report are the stored pixels.`,
        ],
        [
          'Markers',
          a.body.annotations.length
            ? a.body.annotations.map((n) => `${a.kind[0]?.toUpperCase() ?? ''}${n.n} on the ${n.side === 'left' ? 'probe' : 'candidate'} (${n.view}, x ${n.x.toFixed(0)}, y ${n.y.toFixed(0)}): ${n.note || 'no note'}`).join('; ')
            : 'none',
        ],
      ],
    },
    {
      t: 'table',
      head: ['Feature (FISWG)', 'Observation', 'Note'],
      widths: [30, 16, 54],
      rows: FEATURE_COMPONENTS.map((f) => {
        const o = a.body.features[f];
        return [FEATURE_LABEL[f], o ? OBSERVATION_LABEL[o.observation] : '', o?.note ?? ''];
      }),
    },
  ];
}

function examinedBlocks(m: ReportModel): Block[] {
  const out: Block[] = [
    { t: 'h1', text: '4. Examined candidates' },
    {
      t: 'p',
      text: `${m.examined.length} comparison(s) were examined. ${m.notExamined.candidates} candidate(s) of the searches above were not examined${m.notExamined.opened ? `, and ${m.notExamined.opened} comparison(s) were opened but not examined` : ''}: they are not results and are not presented here. Markers are numbered as the examiner placed them, prefixed E (examination), V (verification) or R (resolution); the face's box is outlined on the whole frame or photo.`,
    },
  ];
  for (const e of m.examined) {
    const origin = e.origin.kind === 'search' ? `candidate${e.score?.rank ? ` ranked ${e.score.rank}` : ''} of search ${e.origin.searchId}` : 'two faces chosen for a 1:1 comparison';
    out.push(
      { t: 'h2', text: `Comparison ${e.itemId}: ${REVIEW_STATE_LABEL[e.state]}${e.lead ? ' (a lead)' : ''}` },
      {
        t: 'kv',
        rows: [
          ['Origin', `${origin}; opened by ${e.openedBy}, ${e.openedAt}`],
          ['Probe', faceLine(e.probe)],
          ['Candidate', faceLine(e.candidate)],
          ['Score', e.score ? `${e.score.score.toFixed(4)} (cosine similarity); estimated false match rate ${fmrText(e.score.fmr)}` : 'not available'],
          ['Submitted for verification', e.submitted ? `record ${e.submitted.assessmentId}, by ${e.submitted.by}, ${e.submitted.at}` : 'no'],
          ['State', `${REVIEW_STATE_LABEL[e.state]}${e.lead ? ': a verified lead for the same person, not an identification' : ''}`],
        ],
      },
      { t: 'figure', caption: `Comparison ${e.itemId}, aligned faces (112 x 112 pixels, as the model saw them)`, panels: panels(e, 'aligned') },
      { t: 'figure', caption: `Comparison ${e.itemId}, the faces in their recorded frame or photo`, panels: panels(e, 'original') },
      ...e.assessments.flatMap((a) => assessmentBlocks(a, e)),
    );
  }
  return out;
}

/** The case's own pack and every change of it: a search made before a change was scored by the pack it states, and keeps those scores. */
function casePackBlocks({ record, changes }: NonNullable<ReportModel['casePack']>): Block[] {
  if (!record) return [{ t: 'p', text: "The case's model pack was not recorded." }];
  const out: Block[] = [
    {
      t: 'p',
      text: `The case's model pack is ${record.name} ${record.version} (embedder ${record.embedder}), ${CASE_PACK_HOW[record.how]} on ${record.recordedAt}${record.recordedBy ? ` by ${record.recordedBy}` : ''}${record.reason ? ` (${record.reason})` : ''}. Each search states the pack it was made with.`,
    },
  ];
  if (changes.length > 0) {
    out.push(
      { t: 'p', text: "Changes of the case's pack: every face was encoded again by the new pack, from the aligned face the case holds, keeping its detections. Searches made before a change keep the scores of the pack they state." },
      {
        t: 'table',
        head: ['From', 'To', 'By', 'Done (UTC)', 'Faces', 'Reason'],
        rows: changes.map((c) => [`${c.from.name} ${c.from.version}`, `${c.to.name} ${c.to.version}`, c.startedBy, c.finishedAt ?? '', String(c.facesDone), c.reason]),
        widths: [12, 12, 10, 18, 8, 40],
      },
    );
  }
  return out;
}

function packBlocks(m: ReportModel): Block[] {
  const out: Block[] = [
    { t: 'h1', text: '5. Model card and calibration' },
    { t: 'p', text: 'The models that found, aligned and encoded the faces, as their pack manifest describes them; every false match rate in this report is read from the calibration table below.' },
  ];
  if (m.casePack) out.push(...casePackBlocks(m.casePack));
  if (m.packs.length === 0) out.push({ t: 'p', text: 'No search was made, so no model pack is quoted.' });
  for (const p of m.packs) {
    out.push({ t: 'h2', text: `Pack ${p.name} ${p.version}` });
    if (!p.manifest) {
      out.push({ t: 'p', tone: 'caveat', text: p.problem ?? '' });
      continue;
    }
    const k = p.manifest;
    const cal = k.calibration;
    out.push(
      { t: 'p', text: k.description },
      {
        t: 'table',
        head: ['Role', 'File', 'SHA-256', 'Bytes', 'Source', 'Licence'],
        widths: [10, 14, 30, 8, 24, 14],
        mono: [2],
        rows: packFiles(k).map((f) => {
          const licence = f.role === 'detector' ? k.detector.licence : f.role === 'embedder' ? k.embedder.licence : (k.landmarks?.licence ?? '');
          const source = f.source.kind === 'npm' ? `npm ${f.source.package}@${f.source.version}, ${f.source.path}` : f.source.origin;
          return [f.role, f.file, f.sha256, f.bytes.toLocaleString('en-GB'), source, licence];
        }),
      },
      {
        t: 'kv',
        rows: [
          ['Pack licence', k.licence],
          ['What the models are', k.modelCard.summary],
          ['Training data (what is and is not known)', k.modelCard.trainingData],
          ['Measured accuracy', k.modelCard.measuredAccuracy],
          ['Known limitations', k.modelCard.limitations],
          [
            'Calibration',
            cal
              ? `${cal.dataset}; ${cal.impostorPairs.toLocaleString('en-GB')} impostor pairs${cal.genuinePairs !== undefined ? `, ${cal.genuinePairs.toLocaleString('en-GB')} genuine pairs` : ''}${cal.measuredAt ? `, measured ${cal.measuredAt}` : ''}. The false match rate of a score is the share of impostor pairs (two different people) that scored at least that high. Below the lowest measured rate only a bound can be given.`
              : 'none: this pack gives no false match rates.',
          ],
        ],
      },
    );
    if (cal) {
      const step = Math.max(1, Math.ceil(cal.points.length / 12));
      const shown = cal.points.filter((_, i) => i % step === 0 || i === cal.points.length - 1);
      out.push({ t: 'table', head: ['Score at least (all pairs)', 'False match rate', 'About'], widths: [30, 30, 40], rows: shown.map((pt) => [pt.score.toFixed(4), pt.fmr.toExponential(2), pt.fmr > 0 ? oneIn(pt.fmr) : '0']) });
    }
    out.push(...bandBlocks(k));
  }
  return out;
}

/** The pack's calibration by quality band: a pair's rate is read from the band of its weaker face. */
function bandBlocks(k: ModelPack): Block[] {
  const b = k.bandedCalibration;
  if (!b) return [];
  const edges = b.axes.eyeEdges;
  const eyes = (i: number) => (edges[i + 1] !== undefined ? `${edges[i]}-${edges[i + 1]} px between the eyes` : `${edges[i]} px or more between the eyes`);
  return [
    {
      t: 'kv',
      rows: [
        ['Calibration by quality band', `${b.dataset}; measured ${b.measuredAt}. A pair's rate is read from the band of its weaker face on each axis; a band with fewer than ${b.minImpostorPairs.toLocaleString('en-GB')} impostor pairs gives no rate ("not calibrated for faces like these"). Upper bounds are one-sided ${Math.round(b.confidence * 100)}% (exact binomial).`],
        ['How the bands were filled', b.degradation],
        ['How pairs were formed', b.pairs],
      ],
    },
    {
      t: 'table',
      head: ['Band', 'Impostor pairs', 'Genuine pairs', 'Gives rates'],
      widths: [46, 18, 18, 18],
      rows: b.bands.map((band) => [`${eyes(band.eyes)}, ${band.colour}, ${band.focus}`, band.impostorPairs.toLocaleString('en-GB'), band.genuinePairs.toLocaleString('en-GB'), band.impostorPairs >= b.minImpostorPairs ? 'yes' : 'no']),
    },
  ];
}

/**
 * A validation record of the case's pack attached to the report (issue 11.4): what was measured
 * on which data, by whom, the figures overall and per group with their intervals, and the DET curve.
 */
function validationBlocks(v: ValidationInReport): Block[] {
  const head: Block = { t: 'h2', text: `Local validation ${v.id}` };
  if (!v.attached) return [head, { t: 'p', tone: 'caveat', text: v.problem ?? '' }];
  const r = v.attached.record;
  const d = r.dataset;
  const sets = [r.figures.overall, ...r.figures.groups];
  const score = (x: number | null) => (x === null ? 'none' : x.toFixed(4));
  const th = r.figures.thresholds;
  const out: Block[] = [
    head,
    {
      t: 'p',
      text: `Attached to this report: a validation of the pack this case is made with, measured on the agency's own labelled photos. It measures the pack on that data; it says nothing about any one comparison in this case.`,
    },
    {
      t: 'kv',
      rows: [
        ['Pack and version', `${r.pack} ${r.packVersion}, embedder ${r.embedder}`],
        ['Run', `${r.createdAt} by ${r.createdBy}, in ${Math.round(r.seconds)} s`],
        ['Data set', d.description],
        ['Data', `${d.people.toLocaleString('en-GB')} people, ${d.images.toLocaleString('en-GB')} images (${d.imagesWithoutFace.toLocaleString('en-GB')} with no face found), from ${d.folders.join('; ')}`],
        ['Data set SHA-256', d.sha256],
        ['Groups', d.groups ? `${d.groups.grouping}, by ${d.groups.by}: ${d.groups.labels.join(', ')}; file ${d.groups.file}, SHA-256 ${d.groups.sha256}` : 'none: overall figures only'],
        ['Thresholds', `FMR 1 in 1,000: score ${score(th['fnmrAtFmr1e-3'])}; FMR 1 in 10,000: score ${score(th['fnmrAtFmr1e-4'])}; operating: score ${score(th.operating)}${r.operatingFmr !== null ? ` (the calibration's score for 1 in ${Math.round(1 / r.operatingFmr).toLocaleString('en-GB')}${r.calibration ? `, ${r.calibration}` : ''})` : ''}`],
        ['Intervals', `95% bootstrap over ${r.figures.replicates.toLocaleString('en-GB')} resamplings of people (seed ${r.figures.seed}); 1:N gallery of ${r.galleryPeople.toLocaleString('en-GB')} people, FNIR at rank ${r.rank}`],
        ['Record id', r.id],
      ],
    },
    {
      t: 'table',
      head: ['Measure', ...sets.map((s) => s.label)],
      widths: [24, ...sets.map(() => 76 / sets.length)],
      rows: [
        ['People / same-person pairs / different-people pairs', ...sets.map((s) => `${s.people.toLocaleString('en-GB')} / ${s.genuinePairs.toLocaleString('en-GB')} / ${s.impostorPairs.toLocaleString('en-GB')}`)],
        ['Smallest FMR its impostor pairs support', ...sets.map((s) => (s.smallestFmr === null ? 'none' : formatRate(s.smallestFmr)))],
        ...VALIDATION_METRICS.map((metric) => [
          metricLabel(metric, r.rank),
          ...sets.map((s) => {
            const e = s.metrics[metric];
            return e ? `${formatEstimate(e)}${e.note ? `; ${e.note}` : ''}` : 'not measured';
          }),
        ]),
      ],
    },
  ];
  if (r.figures.differentials.length) {
    out.push({
      t: 'table',
      head: ['Measure', 'Worst / best group', 'Ratio (95% interval)'],
      widths: [34, 26, 40],
      rows: r.figures.differentials.map((x) => [metricLabel(x.metric, r.rank), x.worst ? `${x.worst} / ${x.best ?? ''}` : 'none', `${formatEstimate(x.ratio, 'ratio')}${x.ratio.note ? `; ${x.ratio.note}` : ''}`]),
    });
  }
  const det = r.charts.find((c) => c.name === 'det');
  if (v.det && det) out.push({ t: 'chart', caption: `${det.title} (validation ${r.id})`, png: v.det.png, width: v.det.width, height: v.det.height, alt: det.description });
  // The grouping note comes first and in the caveat's box: a grouping by source is not a bias result.
  for (const note of [...r.notes].sort((a, b) => Number(b === GROUPING_NOTE) - Number(a === GROUPING_NOTE))) out.push(note === GROUPING_NOTE ? { t: 'p', tone: 'caveat', text: note } : { t: 'p', text: note });
  return out;
}

function limitationBlocks(m: ReportModel): Block[] {
  const poor = [...new Map(m.examined.flatMap((e) => [e.probe, e.candidate]).map((f) => [f.face.id, f])).values()].filter((f) => f.face.quality.insufficient);
  return [
    { t: 'h1', text: '6. Limitations' },
    { t: 'p', tone: 'caveat', text: 'An investigative lead, not an identification. A score says how alike two faces look to a model; it is not a probability that they are the same person.' },
    {
      t: 'p',
      text: `Image quality: low resolution, blur, turned heads, poor light and compression reduce what both the model and an examiner can see, and raise the chance of false matches and missed matches. ${poor.length ? `In this report, face(s) ${poor.map((f) => f.face.id).join(', ')} were measured as insufficient for reliance.` : 'No face presented in this report was measured as insufficient for reliance.'} A poor image limits how strong any conclusion can be.`,
    },
    {
      t: 'p',
      text: 'Demographic differentials: NIST\'s Face Recognition Vendor Test, Part 3: Demographic Effects (NISTIR 8280, December 2019) found that most algorithms it tested had higher false match rates for some groups (by sex, age and region of birth; for many algorithms, higher for women, for the elderly and for people born in West and East Africa and East Asia), sometimes by factors of 10 to 100. The models in this report were not tested in that study, and their own differentials have not been measured: a false match rate above is an average over its calibration data, and may be higher for the people in this case.',
    },
    {
      t: 'p',
      text: 'Calibration: the false match rates come from the calibration data named in section 5; how well they carry over to footage of other cameras, ages and populations is not known.',
    },
  ];
}

function auditBlocks(m: ReportModel): Block[] {
  const a = m.audit;
  return [
    { t: 'h1', text: '7. Audit excerpt' },
    {
      t: 'p',
      text: `The records of the case's hash-chained audit record that made what this report covers, up to record ${a.headSeq}${a.exhibitRecordsLeftOut ? ` (${a.exhibitRecordsLeftOut} records of single exhibits not used by any search or comparison are left out: section 2 lists those exhibits)` : ''}. Reads of the case are recorded too but not listed here.`,
    },
    {
      t: 'table',
      head: ['Seq', 'Time', 'User', 'Action', 'Object', 'Outcome', 'Hash'],
      widths: [5, 20, 10, 16, 18, 8, 23],
      mono: [6],
      rows: a.excerpt.map((r) => [String(r.seq), r.time, r.user ?? '', r.action, r.object ?? '', r.outcome, r.hash]),
    },
    {
      t: 'kv',
      rows: [
        ['Chain head covered', `record ${a.headSeq}, hash ${a.headHash}`],
        ['Chain verified when this report was made', a.chainOk ? 'intact: every record links to the one before it and matches its hash, up to the head the workstation anchored' : `BROKEN at ${a.chainProblem ?? 'an unknown record'}`],
      ],
    },
  ];
}
