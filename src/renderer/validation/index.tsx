import { useState } from 'react';
import {
  formatEstimate, formatRate, GROUPING_NOTE, GROUPS_FILE_HELP, metricLabel, VALIDATION_METRICS, type ValidationProgress, type ValidationRecord, type ValidationSummary,
} from '../../shared';
import { may, useChannelForm, useEvents, useLoad, useSession, useUser } from '../api';
import { Alert, Form, FormActions, formatCount, formatTime, LoadStatus, Notice, Page, PathsField, pathLines, SelectField, TableHead, TextArea } from '../ui';

const STAGE: Record<ValidationProgress['stage'], string> = {
  reading: 'Reading the folders',
  analysing: 'Finding and encoding faces',
  scoring: 'Scoring every pair',
  resampling: 'Resampling people for the intervals',
  drawing: 'Drawing the charts',
};

/** The Validation screen showing one record. */
export const recordHref = (id: string) => `#/validation?id=${encodeURIComponent(id)}`;

/**
 * Local validation (issue 11.4): a supervisor measures a pack on the agency's own labelled
 * photos, overall and per group; anyone reads the records, which a case report can attach.
 */
export function ValidationScreen({ params }: { params: URLSearchParams }) {
  const user = useUser();
  const id = params.get('id');
  // Keyed by the record shown, so a run that just finished is listed too.
  const list = useLoad('validation.list', {}, id ?? '');
  return (
    <Page title="Validation">
      <p className="lead">
        How well a model pack works on your agency&apos;s own photos: error rates with 95% intervals, overall and for each group you label, DET curves and
        score distributions. Each validation is kept as a record of the pack that a case report can attach.
      </p>
      {id ? <RecordView id={id} /> : null}
      {may(user.role, 'validation.run') ? <RunValidation onDone={(r) => (window.location.hash = recordHref(r.id).slice(1))} /> : null}
      <section className="panel section-gap" aria-labelledby="validations-title">
        <h2 id="validations-title">Validation records</h2>
        <LoadStatus loaded={list.loaded} loading="Loading validation records…" />
        {list.loaded.state === 'ready' ? <ValidationTable records={list.loaded.value} current={id} /> : null}
      </section>
    </Page>
  );
}

