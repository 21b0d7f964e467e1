import { useState } from 'react';
import type { ConclusionScale, ScaleLevel, ScaleSide } from '../../shared';
import { may, useChannelForm, useLoad, useUser } from '../api';
import { Alert, Form, FormActions, LoadStatus, Notice, Page, SelectField, TableHead, TextArea, TextField } from '../ui';
import { newLevel, nextDraft, SIDE_CHOICES, SIDE_LABEL } from './draft';

/**
 * The conclusion scale every examiner on this workstation concludes on. Each conclusion keeps a
 * copy of the version it was made on, so a new version changes no past conclusion; only a
 * supervisor declares one, with a reason, and two conclusions agree when their levels are on the same side.
 */
export function ScaleScreen() {
  const user = useUser();
  const { loaded, setLoaded } = useLoad('review.scale', {});
  const [notice, setNotice] = useState<string | null>(null);
  const declares = may(user.role, 'review.setScale');

  return (
    <Page title="Conclusion scale">
      <p className="lead">
        Examiners conclude on this scale. Every conclusion records the scale and version it was made on, so declaring a new version changes no conclusion
        already made. Two conclusions agree when their levels are on the same side.
      </p>
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      <LoadStatus loaded={loaded} loading="Loading the conclusion scale…" />
      {loaded.state === 'ready' ? (
        <div className="stack">
          <ScaleTable scale={loaded.value} />
          {declares ? (
            <DeclareScale
              key={loaded.value.version}
              current={loaded.value}
              onDeclared={(s) => {
                setLoaded({ state: 'ready', value: s });
                setNotice(`Version ${s.version} of the conclusion scale is in force. Conclusions made before keep the version they were made on.`);
              }}
            />
          ) : (
            <p className="muted">Only a supervisor declares a new version of the scale, with a reason.</p>
          )}
        </div>
      ) : null}
    </Page>
  );
}

function ScaleTable({ scale }: { scale: ConclusionScale }) {
  return (
    <section className="panel" aria-labelledby="scale-in-force">
      <h2 id="scale-in-force">
        In force: <span className="mono">{scale.id}</span> version {scale.version}
      </h2>
      <p>{scale.name}</p>
      <table className="grid">
        <caption className="visually-hidden">Levels of the scale in force, in order</caption>
        <TableHead columns={['Level', 'Side', 'Id']} />
        <tbody>
          {scale.levels.map((l) => (
            <tr key={l.id}>
              <th scope="row">{l.label}</th>
              <td>{SIDE_LABEL[l.side]}</td>
              <td className="mono">{l.id}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">Agreement rule: two conclusions agree when their levels are on the {scale.agreement}.</p>
    </section>
  );
}

function DeclareScale({ current, onDeclared }: { current: ConclusionScale; onDeclared(scale: ConclusionScale): void }) {
  const form = useChannelForm('review.setScale', 'scale');
  const [draft, setDraft] = useState<ConclusionScale>(() => nextDraft(current));
  const [reason, setReason] = useState('');
  const setLevel = (i: number, change: Partial<ScaleLevel>) => setDraft((d) => ({ ...d, levels: d.levels.map((l, j) => (j === i ? { ...l, ...change } : l)) }));
  const move = (i: number, by: -1 | 1) =>
    setDraft((d) => {
      const levels = [...d.levels];
      const [l] = levels.splice(i, 1);
      if (l) levels.splice(i + by, 0, l);
      return { ...d, levels };
    });

  return (
    <section className="panel" aria-labelledby="declare-title">
      <h2 id="declare-title">Declare version {draft.version}</h2>
      <Form
        onSubmit={() => {
          void form.submit({ scale: draft, reason }).then((s) => {
            if (s) onDeclared(s);
          });
        }}
      >
        <Alert message={form.alert ?? form.errors['scale.levels'] ?? form.errors.scale} />
        <TextField id={form.fieldId('scale.id')} label="Scale id" value={draft.id} onChange={(id) => setDraft((d) => ({ ...d, id }))} error={form.errors['scale.id']} required />
        <TextField id={form.fieldId('scale.name')} label="Name" value={draft.name} onChange={(name) => setDraft((d) => ({ ...d, name }))} error={form.errors['scale.name']} required />
        <p id={form.fieldId('scale.version')} tabIndex={-1}>
          Version <strong className="num">{draft.version}</strong>: the one after the version in force ({current.version}), as Loupe requires.
          {form.errors['scale.version'] ? <span className="field-error"> {form.errors['scale.version']}</span> : null}
        </p>
        <fieldset className="scale-levels" id={form.fieldId('scale.levels')} tabIndex={-1}>
          <legend>Levels, from strongest support for the same person to strongest for different persons</legend>
          {draft.levels.map((l, i) => (
            <div className="scale-level" key={i} role="group" aria-label={`Level ${i + 1}`}>
              <TextField id={form.fieldId(`scale.levels.${i}.label`)} label={`Level ${i + 1}: label`} value={l.label} onChange={(label) => setLevel(i, { label })} error={form.errors[`scale.levels.${i}.label`]} required />
              <SelectField
                id={form.fieldId(`scale.levels.${i}.side`)}
                label={`Level ${i + 1}: side`}
                value={l.side}
                onChange={(side) => setLevel(i, { side: side as ScaleSide })}
                choices={SIDE_CHOICES}
                error={form.errors[`scale.levels.${i}.side`]}
                required
              />
              <TextField id={form.fieldId(`scale.levels.${i}.id`)} label={`Level ${i + 1}: id`} value={l.id} onChange={(id) => setLevel(i, { id })} error={form.errors[`scale.levels.${i}.id`]} required />
              <div className="toolbar">
                <button type="button" className="btn small" aria-label={`Move level ${i + 1} up`} aria-disabled={i === 0} onClick={() => i > 0 && move(i, -1)}>
                  Up
                </button>
                <button
                  type="button"
                  className="btn small"
                  aria-label={`Move level ${i + 1} down`}
                  aria-disabled={i === draft.levels.length - 1}
                  onClick={() => i < draft.levels.length - 1 && move(i, 1)}
                >
                  Down
                </button>
                <button type="button" className="btn small danger" aria-label={`Remove level ${i + 1}`} onClick={() => setDraft((d) => ({ ...d, levels: d.levels.filter((_, j) => j !== i) }))}>
                  Remove
                </button>
              </div>
            </div>
          ))}
          <button type="button" className="btn small scale-add" onClick={() => setDraft((d) => ({ ...d, levels: [...d.levels, newLevel(d.levels)] }))}>
            Add a level
          </button>
        </fieldset>
        <TextArea id={form.fieldId('reason')} label="Reason" value={reason} onChange={setReason} error={form.errors.reason} hint="Recorded on the workstation's audit record with the new scale." required />
        <FormActions busy={form.busy} label={`Declare version ${draft.version}`} busyLabel="Declaring…" />
      </Form>
    </section>
  );
}
