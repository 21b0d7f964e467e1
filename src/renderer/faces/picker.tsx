import { useEffect, useState } from 'react';
import { visibleText, type ExhibitDetails, type ExhibitSummary, type FaceSummary } from '../../shared';
import { invoke, may, useChannelForm, useLoad, useSession, useUser, type Loaded } from '../api';
import { Alert, Dialog, Form, FormActions, LoadStatus, Notice, PathsField, SelectField, TextField } from '../ui';
import { byQuality, faceNumbers } from './geometry';
import { FaceButton, faceWhere } from './view';

/** A face with the exhibit it was found in: what the search, compare and watch-list screens work on. */
export interface PickedFace {
  face: FaceSummary;
  exhibit: ExhibitSummary;
  /** "Face 3" within its exhibit. */
  number: number;
  /** The size of the recorded frame (video) or photo the face was found in, when known. */
  source: { width: number; height: number } | null;
}

function pickedFrom(details: ExhibitDetails, faceId: number): PickedFace | null {
  const face = details.faces.find((f) => f.id === faceId);
  return face ? picked(details, face) : null;
}

function picked(details: ExhibitDetails, face: FaceSummary): PickedFace {
  const frame = face.frameId === null ? null : details.frames.find((fr) => fr.id === face.frameId);
  const { width, height } = frame ?? details.exhibit;
  return { face, exhibit: details.exhibit, number: faceNumbers(details.faces).get(face.id) ?? 0, source: width && height ? { width, height } : null };
}

/** One face, named in a URL by its exhibit and its id; null when the URL names none. */
export function useFace(exhibitId: number | null, faceId: number | null): Loaded<PickedFace> | null {
  const { bridge } = useSession();
  const [loaded, setLoaded] = useState<Loaded<PickedFace>>({ state: 'loading' });
  useEffect(() => {
    if (exhibitId === null || faceId === null) return;
    let live = true;
    setLoaded({ state: 'loading' });
    void invoke(bridge, 'evidence.get', { exhibitId }).then((r) => {
      if (!live) return;
      if (!r.ok) return setLoaded({ state: 'failed', message: r.error.message });
      const picked = pickedFrom(r.value, faceId);
      setLoaded(picked ? { state: 'ready', value: picked } : { state: 'failed', message: `Exhibit ${exhibitId} has no face ${faceId}.` });
    });
    return () => {
      live = false;
    };
  }, [bridge, exhibitId, faceId]);
  return exhibitId === null || faceId === null ? null : loaded;
}

/** Reads a positive whole number from a URL parameter, or null. */
export function idParam(params: URLSearchParams, name: string): number | null {
  const v = Number(params.get(name));
  return Number.isSafeInteger(v) && v > 0 ? v : null;
}

/**
 * The case's analysed exhibits, to choose from in a list. Main gives at most 500 a request,
 * oldest first; `cut` says how many more there are, so a screen can say so rather than let
 * the missing ones seem absent.
 */
export function useExhibitChoices() {
  const { loaded } = useLoad('evidence.list', { status: 'done', offset: 0, limit: 500 });
  const cut = loaded.state === 'ready' ? loaded.value.total - loaded.value.exhibits.length : 0;
  return { loaded, cut };
}

export const exhibitName = (e: Pick<ExhibitSummary, 'exhibitRef' | 'fileName'>) => visibleText(e.exhibitRef ? `${e.exhibitRef} · ${e.fileName}` : e.fileName);

/** The faces of one exhibit, best first, each a button that picks it. */
function FaceChoices({ details, onPick }: { details: ExhibitDetails; onPick(p: PickedFace): void }) {
  const numbers = faceNumbers(details.faces);
  if (details.faces.length === 0) return <Notice>No face was found in {exhibitName(details.exhibit)}.</Notice>;
  return (
    <ul className="face-tiles" aria-label={`Faces in ${exhibitName(details.exhibit)}, best first`}>
      {byQuality(details.faces).map((f) => {
        const n = numbers.get(f.id) ?? 0;
        const where = faceWhere(f);
        return (
          <li key={f.id}>
            <FaceButton face={f} label={`Face ${n}`} onClick={() => onPick(picked(details, f))} extra={where ? <span className="muted small-text">{where}</span> : null} />
          </li>
        );
      })}
    </ul>
  );
}

function ExhibitFaces({ exhibitId, onPick }: { exhibitId: number; onPick(p: PickedFace): void }) {
  const { loaded } = useLoad('evidence.get', { exhibitId });
  if (loaded.state !== 'ready') return <LoadStatus loaded={loaded} loading="Loading faces…" />;
  return <FaceChoices details={loaded.value} onPick={onPick} />;
}

