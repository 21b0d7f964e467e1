import { useState } from 'react';
import { TEMPLATE_METHOD, type SearchRequest } from '../../shared';
import { useChannelForm, useLoad, useSession, useUser } from '../api';
import { exhibitName, FaceImage, FacePickerDialog, FMR_CHOICES, useExhibitChoices, type PickedFace } from '../faces';
import { useActivePack } from '../models';
import { Alert, CheckboxField, described, FieldNotes, Form, FormActions, Notice, NumberField, SelectField, TextArea, TextField } from '../ui';

/**
 * What a search is held to: why it is made, what it searches, how many candidates at most,
 * at which false match rate, within which exhibits, times and quality, and (for a poor
 * probe) why it is still worth making. The form is checked against search.run's own schema.
 */
export function SearchForm({ probe }: { probe: PickedFace | null }) {
  const { navigate } = useSession();
  const user = useUser();
  const form = useChannelForm('search.run', 'search');
  // Shares the form's field ids, so a request's problems (purpose, lists) show beside the same fields.
  const request = useChannelForm('search.requestAuthorisation', 'search');
  const settings = useLoad('search.settings', {});
  const authorisations = useLoad('search.authorisations', {});
  const [requested, setRequested] = useState<string | null>(null);
  const lists = useLoad('watchlists.list', {});
  const exhibits = useExhibitChoices();
  const { pack } = useActivePack();
  const [purpose, setPurpose] = useState('');
  const [inCase, setInCase] = useState(true);
  const [listIds, setListIds] = useState<number[]>([]);
  const [maxCandidates, setMaxCandidates] = useState('50');
  const [threshold, setThreshold] = useState<string | null>(null);
  const [exhibitIds, setExhibitIds] = useState<number[]>([]);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [minQuality, setMinQuality] = useState('');
  const [override, setOverride] = useState('');
  const [useTrack, setUseTrack] = useState(false);
  const [more, setMore] = useState<PickedFace[]>([]);
  const [picking, setPicking] = useState(false);

  // Until the user chooses, the threshold is the case's default, or none when the pack cannot estimate rates.
  const caseSettings = settings.loaded.state === 'ready' ? settings.loaded.value : null;
  const caseDefault = FMR_CHOICES.find((c) => caseSettings && c.fmr === caseSettings.defaultMaxFmr)?.value ?? '0.001';
  const chosen = threshold ?? (pack && !pack.calibrated ? 'none' : caseDefault);
  const needsAuthorisation = caseSettings?.authorisationRequired === true && listIds.length > 0;
  const sameSearch = (a: { requestedBy: string; probeFaceId: number; watchlists: { id: number }[] }) =>
    a.requestedBy === user.username && a.probeFaceId === probe?.face.id && a.watchlists.length === listIds.length && a.watchlists.every((w) => listIds.includes(w.id));
  const mine = authorisations.loaded.state === 'ready' ? authorisations.loaded.value.filter(sameSearch) : [];
  const approval = needsAuthorisation ? mine.find((a) => a.state === 'approved') : undefined;
  const pending = mine.find((a) => a.state === 'pending');
  const fmr = FMR_CHOICES.find((c) => c.value === chosen)?.fmr ?? null;
  const needsOverride = probe?.face.quality.insufficient === true || more.some((m) => m.face.quality.insufficient) || form.errors.qualityOverride !== undefined;
  const listed = exhibits.loaded.state === 'ready' ? exhibits.loaded.value.exhibits : [];
  const searchable = listed.filter((e) => e.faceCount > 0 && e.role === 'evidence');
  const exhibitsHint = `None chosen: every exhibit. Ctrl or Shift with a click or the arrow keys chooses several.${exhibits.cut > 0 ? ` Only the first ${listed.length} exhibits of the case are listed; ${exhibits.cut} more are not.` : ''}`;

  const submit = () => {
    const filters = {
      ...(exhibitIds.length > 0 ? { exhibitIds } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(minQuality.trim() !== '' ? { minQuality: Number(minQuality) } : {}),
    };
    const input = {
      probeFaceId: probe?.face.id,
      ...(useTrack ? { probeTrack: true } : {}),
      ...(more.length > 0 ? { moreProbeFaceIds: more.map((m) => m.face.id) } : {}),
      purpose,
      target: { case: inCase, watchlists: listIds },
      maxCandidates: maxCandidates.trim() === '' ? Number.NaN : Number(maxCandidates),
      maxFmr: fmr,
      filters,
      ...(needsOverride ? { qualityOverride: override } : {}),
      ...(approval ? { authorisationId: approval.id } : {}),
    } as SearchRequest;
    void form.submit(input, probe ? {} : { probeFaceId: 'Choose the probe face first.' }).then((r) => {
      if (r) navigate(`/search/result?id=${r.id}`);
    });
  };

  return (
    <Form labelledBy="search-form-title" onSubmit={submit}>
      <h2 id="search-form-title">Search</h2>
      <Alert message={form.alert} />
      {form.errors.probeFaceId ? (
        <p className="field-error" id={form.fieldId('probeFaceId')} tabIndex={-1}>
          {form.errors.probeFaceId}
        </p>
      ) : (
        <span id={form.fieldId('probeFaceId')} tabIndex={-1} />
      )}
      <ProbeTemplateFields probe={probe} useTrack={useTrack} setUseTrack={setUseTrack} more={more} setMore={setMore} onAdd={() => setPicking(true)} errors={form.errors} fieldId={form.fieldId} />
      {picking ? (
        <FacePickerDialog
          title="Add a still of the same person"
          role="probe"
          onClose={() => setPicking(false)}
          onPick={(p) => {
            setPicking(false);
            if (p.face.id !== probe?.face.id && !more.some((m) => m.face.id === p.face.id)) setMore((m) => [...m, p]);
          }}
        />
      ) : null}
      <TextArea id={form.fieldId('purpose')} label="Purpose" value={purpose} onChange={setPurpose} error={form.errors.purpose} hint="Why this search is being made. It is recorded with the search and shown on reports." required maxLength={2000} />
      <fieldset>
        <legend>Search in</legend>
        <CheckboxField id={form.fieldId('target')} label="This case's evidence" checked={inCase} onChange={setInCase} error={form.errors.target} />
        {lists.loaded.state === 'failed' ? <Alert message={`The watch lists could not be read: ${lists.loaded.message}`} /> : null}
        {lists.loaded.state === 'ready' && lists.loaded.value.length > 0 ? (
          lists.loaded.value.map((w) => (
            <CheckboxField
              key={w.id}
              id={`search-list-${w.id}`}
              label={`Watch list: ${w.name} (${w.entries} ${w.entries === 1 ? 'entry' : 'entries'})`}
              checked={listIds.includes(w.id)}
              onChange={(on) => setListIds((ids) => (on ? [...ids, w.id] : ids.filter((x) => x !== w.id)))}
            />
          ))
        ) : lists.loaded.state === 'ready' ? (
          <p className="muted">No watch lists in this case.</p>
        ) : null}
      </fieldset>
      <div className="field-row">
        <NumberField id={form.fieldId('maxCandidates')} label="Most candidates" value={maxCandidates} onChange={setMaxCandidates} min={1} max={500} step={1} error={form.errors.maxCandidates} hint="1 to 500; faces of one video track count once." />
        <SelectField
          id={form.fieldId('maxFmr')}
          label="Threshold (false match rate)"
          value={chosen}
          onChange={setThreshold}
          choices={FMR_CHOICES.map((c) => ({ value: c.value, label: c.label }))}
          error={form.errors.maxFmr}
          hint="Keep candidates whose score is reached by different people at most this often."
        />
      </div>
      {pack && !pack.calibrated ? (
        <Notice>
          The model pack in use ({pack.name} {pack.version}) has no calibration, so scores cannot be read as false match rates and a threshold cannot be set by
          one. Choose “None” to see the top candidates by score.
        </Notice>
      ) : null}
      <details className="filters">
        <summary>Filters{exhibitIds.length + (from ? 1 : 0) + (to ? 1 : 0) + (minQuality ? 1 : 0) > 0 ? ' (set)' : ''}</summary>
        <div className="form">
          <div className="field field-wide">
            <label htmlFor={form.fieldId('filters.exhibitIds')}>Only these exhibits</label>
            <select
              {...described({ id: form.fieldId('filters.exhibitIds'), hint: exhibitsHint, error: form.errors['filters.exhibitIds'] })}
              multiple
              size={Math.min(6, Math.max(2, searchable.length))}
              value={exhibitIds.map(String)}
              onChange={(e) => setExhibitIds([...e.target.selectedOptions].map((o) => Number(o.value)))}
            >
              {searchable.map((e) => (
                <option key={e.id} value={e.id}>
                  {exhibitName(e)} ({e.faceCount})
                </option>
              ))}
            </select>
            <FieldNotes id={form.fieldId('filters.exhibitIds')} hint={exhibitsHint} error={form.errors['filters.exhibitIds']} />
            {exhibits.loaded.state === 'failed' ? <Alert message={`The exhibits could not be read: ${exhibits.loaded.message}`} /> : null}
          </div>
          <div className="field-row">
            <TextField id={form.fieldId('filters.from')} label="Captured from" type="datetime-local" value={from} onChange={setFrom} error={form.errors['filters.from']} hint="Camera clock; files without a capture time are left out when set." />
            <TextField id={form.fieldId('filters.to')} label="Captured until" type="datetime-local" value={to} onChange={setTo} error={form.errors['filters.to']} />
            <NumberField id={form.fieldId('filters.minQuality')} label="Minimum candidate quality" value={minQuality} onChange={setMinQuality} min={0} max={100} step={1} error={form.errors['filters.minQuality']} hint="0 to 100; empty: any." />
          </div>
        </div>
      </details>
      {needsOverride ? (
        <TextArea
          id={form.fieldId('qualityOverride')}
          label="Why search with an insufficient probe"
          value={override}
          onChange={setOverride}
          error={form.errors.qualityOverride}
          hint="The probe face is below the quality needed for reliable comparison. A search with it needs a recorded reason."
          required
          maxLength={2000}
        />
      ) : null}
      {needsAuthorisation ? (
        <Notice>
          {approval ? (
            <>
              This search runs under authorisation #{approval.id}, approved by {approval.decidedBy}: {approval.decisionReason}. It allows one search.
            </>
          ) : pending ? (
            <>Your request #{pending.id} to search these watch lists with this probe awaits a supervisor. The search can run once it is approved.</>
          ) : (
            <>
              Searches of watch lists in this case must be authorised by a supervisor before they run. Ask with your purpose; a supervisor other than you approves or
              refuses it.{' '}
              <button
                type="button"
                className="btn small"
                aria-disabled={request.busy}
                onClick={() =>
                  void request.submit({ probeFaceId: probe?.face.id as number, watchlistIds: listIds, purpose }, probe ? {} : { probeFaceId: 'Choose the probe face first.' }).then((a) => {
                    if (!a) return;
                    setRequested(`Request #${a.id} was sent: a supervisor will approve or refuse it.`);
                    authorisations.reload();
                  })
                }
              >
                Request authorisation
              </button>
            </>
          )}
        </Notice>
      ) : null}
      <Alert message={request.alert} />
      {requested ? <Notice tone="good">{requested}</Notice> : null}
      <FormActions busy={form.busy} label="Search" busyLabel="Searching…" />
    </Form>
  );
}

/**
 * A probe of several faces: the probe's whole video track, or more stills of the same person
 * the examiner chose. Either is searched as one fused template; its scores have no false match
 * rate (none was measured for fused templates), the best single pair's have.
 */
function ProbeTemplateFields(props: {
  probe: PickedFace | null;
  useTrack: boolean;
  setUseTrack(on: boolean): void;
  more: PickedFace[];
  setMore(f: (m: PickedFace[]) => PickedFace[]): void;
  onAdd(): void;
  errors: Record<string, string | undefined>;
  fieldId(name: string): string;
}) {
  const { probe, useTrack, setUseTrack, more, setMore, onAdd, errors, fieldId } = props;
  if (!probe) return null;
  return (
    <fieldset>
      <legend>Probe of several faces</legend>
      {probe.face.trackId !== null ? (
        <CheckboxField
          id={fieldId('probeTrack')}
          label={`Search with the whole of track ${probe.face.trackId}, fused into one template`}
          checked={useTrack}
          onChange={(on) => {
            setUseTrack(on);
            if (on) setMore(() => []);
          }}
          error={errors.probeTrack}
        />
      ) : null}
      {!useTrack ? (
        <>
          {more.length > 0 ? (
            <ul className="probe-stills" aria-label="More stills of the same person">
              {more.map((m) => (
                <li key={m.face.id}>
                  <FaceImage faceId={m.face.id} alt={`Still: face ${m.number} of ${exhibitName(m.exhibit)}`} size="s" />
                  <button type="button" className="btn small" onClick={() => setMore((all) => all.filter((x) => x.face.id !== m.face.id))} aria-label={`Remove face ${m.number} of ${exhibitName(m.exhibit)}`}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          <button type="button" className="btn small" id={fieldId('moreProbeFaceIds')} onClick={onAdd} disabled={more.length >= 19}>
            Add a still of the same person…
          </button>
          {errors.moreProbeFaceIds ? <p className="field-error">{errors.moreProbeFaceIds}</p> : null}
        </>
      ) : null}
      <p className="muted small-text">
        Several faces are searched as one fused template ({TEMPLATE_METHOD}). Its scores are not calibrated for fused templates, so no false match rate is given for them; each candidate also shows its best single pair of faces, with that pair&apos;s rate.
      </p>
    </fieldset>
  );
}
