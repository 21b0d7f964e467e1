import { useState } from 'react';
import type { Watchlist, WatchlistEntry } from '../../shared';
import { may, useChannelForm, useLoad, useSession, useUser } from '../api';
import { exhibitName, FaceChooser, FaceImage, idParam, QualityBadge, useFace, type PickedFace } from '../faces';
import { Alert, Dialog, FieldNotes, Form, FormActions, formatTime, LoadStatus, Notice, Page, SelectField, TableHead, TextArea, TextField } from '../ui';

/**
 * Watch lists of the case: reference faces of people being looked for, each with where the
 * image came from, why the person is listed and until when. A face from any evidence view
 * arrives here as ?addExhibit=..&addFace=.. and opens the add dialog.
 */
export function WatchlistsScreen({ params }: { params: URLSearchParams }) {
  const { navigate } = useSession();
  const user = useUser();
  const [version, setVersion] = useState(0);
  const { loaded } = useLoad('watchlists.list', {}, String(version));
  const addExhibit = idParam(params, 'addExhibit');
  const addFace = idParam(params, 'addFace');
  const preset = useFace(addExhibit, addFace);
  const [notice, setNotice] = useState<string | null>(null);
  const lists = loaded.state === 'ready' ? loaded.value : [];
  const asked = idParam(params, 'id');
  const current = lists.find((w) => w.id === asked) ?? lists[0] ?? null;
  const keep = addFace !== null && addExhibit !== null ? `&addExhibit=${addExhibit}&addFace=${addFace}` : '';

  return (
    <Page title="Watch lists">
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      {loaded.state === 'failed' ? <Alert message={loaded.message} /> : null}
      {preset?.state === 'failed' ? <Alert message={preset.message} /> : null}
      {preset?.state === 'ready' && loaded.state === 'ready' && lists.length === 0 ? <Notice>Create a watch list first; the face you chose is then offered for it.</Notice> : null}
      <div className="columns columns-wide-right">
        <div className="stack">
          <section className="panel" aria-labelledby="lists-title">
            <h2 id="lists-title">Lists</h2>
            {loaded.state === 'loading' ? <p className="muted">Loading watch lists…</p> : null}
            {loaded.state === 'ready' && lists.length === 0 ? <p className="muted">No watch lists in this case.</p> : null}
            {lists.length > 0 ? (
              <ul className="list-nav">
                {lists.map((w) => (
                  <li key={w.id}>
                    <a href={`#/watchlists?id=${w.id}${keep}`} aria-current={current?.id === w.id ? 'true' : undefined}>
                      <span>{w.name}</span>
                      <span className="num muted">
                        {w.entries} {w.entries === 1 ? 'entry' : 'entries'}
                      </span>
                    </a>
                  </li>
                ))}
              </ul>
            ) : null}
          </section>
          {may(user.role, 'watchlists.create') ? (
            <CreateList
              onCreated={(w) => {
                setNotice(`Watch list “${w.name}” was created.`);
                setVersion((v) => v + 1);
                navigate(`/watchlists?id=${w.id}${keep}`);
              }}
            />
          ) : null}
        </div>
        {current ? (
          <ListView
            key={current.id}
            list={current}
            lists={lists}
            preset={preset?.state === 'ready' ? preset.value : null}
            onChanged={(message) => {
              setNotice(message);
              setVersion((v) => v + 1);
            }}
            onPresetUsed={() => navigate(`/watchlists?id=${current.id}`)}
          />
        ) : null}
      </div>
    </Page>
  );
}

function CreateList({ onCreated }: { onCreated(w: Watchlist): void }) {
  const form = useChannelForm('watchlists.create', 'new-list');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <section className="panel" aria-labelledby="new-list-title">
      <h2 id="new-list-title">New watch list</h2>
      <Form
        onSubmit={() => {
          void form.submit({ name, description }).then((w) => {
            if (!w) return;
            setName('');
            setDescription('');
            onCreated(w);
          });
        }}
      >
        <Alert message={form.alert} />
        <TextField id={form.fieldId('name')} label="Name" value={name} onChange={setName} error={form.errors.name} required maxLength={200} />
        <TextArea id={form.fieldId('description')} label="Description" value={description} onChange={setDescription} error={form.errors.description} hint="What the list is for and on whose authority (at least 10 characters)." required maxLength={2000} />
        <FormActions busy={form.busy} label="Create watch list" busyLabel="Creating…" />
      </Form>
    </section>
  );
}

