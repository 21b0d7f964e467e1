import { useState } from 'react';
import type { Person, PersonsView } from '../../shared';
import { may, useAction, useChannelForm, useLoad, useUser } from '../api';
import { FaceImage, FMR_CHOICES } from '../faces';
import { Alert, Dialog, Form, FormActions, formatOneIn, formatTime, LoadStatus, Notice, Page, SelectField, TextField } from '../ui';
import { groupName, selectionGroup } from './selection';

/** Crops shown per group before "Show all". */
const SHOWN = 36;
/** 'auto': main picks a rate that falls as the case grows (measured on real faces); or the examiner's own. */
const GROUP_FMR = [
  { value: 'auto', label: 'Set by the size of the case (recommended)' },
  ...FMR_CHOICES.filter((c) => c.fmr !== null).map((c) => ({ value: c.value, label: c.label })),
];

type Open = { kind: 'name'; person: Person } | { kind: 'merge'; person: Person } | null;

/**
 * The case's faces grouped into putative persons: the model's suggestion, which the
 * examiner corrects by naming, merging, splitting and moving faces, each edit recorded and
 * undoable. Faces are selected by clicking their crops.
 */
export function PersonsScreen() {
  const user = useUser();
  const { loaded, setLoaded } = useLoad('persons.view', {});
  const edit = useAction();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [moveTo, setMoveTo] = useState('');
  const canEdit = may(user.role, 'persons.merge');

  const show = (view: PersonsView, message: string | null) => {
    setLoaded({ state: 'ready', value: view });
    setSelected(new Set());
    setOpen(null);
    setNotice(message);
  };

  const toggle = (faceId: number) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(faceId)) next.delete(faceId);
      else next.add(faceId);
      return next;
    });

  if (loaded.state !== 'ready') {
    return (
      <Page title="Persons">
        <LoadStatus loaded={loaded} loading="Loading the grouping…" />
      </Page>
    );
  }
  const view = loaded.value;
  const names = new Map(view.persons.map((p) => [p.id, groupName(p)]));
  const group = selectionGroup(view, selected);

  const move = async () => {
    const to = moveTo === 'unassigned' ? null : Number(moveTo);
    const where = to === null ? 'unassigned' : (names.get(to) ?? `group ${to}`);
    let last: PersonsView | null = null;
    let moved = 0;
    // One recorded edit per face, as the channel takes them; stop at the first refusal, whose reason stays in the alert.
    for (const faceId of selected) {
      const r = await edit.run('persons.moveFace', { faceId, to });
      if (!r) break;
      last = r;
      moved++;
    }
    if (!last) return;
    if (moved === selected.size) show(last, `${moved === 1 ? 'The face was' : `${moved} faces were`} moved to ${where}.`);
    else show(last, `Only ${moved} of the ${selected.size} selected faces were moved to ${where}; the rest were not moved.`);
  };

  const split = async () => {
    if (group === null || group === 'unassigned' || group === 'mixed') return;
    const r = await edit.run('persons.split', { personId: group, faceIds: [...selected] });
    if (r) show(r, `${selected.size} faces were split off ${names.get(group) ?? `group ${group}`} into a new group.`);
  };

  return (
    <Page
      title="Persons"
      actions={
        canEdit && view.canUndo ? (
          <button
            type="button"
            className="btn"
            aria-disabled={edit.busy}
            onClick={() => !edit.busy && void edit.run('persons.undo', {}).then((r) => r && show(r, 'The last edit was undone.'))}
          >
            Undo last edit
          </button>
        ) : null
      }
    >
      <section className="caveat" aria-label="What the groups are">
        <p>{view.caveat}</p>
      </section>
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      <Alert message={edit.alert} />
      {canEdit ? <GroupForm hasGrouping={view.groupedAt !== null} onGrouped={(v) => show(v, `Faces were grouped into ${v.persons.length} groups; ${v.unassigned.length} faces are unassigned.`)} /> : null}
      {view.groupedAt ? (
        <p className="muted">
          Grouped <span className="num">{formatTime(view.groupedAt)} UTC</span>
          {view.threshold ? (
            <>
              {' '}
              at score ≥ <span className="num">{view.threshold.score.toFixed(3)}</span>
              {view.threshold.fmr !== null ? ` (false match rate ${formatOneIn(view.threshold.fmr)}${view.threshold.rule === 'case size' ? ', set by the size of the case' : ''})` : ''}
              {view.threshold.pairScore !== null ? (
                <>
                  , two lone faces at ≥ <span className="num">{view.threshold.pairScore.toFixed(3)}</span>
                </>
              ) : null}
              {view.threshold.limitedByCalibration ? ' (a finer rate than the calibration measured was raised to the finest it did)' : ''}
            </>
          ) : null}
          : {view.persons.length} groups, {view.unassigned.length} unassigned faces.
        </p>
      ) : (
        <p className="empty">The faces of this case have not been grouped yet.</p>
      )}
      {canEdit && selected.size > 0 ? (
        <div className="toolbar toolbar-bar selection-bar" role="region" aria-label="Selected faces">
          <strong className="num">
            {selected.size} {selected.size === 1 ? 'face' : 'faces'} selected
          </strong>
          <label htmlFor="move-to">Move to</label>
          <select id="move-to" className="inline-select" value={moveTo} onChange={(e) => setMoveTo(e.target.value)}>
            <option value="" disabled>
              Choose…
            </option>
            {view.persons.map((p) => (
              <option key={p.id} value={p.id}>
                {names.get(p.id)}
              </option>
            ))}
            <option value="unassigned">Unassigned</option>
          </select>
          <button type="button" className="btn small" aria-disabled={!moveTo || edit.busy} onClick={() => moveTo && !edit.busy && void move()}>
            Move
          </button>
          <button
            type="button"
            className="btn small"
            aria-disabled={typeof group !== 'number' || edit.busy}
            title={typeof group === 'number' ? undefined : 'Select faces of one group to split them off'}
            onClick={() => !edit.busy && void split()}
          >
            Split into a new group
          </button>
          <button type="button" className="btn small quiet-light" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      ) : null}
      <ol className="persons">
        {view.persons.map((p) => (
          <PersonRow key={p.id} person={p} name={names.get(p.id) ?? ''} view={view} names={names} selected={selected} onToggle={toggle} canEdit={canEdit} onOpen={setOpen} />
        ))}
      </ol>
      {view.groupedAt ? (
        <section className="panel section-gap" aria-labelledby="unassigned-title">
          <h2 id="unassigned-title">Unassigned ({view.unassigned.length})</h2>
          <p className="muted">Faces the grouping could not place with confidence, or moved out of a group.</p>
          <FaceRow faceIds={view.unassigned} selected={selected} onToggle={toggle} canEdit={canEdit} groupLabel="Unassigned" />
        </section>
      ) : null}
      {open?.kind === 'name' ? <NameDialog person={open.person} name={names.get(open.person.id) ?? ''} onClose={() => setOpen(null)} onDone={(v) => show(v, 'The group was renamed.')} /> : null}
      {open?.kind === 'merge' ? (
        <MergeDialog person={open.person} view={view} names={names} onClose={() => setOpen(null)} onDone={(v, from) => show(v, `${from} was merged into ${names.get(open.person.id) ?? ''}.`)} />
      ) : null}
    </Page>
  );
}

