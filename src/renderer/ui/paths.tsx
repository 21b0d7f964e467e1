import { useState, type DragEvent } from 'react';
import { described, FieldNotes } from './fields';

type PathKind = 'files' | 'folder';

/**
 * File and folder paths, typed or pasted (analysts also name mounted media this way), one a
 * line when several are allowed; on the desktop also from the native chooser and by dropping
 * files on the field. The chooser and the drop only exist where the bridge offers them.
 */
export function PathsField(p: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  multiple: boolean;
  kinds: readonly PathKind[];
  choose?: ((kind: PathKind) => Promise<string[]>) | undefined;
  pathForFile?: ((file: File) => string) | undefined;
  error?: string | undefined;
  hint?: string;
  autoFocus?: boolean;
}) {
  const [over, setOver] = useState(false);
  const add = (paths: string[]) => {
    const found = paths.filter((x) => x.trim() !== '');
    if (found.length === 0) return;
    if (!p.multiple) return p.onChange(found[0] ?? '');
    const existing = p.value.split('\n').filter((x) => x.trim() !== '');
    p.onChange([...existing, ...found.filter((x) => !existing.includes(x))].join('\n'));
  };
  const pathForFile = p.pathForFile;
  const drop = pathForFile
    ? {
        onDragOver: (e: DragEvent) => {
          e.preventDefault();
          setOver(true);
        },
        onDragLeave: () => setOver(false),
        onDrop: (e: DragEvent) => {
          e.preventDefault();
          setOver(false);
          add([...e.dataTransfer.files].map((f) => pathForFile(f)));
        },
      }
    : {};
  const common = { ...described(p), spellCheck: false };

  return (
    <div className={`field field-wide${over ? ' drop-over' : ''}`} {...drop}>
      <label htmlFor={p.id}>{p.label}</label>
      {p.multiple ? (
        <textarea {...common} className="mono" rows={3} value={p.value} onChange={(e) => p.onChange(e.target.value)} />
      ) : (
        <input {...common} className="mono" type="text" autoComplete="off" value={p.value} onChange={(e) => p.onChange(e.target.value)} />
      )}
      {p.choose || pathForFile ? (
        <div className="field-tools">
          {p.choose && p.kinds.map((kind) => (
            <button key={kind} type="button" className="btn small" onClick={() => void p.choose?.(kind).then(add)}>
              {kind === 'files' ? (p.multiple ? 'Choose files…' : 'Choose file…') : 'Choose folder…'}
            </button>
          ))}
          {pathForFile ? <span className="muted">or drop files here</span> : null}
        </div>
      ) : null}
      <FieldNotes id={p.id} hint={p.hint} error={p.error} />
    </div>
  );
}

/** The paths typed in a PathsField, one a line, blanks dropped. */
export const pathLines = (value: string): string[] =>
  value
    .split('\n')
    .map((x) => x.trim())
    .filter((x) => x !== '');