function ListView({
  list,
  lists,
  preset,
  onChanged,
  onPresetUsed,
}: {
  list: Watchlist;
  lists: Watchlist[];
  preset: PickedFace | null;
  onChanged(message: string): void;
  onPresetUsed(): void;
}) {
  const user = useUser();
  const [version, setVersion] = useState(0);
  const { loaded } = useLoad('watchlists.entries', { watchlistId: list.id }, `${list.id}:${version}`);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<WatchlistEntry | null>(null);
  const canEdit = may(user.role, 'watchlists.addEntry');
  const open = adding || (preset !== null && canEdit);

  const closeAdd = () => {
    setAdding(false);
    if (preset) onPresetUsed();
  };

  return (
    <section className="panel" aria-labelledby="list-title">
      <div className="panel-head">
        <h2 id="list-title">{list.name}</h2>
        {canEdit ? (
          <button type="button" className="btn small primary" onClick={() => setAdding(true)}>
            Add entry…
          </button>
        ) : null}
      </div>
      <p className="prose">{list.description}</p>
      <p className="muted small-text">
        Created <span className="num">{formatTime(list.createdAt)} UTC</span> by {list.createdBy}
      </p>
      <LoadStatus loaded={loaded} loading="Loading entries…" />
      {loaded.state === 'ready' && loaded.value.length === 0 ? <p className="empty">No entries yet.</p> : null}
      {loaded.state === 'ready' && loaded.value.length > 0 ? (
        <table className="grid">
          <caption className="visually-hidden">Entries of {list.name}</caption>
          <TableHead columns={['Face', 'Label', 'Source', 'Reason', 'Retain until', 'Added']} actions />
          <tbody>
            {loaded.value.map((e) => (
              <tr key={e.id}>
                <td>
                  <a href={`#/exhibit?id=${e.face.exhibitId}&face=${e.face.id}`} aria-label={`Reference face of ${e.label}`}>
                    <FaceImage faceId={e.face.id} alt="" size="m" />
                  </a>
                  <div>
                    <QualityBadge quality={e.face.quality} />
                  </div>
                </td>
                <th scope="row">{e.label}</th>
                <td className="prose">{e.source}</td>
                <td className="prose">{e.reason}</td>
                <td className="num">{e.retentionDate}</td>
                <td>
                  <span className="num">{formatTime(e.addedAt)} UTC</span>
                  <div>by {e.addedBy}</div>
                </td>
                <td className="actions">
                  {may(user.role, 'watchlists.removeEntry') ? (
                    <button type="button" className="btn small danger" aria-label={`Remove ${e.label} from ${list.name}`} onClick={() => setRemoving(e)}>
                      Remove…
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {open ? (
        <AddEntryDialog
          lists={lists}
          listId={list.id}
          preset={preset}
          onClose={closeAdd}
          onAdded={(entry, listName) => {
            closeAdd();
            setVersion((v) => v + 1);
            onChanged(`${entry.label} was added to ${listName}.`);
          }}
        />
      ) : null}
      {removing ? (
        <RemoveEntryDialog
          entry={removing}
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            setRemoving(null);
            setVersion((v) => v + 1);
            onChanged(`${removing.label} was removed from ${list.name}.`);
          }}
        />
      ) : null}
    </section>
  );
}

/** A reference face (chosen from the evidence, or imported as a reference image) and its provenance. */
function AddEntryDialog({ lists, listId, preset, onClose, onAdded }: { lists: Watchlist[]; listId: number; preset: PickedFace | null; onClose(): void; onAdded(e: WatchlistEntry, listName: string): void }) {
  const form = useChannelForm('watchlists.addEntry', 'add-entry');
  const [face, setFace] = useState<PickedFace | null>(preset);
  const [watchlistId, setWatchlistId] = useState(String(listId));
  const [label, setLabel] = useState('');
  const [source, setSource] = useState('');
  const [reason, setReason] = useState('');
  const [retentionDate, setRetentionDate] = useState('');

  return (
    <Dialog title="Add a watch-list entry" onClose={onClose} wide>
      {face ? (
        <div className="chosen-face" id={form.fieldId('faceId')} tabIndex={-1} aria-describedby={form.errors.faceId ? `${form.fieldId('faceId')}-error` : undefined}>
          <FaceImage faceId={face.face.id} alt={`Chosen reference: face ${face.number} of ${exhibitName(face.exhibit)}`} size="m" />
          <div>
            <p>
              Face {face.number} of {exhibitName(face.exhibit)} <QualityBadge quality={face.face.quality} />
            </p>
            {face.face.quality.insufficient ? <p className="field-error">This face is insufficient for comparison: {face.face.quality.reasons.join('; ')}.</p> : null}
            {/* Main's refusal of this face ("already on this list") is said beside it. */}
            <FieldNotes id={form.fieldId('faceId')} error={form.errors.faceId} />
            <button type="button" className="btn small" onClick={() => setFace(null)}>
              Choose another face
            </button>
          </div>
        </div>
      ) : (
        <div id={form.fieldId('faceId')} tabIndex={-1} aria-describedby={form.errors.faceId ? `${form.fieldId('faceId')}-error` : undefined}>
          <p>Choose the reference face: a new reference image, or a face already in the case.</p>
          <FieldNotes id={form.fieldId('faceId')} error={form.errors.faceId} />
          <FaceChooser idPrefix="entry-face" role="reference" onPick={setFace} />
        </div>
      )}
      <Form
        className="form section-gap"
        onSubmit={() => {
          const id = Number(watchlistId);
          void form.submit({ watchlistId: id, faceId: face?.face.id ?? 0, label, source, reason, retentionDate }, face ? {} : { faceId: 'Choose the reference face first.' }).then((entry) => {
            if (entry) onAdded(entry, lists.find((w) => w.id === id)?.name ?? 'the list');
          });
        }}
      >
        <Alert message={form.alert} />
        <SelectField id={form.fieldId('watchlistId')} label="Watch list" value={watchlistId} onChange={setWatchlistId} choices={lists.map((w) => ({ value: String(w.id), label: w.name }))} error={form.errors.watchlistId} required />
        <div className="field-row">
          <TextField id={form.fieldId('label')} label="Label" value={label} onChange={setLabel} error={form.errors.label} hint="The person's name, or a description." required maxLength={200} />
          <TextField id={form.fieldId('retentionDate')} label="Retain until" type="date" value={retentionDate} onChange={setRetentionDate} error={form.errors.retentionDate} required />
        </div>
        <TextArea id={form.fieldId('source')} label="Source of the image" value={source} onChange={setSource} error={form.errors.source} hint="Where the reference image came from, e.g. custody record number." required maxLength={1000} />
        <TextArea id={form.fieldId('reason')} label="Reason for listing" value={reason} onChange={setReason} error={form.errors.reason} hint="Why this person is on the list (at least 10 characters)." required maxLength={2000} />
        <FormActions busy={form.busy} label="Add entry" busyLabel="Adding…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}

function RemoveEntryDialog({ entry, onClose, onRemoved }: { entry: WatchlistEntry; onClose(): void; onRemoved(): void }) {
  const form = useChannelForm('watchlists.removeEntry', 'remove-entry');
  const [reason, setReason] = useState('');
  return (
    <Dialog title={`Remove ${entry.label}`} onClose={onClose}>
      <Form onSubmit={() => void form.submit({ entryId: entry.id, reason }).then((r) => r && onRemoved())}>
        <p>The entry leaves the list; the removal and its reason are recorded. The reference image stays an exhibit of the case.</p>
        <Alert message={form.alert} />
        <TextArea id={form.fieldId('reason')} label="Reason for removal" value={reason} onChange={setReason} error={form.errors.reason} required autoFocus maxLength={2000} />
        <FormActions busy={form.busy} label="Remove entry" busyLabel="Removing…" tone="danger" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}
