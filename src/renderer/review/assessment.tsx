import { useState } from 'react';
import {
  AnalysisFactor,
  FACTOR_LABEL,
  FEATURE_COMPONENTS,
  FEATURE_LABEL,
  OBSERVATION_LABEL,
  SUITABILITY_LABEL,
  type Assessment,
  type ConclusionScale,
  type ExaminerAnalysis,
  type FeatureChecklist,
  type FeatureComponent,
  type ImageSide,
  type Observation,
  type Suitability,
} from '../../shared';
import { useChannelForm } from '../api';
import { Alert, FieldNotes, Form, FormActions, SelectField, TableHead, TextArea } from '../ui';
import { describeAdjustments, type ViewState } from './view-state';
import type { Marker } from './viewer';

const SIDE_NAME: Record<ImageSide, string> = { left: 'Left image (probe)', right: 'Right image (candidate)' };
const SUITABILITIES: readonly Suitability[] = ['suitable', 'limited', 'not_suitable'];
const OBSERVATIONS: readonly Observation[] = ['similar', 'dissimilar', 'not_visible'];

type Kind = 'assess' | 'verify' | 'resolve';
const TITLE: Record<Kind, string> = { assess: 'Your assessment', verify: 'Your verification (independent)', resolve: 'Your resolution' };

type Analysis = { suitability: Suitability | ''; factors: AnalysisFactor[]; note: string };
const EMPTY_ANALYSIS: Analysis = { suitability: '', factors: [], note: '' };

/**
 * The ACE-V assessment, in its order: analysis of each image before comparing, the FISWG
 * feature components, then a conclusion on the declared scale with its reasons. The display
 * adjustments and markers of the view are saved with it, as what the examiner looked at.
 */
