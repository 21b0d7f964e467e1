import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A screen: its heading, its actions and its content. The heading takes focus when the
 * screen opens (unless a field should), so keyboard and screen-reader users start there.
 */
export function Page({ title, actions, children, focusHeading = true }: { title: string; actions?: ReactNode; children: ReactNode; focusHeading?: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Loupe`;
  }, [title]);
  useEffect(() => {
    if (focusHeading) heading.current?.focus();
  }, [focusHeading]);
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {actions ? <div className="toolbar">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}

/** A failure the user should read now; absent when there is none. */
export function Alert({ message }: { message: string | null | undefined }) {
  return message ? (
    <div className="alert" role="alert">
      {message}
    </div>
  ) : null;
}

/** A quiet confirmation that something was done. */
export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'good' | 'bad' }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'bad' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A screen that cannot be shown: why, and a link to where the user can go on from. */
export function ProblemPage({ title, message, href, link }: { title: string; message: string; href: string; link: string }) {
  return (
    <Page title={title}>
      <Alert message={message} />
      <p>
        <a href={href}>{link}</a>
      </p>
    </Page>
  );
}

/** How a read from main is going: what is loading, or why it failed; nothing once it has arrived. */
export function LoadStatus({ loaded, loading }: { loaded: { state: 'loading' } | { state: 'ready' } | { state: 'failed'; message: string }; loading: string }) {
  if (loaded.state === 'failed') return <Alert message={loaded.message} />;
  return loaded.state === 'loading' ? <p className="muted">{loading}</p> : null;
}

/** The header of a table's last column, which holds each row's buttons: named for screen readers, blank on screen. */
function ActionsHeader() {
  return (
    <th scope="col">
      <span className="visually-hidden">Actions</span>
    </th>
  );
}

/** A column header: its label, and `right` for a column of numbers, aligned right. */
type Column = string | { label: string; right: true };

/** A table's row of column headers; `actions` adds the header of a last column that holds each row's buttons. */
export function TableHead({ columns, actions = false }: { columns: readonly Column[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((c) =>
          typeof c === 'string' ? (
            <th scope="col" key={c}>
              {c}
            </th>
          ) : (
            <th scope="col" key={c.label} className="right">
              {c.label}
            </th>
          ),
        )}
        {actions ? <ActionsHeader /> : null}
      </tr>
    </thead>
  );
}