function FromEvidence({ idPrefix, onPick }: { idPrefix: string; onPick(p: PickedFace): void }) {
  const { loaded, cut } = useExhibitChoices();
  const [exhibitId, setExhibitId] = useState('');
  if (loaded.state !== 'ready') return <LoadStatus loaded={loaded} loading="Loading exhibits…" />;
  const withFaces = loaded.value.exhibits.filter((e) => e.faceCount > 0);
  if (withFaces.length === 0) return <p className="empty">No exhibit of this case has a face yet. Import evidence, or use a new image.</p>;
  return (
    <div className="stack">
      <SelectField
        id={`${idPrefix}-exhibit`}
        label="Exhibit"
        value={exhibitId}
        onChange={setExhibitId}
        placeholder="Choose an exhibit"
        choices={withFaces.map((e) => ({ value: String(e.id), label: `${exhibitName(e)} (${e.faceCount} ${e.faceCount === 1 ? 'face' : 'faces'})` }))}
        autoFocus
        hint={cut > 0 ? `The first ${loaded.value.exhibits.length} exhibits of the case are listed; ${cut} more are not. A face of any exhibit can also be used from that exhibit's page under Evidence.` : undefined}
      />
      {exhibitId ? <ExhibitFaces key={exhibitId} exhibitId={Number(exhibitId)} onPick={onPick} /> : null}
    </div>
  );
}

/** Imports one still image (a probe, or a watch-list reference) and offers its faces; one face is taken at once. */
function FromNewImage({ idPrefix, role, onPick }: { idPrefix: string; role: 'probe' | 'reference'; onPick(p: PickedFace): void }) {
  const { bridge } = useSession();
  const form = useChannelForm('evidence.importProbe', `${idPrefix}-image`);
  const [path, setPath] = useState('');
  const [exhibitRef, setExhibitRef] = useState('');
  const [details, setDetails] = useState<ExhibitDetails | null>(null);

  return (
    <div className="stack">
      <Form
        onSubmit={() => {
          setDetails(null);
          void form.submit({ path: path.trim(), role, ...(exhibitRef.trim() ? { exhibitRef: exhibitRef.trim() } : {}) }).then((d) => {
            if (!d) return;
            const only = d.faces.length === 1 ? pickedFrom(d, (d.faces[0] as FaceSummary).id) : null;
            if (only) onPick(only);
            else setDetails(d);
          });
        }}
      >
        <Alert message={form.alert} />
        <PathsField
          id={form.fieldId('path')}
          label={role === 'probe' ? 'Probe image file' : 'Reference image file'}
          value={path}
          onChange={setPath}
          multiple={false}
          kinds={['files']}
          choose={bridge.choosePaths?.bind(bridge)}
          pathForFile={bridge.pathForFile?.bind(bridge)}
          error={form.errors.path}
          hint="The full path of a still image on this computer or on mounted media. It is hashed and kept as an exhibit of the case, never changed."
          autoFocus
        />
        <TextField id={form.fieldId('exhibitRef')} label="Exhibit reference (optional)" value={exhibitRef} onChange={setExhibitRef} error={form.errors.exhibitRef} maxLength={64} />
        <FormActions busy={form.busy} label="Import image" busyLabel="Finding faces…" />
      </Form>
      {details ? (
        <>
          {details.faces.length > 1 ? <p>{details.faces.length} faces were found. Choose one:</p> : null}
          <FaceChoices details={details} onPick={onPick} />
        </>
      ) : null}
    </div>
  );
}

/** Choosing a face: from the case's evidence, or (for those who may import) from a new image. */
export function FaceChooser({ idPrefix, role, onPick }: { idPrefix: string; role: 'probe' | 'reference'; onPick(p: PickedFace): void }) {
  const user = useUser();
  const canImport = may(user.role, 'evidence.importProbe');
  const [mode, setMode] = useState<'evidence' | 'image'>(role === 'reference' && canImport ? 'image' : 'evidence');
  return (
    <div className="stack">
      {canImport ? (
        <div className="segmented" role="group" aria-label="Where the face comes from">
          <button type="button" className="btn" aria-pressed={mode === 'evidence'} onClick={() => setMode('evidence')}>
            From the evidence
          </button>
          <button type="button" className="btn" aria-pressed={mode === 'image'} onClick={() => setMode('image')}>
            {role === 'probe' ? 'New probe image' : 'New reference image'}
          </button>
        </div>
      ) : null}
      {mode === 'evidence' ? <FromEvidence idPrefix={idPrefix} onPick={onPick} /> : <FromNewImage idPrefix={idPrefix} role={role} onPick={onPick} />}
    </div>
  );
}

export function FacePickerDialog({ title, role, onPick, onClose }: { title: string; role: 'probe' | 'reference'; onPick(p: PickedFace): void; onClose(): void }) {
  return (
    <Dialog title={title} onClose={onClose} wide>
      <FaceChooser idPrefix="pick" role={role} onPick={onPick} />
      <div className="form-actions dialog-foot">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