export function AssessmentForm({
  kind,
  itemId,
  scale,
  view,
  markers,
  revising,
  onSaved,
}: {
  kind: Kind;
  itemId: number;
  scale: ConclusionScale;
  view: ViewState;
  markers: readonly Marker[];
  /** The examiner's latest record, when this is a revision of it. */
  revising: Assessment | null;
  onSaved(): void;
}) {
  const forms = { assess: useChannelForm('review.assess', 'review-assess'), verify: useChannelForm('review.verify', 'review-verify'), resolve: useChannelForm('review.resolve', 'review-resolve') };
  const form = forms[kind];
  const [analysis, setAnalysis] = useState<Record<ImageSide, Analysis>>(() => ({
    left: revising ? { ...revising.body.analysis.left } : EMPTY_ANALYSIS,
    right: revising ? { ...revising.body.analysis.right } : EMPTY_ANALYSIS,
  }));
  const [features, setFeatures] = useState<Partial<FeatureChecklist>>(() => (revising ? { ...revising.body.features } : {}));
  const [conclusion, setConclusion] = useState(revising?.body.conclusion ?? '');
  const [rationale, setRationale] = useState(revising?.body.rationale ?? '');
  const [correctionReason, setCorrectionReason] = useState('');
  const analysed = analysis.left.suitability !== '' && analysis.right.suitability !== '';

  const submit = () => {
    // Unanswered parts are sent as they are: the channel's schema names what is missing, beside its field.
    const body = {
      analysis: { left: analysis.left as ExaminerAnalysis, right: analysis.right as ExaminerAnalysis },
      features: features as FeatureChecklist,
      conclusion,
      rationale,
      display: { left: view.adjust.left, right: view.adjust.right, smoothing: view.smoothing, view: view.view },
      annotations: markers.map((m) => ({ n: m.n, side: m.side, view: m.view, x: m.x, y: m.y, note: m.note })),
    };
    const saved = (r: unknown) => r && onSaved();
    if (kind === 'assess') void forms.assess.submit({ itemId, body, ...(revising ? { correctionReason } : {}) }).then(saved);
    else if (kind === 'verify') void forms.verify.submit({ itemId, body }).then(saved);
    else void forms.resolve.submit({ itemId, body }).then(saved);
  };

  return (
    <section className="panel assessment-form" aria-labelledby={`review-${kind}-title`}>
      <h2 id={`review-${kind}-title`}>{revising ? 'Revise your assessment' : TITLE[kind]}</h2>
      <Form onSubmit={submit}>
        <Alert message={form.alert} />
        <fieldset className="ace-step">
          <legend>1. Analysis: each image on its own, before comparing</legend>
          {(['left', 'right'] as const).map((side) => (
            <AnalysisFields key={side} side={side} value={analysis[side]} onChange={(a) => setAnalysis({ ...analysis, [side]: a })} fieldId={(f) => form.fieldId(`body.analysis.${side}.${f}`)} errors={form.errors} />
          ))}
        </fieldset>
        <fieldset className="ace-step" disabled={!analysed}>
          <legend>2. Comparison: the facial features (FISWG){analysed ? '' : ' — analyse both images first'}</legend>
          <FieldNotes id={form.fieldId('body.features')} error={form.errors['body.features']} />
          <table className="grid features">
            <caption className="visually-hidden">Feature components</caption>
            <TableHead columns={['Component', ...OBSERVATIONS.map((o) => OBSERVATION_LABEL[o]), 'Note']} />
            <tbody>
              {FEATURE_COMPONENTS.map((c) => (
                <FeatureRow key={c} component={c} value={features[c]} onChange={(v) => setFeatures({ ...features, [c]: v })} />
              ))}
            </tbody>
          </table>
        </fieldset>
        <fieldset className="ace-step" disabled={!analysed}>
          <legend>3. Evaluation</legend>
          <SelectField
            id={form.fieldId('body.conclusion')}
            label={`Conclusion (${scale.name}, version ${scale.version})`}
            value={conclusion}
            onChange={setConclusion}
            placeholder="Choose a conclusion…"
            choices={scale.levels.map((l) => ({ value: l.id, label: l.label }))}
            error={form.errors['body.conclusion']}
            required
          />
          <TextArea id={form.fieldId('body.rationale')} label="Rationale" value={rationale} onChange={setRationale} error={form.errors['body.rationale']} hint="Why: the features that agree or differ, and what the image quality allows." required rows={4} maxLength={10_000} />
          {revising ? (
            <TextArea id={form.fieldId('correctionReason')} label="Why you revise it" value={correctionReason} onChange={setCorrectionReason} error={form.errors.correctionReason} hint="Recorded with the revision; the earlier record stays." required rows={2} maxLength={2000} />
          ) : null}
        </fieldset>
        <p className="muted small-text">
          Saved with it: the display (left {describeAdjustments(view.adjust.left)}; right {describeAdjustments(view.adjust.right)}; {view.smoothing ? 'smoothed' : 'real pixels'}; {view.view} view) and {markers.length} {markers.length === 1 ? 'marker' : 'markers'}.
        </p>
        <FormActions busy={form.busy} label={kind === 'assess' ? (revising ? 'Save revision' : 'Save assessment') : kind === 'verify' ? 'Save verification' : 'Save resolution'} busyLabel="Saving…" />
      </Form>
    </section>
  );
}

function AnalysisFields({ side, value, onChange, fieldId, errors }: { side: ImageSide; value: Analysis; onChange(a: Analysis): void; fieldId(f: string): string; errors: Record<string, string | undefined> }) {
  const name = `analysis-${side}`;
  return (
    <fieldset className="analysis">
      <legend>{SIDE_NAME[side]}</legend>
      <div role="radiogroup" aria-label={`${SIDE_NAME[side]}: suitability`} id={fieldId('suitability')}>
        {SUITABILITIES.map((s) => (
          <label key={s} className="inline-choice">
            <input type="radio" name={`${name}-suitability`} checked={value.suitability === s} onChange={() => onChange({ ...value, suitability: s })} /> {SUITABILITY_LABEL[s]}
          </label>
        ))}
      </div>
      <FieldNotes id={fieldId('suitability')} error={errors[`body.analysis.${side}.suitability`]} />
      <div className="factor-choices" role="group" aria-label={`${SIDE_NAME[side]}: limiting factors`}>
        {AnalysisFactor.options.map((f) => (
          <label key={f} className="inline-choice">
            <input type="checkbox" checked={value.factors.includes(f)} onChange={(e) => onChange({ ...value, factors: e.target.checked ? [...value.factors, f] : value.factors.filter((x) => x !== f) })} /> {FACTOR_LABEL[f]}
          </label>
        ))}
      </div>
      <TextArea id={fieldId('note')} label={`${SIDE_NAME[side]}: note`} value={value.note} onChange={(note) => onChange({ ...value, note })} error={errors[`body.analysis.${side}.note`]} rows={2} maxLength={2000} />
    </fieldset>
  );
}

