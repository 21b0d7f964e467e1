import type { ChangeEvent, ReactNode } from 'react';

interface FieldBase {
  id: string;
  label: string;
  /** Shown beside the field, and announced with it, when the field is at fault. */
  error?: string | undefined;
  hint?: ReactNode;
  required?: boolean;
  autoFocus?: boolean;
}

/**
 * The attributes that tie a control to its hint and error (see FieldNotes), so each is read
 * out with it; data-autofocus lets a dialog focus it after opening.
 */
export function described(p: Pick<FieldBase, 'id' | 'error' | 'hint' | 'required' | 'autoFocus'>) {
  const ids = [p.hint ? `${p.id}-hint` : null, p.error ? `${p.id}-error` : null].filter(Boolean).join(' ');
  return { id: p.id, 'aria-describedby': ids || undefined, 'aria-invalid': p.error ? true : undefined, required: p.required, autoFocus: p.autoFocus, 'data-autofocus': p.autoFocus || undefined };
}

/** The hint and the error below a control, with the ids `described` points at. */
export function FieldNotes({ id, hint, error }: { id: string; hint?: ReactNode; error?: string | undefined }) {
  return (
    <>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </>
  );
}

function Frame({ p, children, wide }: { p: FieldBase; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? 'field field-wide' : 'field'}>
      <label htmlFor={p.id}>{p.label}</label>
      {children}
      <FieldNotes id={p.id} hint={p.hint} error={p.error} />
    </div>
  );
}

interface TextFieldProps extends FieldBase {
  value: string;
  onChange(value: string): void;
  type?: 'text' | 'password' | 'date' | 'datetime-local';
  autoComplete?: string;
  maxLength?: number;
}

export function TextField(p: TextFieldProps) {
  return (
    <Frame p={p}>
      <input
        {...described(p)}
        type={p.type ?? 'text'}
        value={p.value}
        autoComplete={p.autoComplete ?? 'off'}
        maxLength={p.maxLength}
        spellCheck={false}
        onChange={(e: ChangeEvent<HTMLInputElement>) => p.onChange(e.target.value)}
      />
    </Frame>
  );
}

export function NumberField(p: FieldBase & { value: string; onChange(value: string): void; min?: number; max?: number; step?: number | 'any' }) {
  return (
    <Frame p={p}>
      <input {...described(p)} type="number" inputMode="decimal" value={p.value} min={p.min} max={p.max} step={p.step} onChange={(e) => p.onChange(e.target.value)} />
    </Frame>
  );
}

/** A checkbox with its label beside it; the error and hint sit below as for other fields. */
export function CheckboxField(p: Omit<FieldBase, 'required'> & { checked: boolean; onChange(checked: boolean): void }) {
  return (
    <div className="field field-check">
      <label htmlFor={p.id}>
        <input {...described(p)} type="checkbox" checked={p.checked} onChange={(e) => p.onChange(e.target.checked)} />
        {p.label}
      </label>
      <FieldNotes id={p.id} hint={p.hint} error={p.error} />
    </div>
  );
}

export function TextArea(p: FieldBase & { value: string; onChange(value: string): void; rows?: number; maxLength?: number }) {
  return (
    <Frame p={p} wide>
      <textarea {...described(p)} value={p.value} rows={p.rows ?? 3} maxLength={p.maxLength} onChange={(e) => p.onChange(e.target.value)} />
    </Frame>
  );
}

interface Choice {
  value: string;
  label: string;
  /** Shown but not choosable; the label should say why. */
  disabled?: boolean;
}

export function SelectField(p: FieldBase & { value: string; onChange(value: string): void; choices: readonly Choice[]; placeholder?: string }) {
  return (
    <Frame p={p}>
      <select {...described(p)} value={p.value} onChange={(e) => p.onChange(e.target.value)}>
        {p.placeholder !== undefined ? (
          <option value="" disabled>
            {p.placeholder}
          </option>
        ) : null}
        {p.choices.map((c) => (
          <option key={c.value} value={c.value} disabled={c.disabled}>
            {c.label}
          </option>
        ))}
      </select>
    </Frame>
  );
}
