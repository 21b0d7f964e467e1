import { useState } from 'react';
import type { ChannelOutput, PackInfo, ValidationSummary } from '../../shared';
import { invoke, may, useChannelForm, useLoad, useSession, useUser, type Loaded } from '../api';
import { recordHref, ValidationTable } from '../validation';
import { Alert, Form, FormActions, formatCount, formatOneIn, formatTime, LoadStatus, Notice, Page, PathsField, pathLines, SelectField, TableHead, TextArea } from '../ui';

/** The model pack searches and imports run on now, as main reports it; null while loading or when none is installed. */
export function useActivePack(): { pack: PackInfo | null; loaded: Loaded<PackInfo[]> } {
  const { loaded } = useLoad('models.list', {});
  return { pack: loaded.state === 'ready' ? (loaded.value.find((p) => p.active) ?? null) : null, loaded };
}

/** Model packs: what is installed and in use, and everything a court may ask about each (its model card). */
export function ModelsScreen() {
  const user = useUser();
  const { loaded, setLoaded } = useLoad('models.list', {});
  const { loaded: validations } = useLoad('validation.list', {});
  const [notice, setNotice] = useState<string | null>(null);
  const installs = may(user.role, 'models.install');
  const calibrates = may(user.role, 'models.calibrate');

  return (
    <Page title="Model packs">
      <p className="lead">
        A model pack finds, aligns and encodes faces. Every face in a case records the pack that found it; searches compare faces of one pack only. Scores are
        read as false match rates only through a pack&apos;s calibration.
      </p>
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      <LoadStatus loaded={loaded} loading="Loading model packs…" />
      {loaded.state === 'ready' ? (
        <>
          <table className="grid">
            <caption className="visually-hidden">Model packs</caption>
            <TableHead columns={['Pack', 'Version', 'Installed', 'In use', 'Detector', 'Embedder', 'Calibration', 'Licence']} />
            <tbody>
              {loaded.value.map((p) => (
                <tr key={p.name} className={p.active ? 'row-current' : undefined}>
                  <th scope="row" className="mono">
                    {p.name}
                  </th>
                  <td className="num">{p.version}</td>
                  <td>{p.problem ? <><span className="badge outcome-failed">Damaged</span> {p.problem}</> : p.installed ? 'Installed' : <span className="muted">Not installed</span>}</td>
                  <td>{p.active ? <span className="badge badge-accent">In use</span> : <span className="muted">—</span>}</td>
                  <td>{p.detector}</td>
                  <td className="mono">{p.embedder}</td>
                  <td>{p.calibrated ? 'Calibrated' : <span className="badge outcome-refused">Not calibrated</span>}</td>
                  <td>{p.licence}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {loaded.value.every((p) => !p.installed) ? (
            <Alert message="No model pack is installed, so evidence cannot be imported or searched. A supervisor installs one below, or with “loupe models install”." />
          ) : null}
          {loaded.value.length > 0 && !loaded.value.some((p) => p.active && p.calibrated) && loaded.value.some((p) => p.active) ? (
            <Notice>
              The pack in use has no calibration: scores cannot be given as false match rates, searches can only keep the top candidates, and faces cannot be
              grouped by a false match rate until it is calibrated.
            </Notice>
          ) : null}
          <div className="cards">
            {loaded.value.map((p) => (
              <ModelCard key={p.name} pack={p} validations={validations.state === 'ready' ? validations.value.filter((v) => v.pack === p.name && v.packVersion === p.version) : null} />
            ))}
          </div>
          <Validations />
          {calibrates ? (
            <CalibratePack
              packs={loaded.value}
              onCalibrated={(p, list) => {
                setLoaded({ state: 'ready', value: list });
                setNotice(`Model pack ${p.name} ${p.version} is calibrated: its scores are now given with an estimated false match rate.`);
              }}
            />
          ) : null}
          {installs ? (
            <InstallPack
              packs={loaded.value}
              onInstalled={(p, list) => {
                setLoaded({ state: 'ready', value: list });
                setNotice(`Model pack ${p.name} ${p.version} is installed and its files verified.${p.active ? ' It is now in use.' : ''}`);
              }}
            />
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

/** The packs' validation records on this workstation's own labelled photos, and the way to the Validation screen. */
function Validations() {
  const { loaded } = useLoad('validation.list', {});
  return (
    <section className="panel section-gap" aria-labelledby="pack-validations-title">
      <h2 id="pack-validations-title">Validation on local photos</h2>
      <p className="muted">
        Error rates of a pack measured on the agency&apos;s own labelled photos, overall and per group, with intervals and DET curves.{' '}
        <a href="#/validation">Open the Validation screen</a>
      </p>
      <LoadStatus loaded={loaded} loading="Loading validation records…" />
      {loaded.state === 'ready' ? <ValidationTable records={loaded.value} /> : null}
    </section>
  );
}

function ModelCard({ pack, validations }: { pack: PackInfo; validations: readonly ValidationSummary[] | null }) {
  const id = `pack-${pack.name}`;
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>
        Model card: <span className="mono">{pack.name}</span> {pack.version}
        {pack.active ? <span className="badge badge-accent heading-badge">In use</span> : null}
      </h2>
      <p>{pack.description}</p>
      <dl className="facts">
        <dt>Summary</dt>
        <dd className="prose">{pack.modelCard.summary}</dd>
        <dt>Training data</dt>
        <dd className="prose">{pack.modelCard.trainingData}</dd>
        <dt>Measured accuracy</dt>
        <dd className="prose">{pack.modelCard.measuredAccuracy}</dd>
        <dt>Limitations</dt>
        <dd className="prose">{pack.modelCard.limitations}</dd>
        <dt>Licence</dt>
        <dd>{pack.licence}</dd>
        <dt>Calibration</dt>
        <dd>{pack.calibrated ? 'Calibrated: scores are given with an estimated false match rate.' : 'Not calibrated: scores cannot be read as false match rates.'}</dd>
        {validations ? (
          <>
            <dt>Local validation</dt>
            <dd>
              {validations[0] ? (
                <>
                  {validations.length} record(s) of this version on this workstation; the latest on {validations[0].description}, run {formatTime(validations[0].createdAt)} UTC by{' '}
                  {validations[0].createdBy}. <a href={recordHref(validations[0].id)}>Open it</a>
                </>
              ) : (
                'Not validated on this workstation’s own photos yet.'
              )}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

/** Supervisors install a pack from a folder (the air-gapped way) or, with no folder, from the package registry. */
function InstallPack({ packs, onInstalled }: { packs: PackInfo[]; onInstalled(p: PackInfo, list: PackInfo[]): void }) {
  const { bridge } = useSession();
  const form = useChannelForm('models.install', 'install-pack');
  const [pack, setPack] = useState('');
  const [from, setFrom] = useState('');

  return (
    <section className="panel narrow-panel" aria-labelledby="install-title">
      <h2 id="install-title">Install a model pack</h2>
      <Form
        onSubmit={() => {
          void form.submit({ pack, ...(from.trim() ? { from: from.trim() } : {}) }).then(async (p) => {
            if (!p) return;
            const r = await invoke(bridge, 'models.list', {});
            onInstalled(p, r.ok ? r.value : packs.map((x) => (x.name === p.name ? p : x)));
            setFrom('');
          });
        }}
      >
        <Alert message={form.alert} />
        <SelectField id={form.fieldId('pack')} label="Pack" value={pack} onChange={setPack} placeholder="Choose a pack" choices={packs.map((p) => ({ value: p.name, label: `${p.name} ${p.version}${p.installed ? ' (installed)' : ''}` }))} error={form.errors.pack} required />
        <PathsField
          id={form.fieldId('from')}
          label="From folder"
          value={from}
          onChange={setFrom}
          multiple={false}
          kinds={['folder']}
          choose={bridge.choosePaths?.bind(bridge)}
          error={form.errors.from}
          hint="A folder holding the pack's ONNX files, e.g. on write-protected media. Every file is checked against the SHA-256 in the pack's manifest. Leave empty to fetch the pack from the package registry (needs a network connection)."
        />
        <FormActions busy={form.busy} label="Install pack" busyLabel="Installing…" />
      </Form>
    </section>
  );
}

type CalibrationReport = ChannelOutput<'models.calibrate'>;

/**
 * Supervisors measure a pack's score-to-false-match-rate table on labelled photos (one folder
 * per person) that are not case evidence; the table is written into the installed pack.
 */
function CalibratePack({ packs, onCalibrated }: { packs: PackInfo[]; onCalibrated(p: PackInfo, list: PackInfo[]): void }) {
  const { bridge } = useSession();
  const form = useChannelForm('models.calibrate', 'calibrate-pack');
  const installed = packs.filter((p) => p.installed);
  const [pack, setPack] = useState(installed.find((p) => p.active)?.name ?? '');
  const [dirs, setDirs] = useState('');
  const [description, setDescription] = useState('');
  const [report, setReport] = useState<CalibrationReport | null>(null);

  return (
    <section className="panel narrow-panel section-gap" aria-labelledby="calibrate-title">
      <h2 id="calibrate-title">Calibrate a model pack</h2>
      <p className="muted">
        Every image is encoded; every pair of images of different people is an impostor pair. The share of impostor pairs reaching a score is that
        score&apos;s false match rate. Use photos that are not evidence, of many people, in conditions like the cases&apos;. This can take several minutes.
      </p>
      <Form
        onSubmit={() => {
          setReport(null);
          void form.submit({ pack, dataDirs: pathLines(dirs), description }).then(async (r) => {
            if (!r) return;
            setReport(r);
            const list = await invoke(bridge, 'models.list', {});
            onCalibrated(r.pack, list.ok ? list.value : packs.map((x) => (x.name === r.pack.name ? r.pack : x)));
          });
        }}
      >
        <Alert message={form.alert} />
        <SelectField id={form.fieldId('pack')} label="Pack to calibrate" value={pack} onChange={setPack} placeholder="Choose an installed pack" choices={installed.map((p) => ({ value: p.name, label: `${p.name} ${p.version}` }))} error={form.errors.pack} required />
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
        <TextArea id={form.fieldId('description')} label="Data set" value={description} onChange={setDescription} error={form.errors.description} hint="What the photos are and where they came from; it is written into the pack and shown with every estimate." required maxLength={1000} />
        <FormActions busy={form.busy} label="Measure calibration" busyLabel="Measuring…" />
      </Form>
      {report ? <CalibrationFigures report={report} /> : null}
    </section>
  );
}

function CalibrationFigures({ report }: { report: CalibrationReport }) {
  return (
    <div className="section-gap" role="status">
      <p>
        Measured on <span className="num">{formatCount(report.images)}</span> images of <span className="num">{formatCount(report.people)}</span> people
        {report.skipped > 0 ? ` (${formatCount(report.skipped)} images skipped: no readable face)` : ''}:{' '}
        <span className="num">{formatCount(report.impostorPairs)}</span> impostor pairs and <span className="num">{formatCount(report.genuinePairs)}</span> genuine pairs.
      </p>
      {report.tar.length > 0 ? (
        <table className="grid dense">
          <caption className="visually-hidden">Share of genuine pairs found at each false match rate</caption>
          <TableHead columns={['False match rate', { label: 'Score threshold', right: true }, { label: 'Genuine pairs found', right: true }]} />
          <tbody>
            {report.tar.map((t) => (
              <tr key={t.fmr}>
                <th scope="row">{formatOneIn(t.fmr)}</th>
                <td className="num right">{t.score.toFixed(3)}</td>
                <td className="num right">{(t.tar * 100).toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p>
        Per quality band, with <span className="num">{formatCount(report.degraded.encoded)}</span> degraded copies of the photos (smaller, greyscale, blurred, compressed). A pair of faces is read in the band of its weaker face; a band
        with too few impostor pairs states no rate.
      </p>
      <table className="grid dense">
        <caption className="visually-hidden">Impostor pairs measured per quality band</caption>
        <TableHead columns={['Quality band', { label: 'Impostor pairs', right: true }, { label: 'Genuine pairs', right: true }, 'Lowest rate the data supports (95%)']} />
        <tbody>
          {report.bands.map((b) => (
            <tr key={b.band}>
              <th scope="row">{b.band}</th>
              <td className="num right">{formatCount(b.impostorPairs)}</td>
              <td className="num right">{formatCount(b.genuinePairs)}</td>
              <td>{b.lowestSupportedRate ?? <span className="fmr-uncalibrated">too few pairs: not calibrated for faces like these</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
