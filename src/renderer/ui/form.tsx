import type { ReactNode } from 'react';

/**
 * A form checked against its channel's schema (useChannelForm) rather than by the browser,
 * whose own messages would not say what main expects. Enter or the submit button calls onSubmit.
 */
export function Form({ onSubmit, className = 'form', labelledBy, children }: { onSubmit(): void; className?: string; labelledBy?: string; children: ReactNode }) {
  return (
    <form
      className={className}
      noValidate
      aria-labelledby={labelledBy}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/**
 * The submit button of a form, and Cancel where the form sits in a dialog. The submit button
 * is never disabled (keyboard focus would be lost); aria-disabled says it is busy and
 * useChannelForm ignores a second submit while the first runs.
 */
export function FormActions({ busy, label, busyLabel, tone = 'primary', onCancel }: { busy: boolean; label: string; busyLabel: string; tone?: 'primary' | 'danger'; onCancel?: () => void }) {
  return (
    <div className="form-actions">
      <button type="submit" className={`btn ${tone}`} aria-disabled={busy}>
        {busy ? busyLabel : label}
      </button>
      {onCancel ? (
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
    </div>
  );
}