export function ValidationTable({ records, current }: { records: readonly ValidationSummary[]; current?: string | null }) {
  if (records.length === 0) return <p className="empty">No pack has been validated on this workstation yet.</p>;
  return (
    <table className="grid">
      <caption className="visually-hidden">Validation records</caption>
      <TableHead columns={['Run (UTC)', 'Pack', 'Data set', { label: 'People', right: true }, { label: 'Images', right: true }, 'Groups by', 'Run by']} actions />
      <tbody>
        {records.map((v) => (
          <tr key={v.id} className={v.id === current ? 'row-current' : undefined}>
            <td className="num">{formatTime(v.createdAt)}</td>
            <th scope="row" className="mono">
              {v.pack} {v.packVersion}
            </th>
            <td>{v.description}</td>
            <td className="num right">{formatCount(v.people)}</td>
            <td className="num right">{formatCount(v.images)}</td>
            <td>{v.grouping ?? <span className="muted">none</span>}</td>
            <td>{v.createdBy}</td>
            <td>
              <a className="btn small" href={recordHref(v.id)}>
                Open
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RunValidation({ onDone }: { onDone(r: ValidationRecord): void }) {
  const { bridge } = useSession();
  const form = useChannelForm('validation.run', 'run-validation');
  const packs = useLoad('models.list', {});
  const [pack, setPack] = useState('');
  const [dirs, setDirs] = useState('');
  const [groups, setGroups] = useState('');
  const [description, setDescription] = useState('');
  const [progress, setProgress] = useState<ValidationProgress | null>(null);
  useEvents((e) => e.type === 'validation.progress' && setProgress(e));
  const installed = packs.loaded.state === 'ready' ? packs.loaded.value.filter((p) => p.installed) : [];
  const active = installed.find((p) => p.active);

  return (
    <section className="panel narrow-panel section-gap" aria-labelledby="run-validation-title">
      <h2 id="run-validation-title">Validate a model pack</h2>
      <p className="muted">
        Use photos that are not evidence: one folder per person, several photos each, of many people, in conditions like your cases&apos;. Every image is
        analysed and every pair compared; this takes minutes for a few thousand images.
      </p>
      <Form
        onSubmit={() => {
          setProgress(null);
          const chosen = pack || active?.name;
          void form
            .submit({ dataDirs: pathLines(dirs), description, ...(groups.trim() ? { groupsFile: groups.trim() } : {}), ...(chosen ? { pack: chosen } : {}) })
            .then((r) => r && onDone(r));
        }}
      >
        <Alert message={form.alert} />
        <SelectField
          id={form.fieldId('pack')}
          label="Pack"
          value={pack || active?.name || ''}
          onChange={setPack}
          placeholder="Choose an installed pack"
          choices={installed.map((p) => ({ value: p.name, label: `${p.name} ${p.version}${p.active ? ' (in use)' : ''}` }))}
          error={form.errors.pack}
        />
        <PathsField
          id={form.fieldId('dataDirs')}
          label="Labelled photo folders"
          value={dirs}
          onChange={setDirs}
          multiple
          kinds={['folder']}
          choose={bridge.choosePaths?.bind(bridge)}
          error={form.errors.dataDirs}
          hint="One folder a line, each holding one folder of photos per person."
        />
        <PathsField
          id={form.fieldId('groupsFile')}
          label="Groups file (optional)"
          value={groups}
          onChange={setGroups}
          multiple={false}
          kinds={['files']}
          choose={bridge.choosePaths?.bind(bridge)}
          error={form.errors.groupsFile}
          hint={GROUPS_FILE_HELP}
        />
        <TextArea id={form.fieldId('description')} label="Data set" value={description} onChange={setDescription} error={form.errors.description} hint="What the photos are, where they came from, and what the groups are." required maxLength={1000} />
        <FormActions busy={form.busy} label="Run validation" busyLabel="Validating…" />
        {form.busy && progress ? (
          <p role="status" className="muted">
            {STAGE[progress.stage]}: {formatCount(progress.done)} of {formatCount(progress.total)}
          </p>
        ) : null}
      </Form>
    </section>
  );
}

const svgUrl = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

function RecordView({ id }: { id: string }) {
  const { loaded } = useLoad('validation.get', { id });
  return (
    <>
      <LoadStatus loaded={loaded} loading="Loading the validation record…" />
      {loaded.state === 'ready' ? <ValidationFigures record={loaded.value} /> : null}
    </>
  );
}

function ValidationFigures({ record: r }: { record: ValidationRecord }) {
  const sets = [r.figures.overall, ...r.figures.groups];
  const th = r.figures.thresholds;
  const score = (x: number | null) => (x === null ? 'none' : x.toFixed(3));
  return (
    <section className="panel" aria-labelledby="validation-record-title">
      <h2 id="validation-record-title">
        Validation of <span className="mono">{r.pack}</span> {r.packVersion}, {formatTime(r.createdAt)}
      </h2>
      {r.grouping ? (
        <Notice>{GROUPING_NOTE}</Notice>
      ) : null}
      <dl className="facts">
        <dt>Data set</dt>
        <dd className="prose">{r.dataset.description}</dd>
        <dt>Photos</dt>
        <dd>
          {formatCount(r.dataset.images)} images of {formatCount(r.dataset.people)} people ({formatCount(r.dataset.imagesWithoutFace)} without a face found) in{' '}
          <span className="mono">{r.dataset.folders.join(', ')}</span>
        </dd>
        <dt>Data set SHA-256</dt>
        <dd className="mono">{r.dataset.sha256}</dd>
        <dt>Groups</dt>
        <dd>{r.dataset.groups ? `${r.dataset.groups.grouping}, by ${r.dataset.groups.by}: ${r.dataset.groups.labels.join(', ')} (${r.dataset.groups.file})` : 'none'}</dd>
        <dt>Thresholds</dt>
        <dd className="num">
          FMR 1 in 1,000: {score(th['fnmrAtFmr1e-3'])}; FMR 1 in 10,000: {score(th['fnmrAtFmr1e-4'])}; operating: {score(th.operating)}
        </dd>
        <dt>Run by</dt>
        <dd>
          {r.createdBy}, {formatTime(r.createdAt)} UTC, in {Math.round(r.seconds)} s; {formatCount(r.figures.replicates)} resamplings, seed {r.figures.seed}
        </dd>
      </dl>
      <table className="grid dense section-gap">
        <caption>Error rates with 95% intervals (resampling people)</caption>
        <TableHead columns={['Measure', ...sets.map((s) => ({ label: s.label, right: true as const }))]} />
        <tbody>
          <tr>
            <th scope="row">People / same-person pairs / different-people pairs</th>
            {sets.map((s) => (
              <td key={s.label} className="num right">
                {formatCount(s.people)} / {formatCount(s.genuinePairs)} / {formatCount(s.impostorPairs)}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">Smallest FMR its impostor pairs support</th>
            {sets.map((s) => (
              <td key={s.label} className="num right">
                {s.smallestFmr === null ? <span className="muted">none</span> : formatRate(s.smallestFmr)}
              </td>
            ))}
          </tr>
          {VALIDATION_METRICS.map((m) => (
            <tr key={m}>
              <th scope="row">{metricLabel(m, r.rank)}</th>
              {sets.map((s) => {
                const e = s.metrics[m]!;
                return (
                  <td key={s.label} className="num right" title={e.note ?? undefined}>
                    {e.value === null ? <span className="muted">not measured</span> : formatEstimate(e)}
                    {e.note ? <div className="muted small-note">{e.note}</div> : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {r.figures.differentials.length > 0 ? (
        <table className="grid dense section-gap">
          <caption>Worst group over best group (as NIST reports differentials)</caption>
          <TableHead columns={['Measure', 'Worst / best', { label: 'Ratio (95% interval)', right: true }]} />
          <tbody>
            {r.figures.differentials.map((d) => (
              <tr key={d.metric}>
                <th scope="row">{metricLabel(d.metric, r.rank)}</th>
                <td>{d.worst ? `${d.worst} / ${d.best}` : '—'}</td>
                <td className="num right">
                  {formatEstimate(d.ratio, 'ratio')}
                  {d.ratio.note ? <div className="muted small-note">{d.ratio.note}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ul className="prose section-gap">
        {r.notes.filter((n) => n !== GROUPING_NOTE).map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
      <div className="cards chart-grid">
        {r.charts.map((c) => (
          <figure key={c.name} className="chart">
            <img src={svgUrl(c.svg)} alt={`${c.title}. ${c.description}`} />
            <figcaption className="muted">{c.description}</figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}
