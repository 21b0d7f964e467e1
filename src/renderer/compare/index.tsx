import { useState } from 'react';
import type { Comparison, FaceSummary } from '../../shared';
import { may, refusal, useChannelForm, useSession, useUser, type Loaded } from '../api';
import { exhibitName, FaceImage, FacePickerDialog, FmrText, idParam, QualityBadge, QualityFacts, useFace, type PickedFace } from '../faces';
import { useOpenReview } from '../review';
import { Alert, FieldNotes, Form, FormActions, Page, TextArea } from '../ui';

type Slot = 'a' | 'b';

/** 1:1: two faces side by side, their score, its estimated false match rate and both qualities; the purpose is recorded. */
export function CompareScreen({ params }: { params: URLSearchParams }) {
  const { navigate } = useSession();
  const user = useUser();
  const ids = { a: idParam(params, 'a'), ae: idParam(params, 'ae'), b: idParam(params, 'b'), be: idParam(params, 'be') };
  const a = useFace(ids.ae, ids.a);
  const b = useFace(ids.be, ids.b);
  const [picking, setPicking] = useState<Slot | null>(null);
  const form = useChannelForm('compare.faces', 'compare');
  const [purpose, setPurpose] = useState('');
  const [result, setResult] = useState<Comparison | null>(null);
  const review = useOpenReview();

  if (!may(user.role, 'compare.faces')) {
    return (
      <Page title="Compare 1:1">
        <Alert message={refusal(user.role, 'compare.faces')} />
      </Page>
    );
  }

  const choose = (slot: Slot, p: PickedFace) => {
    setPicking(null);
    const next = new URLSearchParams(params);
    next.set(slot, String(p.face.id));
    next.set(`${slot}e`, String(p.exhibit.id));
    navigate(`/compare?${next.toString()}`);
  };
  // A result belongs to the two faces it was made for; choosing another face clears it.
  const shown = result && result.faceA.id === ids.a && result.faceB.id === ids.b ? result : null;

  return (
    <Page title="Compare 1:1">
      <div className="compare-slots">
        <FaceSlot slot="a" loaded={a} onChoose={() => setPicking('a')} error={form.errors.faceA} fieldId={form.fieldId('faceA')} />
        <FaceSlot slot="b" loaded={b} onChoose={() => setPicking('b')} error={form.errors.faceB} fieldId={form.fieldId('faceB')} />
      </div>
      {ids.a !== null && ids.b !== null && may(user.role, 'review.open') ? (
        <p>
          <Alert message={review.alert} />
          <button type="button" className="btn" disabled={review.busy} onClick={() => ids.a !== null && ids.b !== null && review.open(ids.a, ids.b, { kind: 'pair' })}>
            Examine side by side…
          </button>{' '}
          <span className="muted small-text">The comparison view, with an assessment that a second examiner verifies.</span>
        </p>
      ) : null}
      <section className="panel">
        <Form
          onSubmit={() => {
            setResult(null);
            const missing = { ...(ids.a === null ? { faceA: 'Choose face A.' } : {}), ...(ids.b === null ? { faceB: 'Choose face B.' } : {}) };
            void form.submit({ faceA: ids.a ?? 0, faceB: ids.b ?? 0, purpose }, missing).then((r) => r && setResult(r));
          }}
        >
          <Alert message={form.alert} />
          <TextArea id={form.fieldId('purpose')} label="Purpose" value={purpose} onChange={setPurpose} error={form.errors.purpose} hint="Why these two faces are compared. It is recorded." required maxLength={2000} />
          <FormActions busy={form.busy} label="Compare" busyLabel="Comparing…" />
        </Form>
      </section>
      {shown ? <Result c={shown} /> : null}
      {picking ? <FacePickerDialog title={`Choose face ${picking.toUpperCase()}`} role="probe" onClose={() => setPicking(null)} onPick={(p) => choose(picking, p)} /> : null}
    </Page>
  );
}

function FaceSlot({ slot, loaded, onChoose, error, fieldId }: { slot: Slot; loaded: Loaded<PickedFace> | null; onChoose(): void; error: string | undefined; fieldId: string }) {
  const label = `Face ${slot.toUpperCase()}`;
  const picked = loaded?.state === 'ready' ? loaded.value : null;
  return (
    <section className="panel" aria-labelledby={`slot-${slot}`}>
      <div className="panel-head">
        <h2 id={`slot-${slot}`}>{label}</h2>
        <button type="button" id={fieldId} className="btn small" aria-describedby={error ? `${fieldId}-error` : undefined} onClick={onChoose}>
          {picked ? `Change ${label.toLowerCase()}…` : `Choose ${label.toLowerCase()}…`}
        </button>
      </div>
      <FieldNotes id={fieldId} error={error} />
      {loaded === null ? <p className="empty">No face chosen.</p> : null}
      {loaded?.state === 'loading' ? <p className="muted">Loading…</p> : null}
      {loaded?.state === 'failed' ? <Alert message={loaded.message} /> : null}
      {picked ? (
        <>
          <div className="face-pair">
            <figure>
              <FaceImage faceId={picked.face.id} variant="aligned" alt={`${label} aligned`} size="xl" />
              <figcaption>Aligned</figcaption>
            </figure>
            <figure>
              <FaceImage faceId={picked.face.id} alt={`${label} with its surroundings`} size="l" />
              <figcaption>As found</figcaption>
            </figure>
          </div>
          <p>
            Face {picked.number} of <a href={`#/exhibit?id=${picked.exhibit.id}&face=${picked.face.id}`}>{exhibitName(picked.exhibit)}</a>
          </p>
        </>
      ) : null}
    </section>
  );
}

function Result({ c }: { c: Comparison }) {
  return (
    <section className="panel section-gap" aria-labelledby="compare-result-title">
      <h2 id="compare-result-title">Result</h2>
      <div className="compare-result">
        <figure>
          <FaceImage faceId={c.faceA.id} variant="aligned" alt="Face A as compared" size="xl" />
          <figcaption>Face A</figcaption>
        </figure>
        <div className="compare-score">
          <p className="score-big num" aria-label={`Score ${c.score.toFixed(3)}`}>
            {c.score.toFixed(3)}
          </p>
          <p>
            Estimated false match rate: <FmrText fmr={c.fmr} />
          </p>
        </div>
        <figure>
          <FaceImage faceId={c.faceB.id} variant="aligned" alt="Face B as compared" size="xl" />
          <figcaption>Face B</figcaption>
        </figure>
      </div>
      <div className="compare-qualities">
        <QualityColumn face={c.faceA} label="Face A" />
        <QualityColumn face={c.faceB} label="Face B" />
      </div>
      <p className="muted small-text">
        Model pack {c.pack.name} {c.pack.version} (<span className="mono">{c.pack.model}</span>)
        {c.pack.calibration ? `; calibrated on ${c.pack.calibration}` : '; not calibrated'}.
      </p>
      <p className="caveat-text">{c.caveat}</p>
    </section>
  );
}

function QualityColumn({ face, label }: { face: FaceSummary; label: string }) {
  return (
    <div>
      <h3>
        {label} <QualityBadge quality={face.quality} />
      </h3>
      <QualityFacts quality={face.quality} />
    </div>
  );
}
