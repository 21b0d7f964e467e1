/**
 * The submit and cancel buttons of a dialog's form. The submit button is never disabled
 * (keyboard focus would be lost); aria-disabled says it is busy and the form ignores it.
 */
export function FormActions({ busy, label, busyLabel, tone = 'primary', onCancel }: { busy: boolean; label: string; busyLabel: string; tone?: 'primary' | 'danger'; onCancel(): void }) {
  return (
    <div className="form-actions">
      <button type="submit" className={`btn ${tone}`} aria-disabled={busy}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