function GroupForm({ hasGrouping, onGrouped }: { hasGrouping: boolean; onGrouped(v: PersonsView): void }) {
  const form = useChannelForm('persons.group', 'group');
  const [fmr, setFmr] = useState('auto');
  return (
    <section className="panel" aria-labelledby="group-title">
      <h2 id="group-title">Group faces</h2>
      <Form className="form form-inline" onSubmit={() => void form.submit(fmr === 'auto' ? {} : { maxFmr: Number(fmr) }).then((v) => v && onGrouped(v))}>
        <Alert message={form.alert} />
        <SelectField
          id={form.fieldId('maxFmr')}
          label="Link faces at a false match rate of"
          value={fmr}
          onChange={setFmr}
          choices={GROUP_FMR}
          error={form.errors.maxFmr}
          hint={hasGrouping ? 'Grouping again replaces the current groups and every edit made to them.' : 'Two faces join one group only when they score at least this alike.'}
        />
        <FormActions busy={form.busy} label={hasGrouping ? 'Group faces again' : 'Group faces'} busyLabel="Grouping…" />
      </Form>
    </section>
  );
}

function PersonRow({
  person,
  name,
  view,
  names,
  selected,
  onToggle,
  canEdit,
  onOpen,
}: {
  person: Person;
  name: string;
  view: PersonsView;
  names: Map<number, string>;
  selected: Set<number>;
  onToggle(faceId: number): void;
  canEdit: boolean;
  onOpen(o: Open): void;
}) {
  const withOthers = view.together.filter((t) => t.a === person.id || t.b === person.id);
  const titleId = `person-${person.id}`;
  return (
    <li className="panel person" aria-labelledby={titleId}>
      <div className="panel-head">
        <h2 id={titleId} className="person-title">
          <FaceImage faceId={person.coverFaceId} alt="" size="s" />
          <span>{name}</span>
          <span className="muted num small-text">
            {person.faceIds.length} {person.faceIds.length === 1 ? 'face' : 'faces'}, {person.trackIds.length} {person.trackIds.length === 1 ? 'track' : 'tracks'}, {person.exhibitIds.length}{' '}
            {person.exhibitIds.length === 1 ? 'exhibit' : 'exhibits'}
          </span>
        </h2>
        {canEdit ? (
          <div className="toolbar">
            <button type="button" className="btn small" aria-label={`Name ${name}`} onClick={() => onOpen({ kind: 'name', person })}>
              Name…
            </button>
            <button type="button" className="btn small" aria-label={`Merge another group into ${name}`} onClick={() => onOpen({ kind: 'merge', person })}>
              Merge…
            </button>
          </div>
        ) : null}
      </div>
      <FaceRow faceIds={person.faceIds} selected={selected} onToggle={onToggle} canEdit={canEdit} groupLabel={name} />
      {withOthers.length > 0 ? (
        <p className="small-text">
          <span className="muted">Appears with: </span>
          {withOthers.map((t, i) => {
            const other = t.a === person.id ? t.b : t.a;
            return (
              <span key={other}>
                {i > 0 ? ', ' : ''}
                {names.get(other) ?? `group ${other}`} ({t.count} {t.count === 1 ? 'time' : 'times'}, in{' '}
                {t.exhibits.map((e, j) => (
                  <span key={e}>
                    {j > 0 ? ', ' : ''}
                    <a href={`#/exhibit?id=${e}`}>exhibit {e}</a>
                  </span>
                ))}
                )
              </span>
            );
          })}
        </p>
      ) : null}
    </li>
  );
}