function FeatureRow({ component, value, onChange }: { component: FeatureComponent; value: FeatureChecklist[FeatureComponent] | undefined; onChange(v: FeatureChecklist[FeatureComponent]): void }) {
  const label = FEATURE_LABEL[component];
  return (
    <tr>
      <th scope="row">{label}</th>
      {OBSERVATIONS.map((o) => (
        <td key={o} className="center">
          <input type="radio" name={`feature-${component}`} aria-label={`${label}: ${OBSERVATION_LABEL[o]}`} checked={value?.observation === o} onChange={() => onChange({ observation: o, note: value?.note ?? '' })} />
        </td>
      ))}
      <td>
        <input className="input" aria-label={`${label}: note`} value={value?.note ?? ''} maxLength={2000} onChange={(e) => onChange({ observation: value?.observation ?? 'not_visible', note: e.target.value })} />
      </td>
    </tr>
  );
}

/** A saved assessment as the record shows it: who, when, blind or not, what it corrects, and every answer. */
export function AssessmentRecord({ a, scale }: { a: Assessment; scale: ConclusionScale }) {
  const level = a.scale.levels.find((l) => l.id === a.body.conclusion);
  const kind = a.kind === 'examination' ? (a.corrects ? 'Revised examination' : 'Examination') : a.kind === 'verification' ? 'Verification' : 'Resolution';
  return (
    <article className="assessment-record" aria-label={`${kind} by ${a.examiner}`}>
      <h3>
        {kind} by {a.examiner} <span className="muted">({a.examinerRole}, {new Date(a.createdAt).toLocaleString()}{a.blind ? ', made blind' : ', score known'})</span>
      </h3>
      {a.corrects ? <p className="small-text">Corrects record {a.corrects}: {a.correctionReason}</p> : null}
      <p>
        <strong>{level?.label ?? a.body.conclusion}</strong>{' '}
        <span className="muted small-text">
          ({a.scale.name}, version {a.scale.version}
          {a.scale.version !== scale.version ? `; the scale in force is version ${scale.version}` : ''})
        </span>
      </p>
      <p className="rationale">{a.body.rationale}</p>
      <details>
        <summary>Analysis, features, display and markers</summary>
        <dl className="facts facts-compact">
          {(['left', 'right'] as const).map((side) => (
            <Analysed key={side} side={side} a={a.body.analysis[side]} />
          ))}
        </dl>
        <ul className="feature-answers">
          {FEATURE_COMPONENTS.map((c) => {
            const f = a.body.features[c];
            return (
              <li key={c}>
                {FEATURE_LABEL[c]}: {f ? OBSERVATION_LABEL[f.observation] : '—'}
                {f?.note ? ` (${f.note})` : ''}
              </li>
            );
          })}
        </ul>
        <p className="small-text">
          Display: left {describeAdjustments(a.body.display.left)}; right {describeAdjustments(a.body.display.right)}; {a.body.display.smoothing ? 'smoothed' : 'real pixels'}; {a.body.display.view} view.
        </p>
        {a.body.annotations.length > 0 ? (
          <ol className="marker-list">
            {a.body.annotations.map((m) => (
              <li key={m.n} value={m.n}>
                {m.side}, {m.view} view, at ({Math.round(m.x)}, {Math.round(m.y)}): {m.note || 'no note'}
              </li>
            ))}
          </ol>
        ) : null}
      </details>
    </article>
  );
}

function Analysed({ side, a }: { side: ImageSide; a: ExaminerAnalysis }) {
  return (
    <>
      <dt>{SIDE_NAME[side]}</dt>
      <dd>
        {SUITABILITY_LABEL[a.suitability]}
        {a.factors.length > 0 ? `; limited by ${a.factors.map((f) => FACTOR_LABEL[f].toLowerCase()).join(', ')}` : ''}
        {a.note ? `. ${a.note}` : ''}
      </dd>
    </>
  );
}