function FaceRow({ faceIds, selected, onToggle, canEdit, groupLabel }: { faceIds: number[]; selected: Set<number>; onToggle(faceId: number): void; canEdit: boolean; groupLabel: string }) {
  const [all, setAll] = useState(false);
  const shown = all ? faceIds : faceIds.slice(0, SHOWN);
  if (faceIds.length === 0) return <p className="muted">None.</p>;
  return (
    <>
      <ul className="face-strip" aria-label={`Faces of ${groupLabel}`}>
        {shown.map((id) => (
          <li key={id}>
            {canEdit ? (
              <button type="button" className="face-toggle" aria-pressed={selected.has(id)} aria-label={`Face ${id} of ${groupLabel}`} onClick={() => onToggle(id)}>
                <FaceImage faceId={id} alt="" size="s" />
              </button>
            ) : (
              <FaceImage faceId={id} alt={`Face ${id} of ${groupLabel}`} size="s" />
            )}
          </li>
        ))}
      </ul>
      {faceIds.length > SHOWN ? (
        <button type="button" className="btn small" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${faceIds.length}`}
        </button>
      ) : null}
    </>
  );
}

function NameDialog({ person, name, onClose, onDone }: { person: Person; name: string; onClose(): void; onDone(v: PersonsView): void }) {
  const form = useChannelForm('persons.name', 'name-person');
  const [value, setValue] = useState(person.name ?? '');
  return (
    <Dialog title={`Name ${name}`} onClose={onClose}>
      <Form onSubmit={() => void form.submit({ personId: person.id, name: value }).then((v) => v && onDone(v))}>
        <Alert message={form.alert} />
        <TextField id={form.fieldId('name')} label="Name" value={value} onChange={setValue} error={form.errors.name} hint="A name or a description, e.g. “Male, red jacket”. Empty removes the name." autoFocus maxLength={200} />
        <FormActions busy={form.busy} label="Save name" busyLabel="Saving…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}

function MergeDialog({ person, view, names, onClose, onDone }: { person: Person; view: PersonsView; names: Map<number, string>; onClose(): void; onDone(v: PersonsView, from: string): void }) {
  const form = useChannelForm('persons.merge', 'merge');
  const [from, setFrom] = useState('');
  const into = names.get(person.id) ?? '';
  const others = view.persons.filter((p) => p.id !== person.id);
  // Groups seen in one picture with this one are two people; main refuses them, so they are shown but not offered.
  const seenWith = new Set(view.together.filter((t) => t.a === person.id || t.b === person.id).map((t) => (t.a === person.id ? t.b : t.a)));
  return (
    <Dialog title={`Merge into ${into}`} onClose={onClose}>
      <Form
        onSubmit={() => {
          const id = Number(from);
          void form.submit({ into: person.id, from: id }, from ? {} : { from: 'Choose the group to merge in.' }).then((v) => v && onDone(v, names.get(id) ?? `group ${id}`));
        }}
      >
        <p>The faces of the chosen group join {into}. Groups seen in one image or frame together cannot be merged.</p>
        {others.every((p) => seenWith.has(p.id)) ? <Notice>Every other group is seen in a picture with {into}, so none can be merged into it.</Notice> : null}
        <Alert message={form.alert} />
        <SelectField
          id={form.fieldId('from')}
          label="Group to merge in"
          value={from}
          onChange={setFrom}
          placeholder="Choose a group"
          choices={others.map((p) => ({
            value: String(p.id),
            label: `${names.get(p.id) ?? ''} (${p.faceIds.length} faces)${seenWith.has(p.id) ? ': seen together, cannot be one person' : ''}`,
            disabled: seenWith.has(p.id),
          }))}
          error={form.errors.from}
          required
          autoFocus
        />
        <FormActions busy={form.busy} label="Merge" busyLabel="Merging…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}
