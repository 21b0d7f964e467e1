import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ROLE_LABEL, type LoupeBridge, type SessionStatus, type User } from '../../shared';
import { invoke, SessionContext, useAction, useSession, type Session } from '../api';
import { SetupScreen } from '../setup';
import { SignInScreen } from '../sign-in';
import { Alert, ChangeSecretDialog, Notice, Page, ProblemPage } from '../ui';
import { HOME, parseHash, type Route } from './route';
import { SCREENS, type Screen } from './screens';

export function App({ bridge }: { bridge: LoupeBridge | undefined }) {
  if (!bridge) {
    return (
      <main className="main">
        <Page title="Loupe cannot start">
          <Alert message="This page has no connection to the Loupe workstation. Start Loupe from its desktop shortcut rather than opening the page in a browser." />
        </Page>
      </main>
    );
  }
  return <Workstation bridge={bridge} />;
}

function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return useMemo(() => parseHash(hash), [hash]);
}

function Workstation({ bridge }: { bridge: LoupeBridge }) {
  const [status, setStatus] = useState<SessionStatus | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const latest = useRef(0);
  const route = useRoute();

  const refresh = useCallback(() => {
    const ticket = ++latest.current;
    void invoke(bridge, 'session.status', {}).then((r) => {
      // An older answer must not overwrite a newer one.
      if (ticket !== latest.current) return;
      if (r.ok) {
        setStatus(r.value);
        setFailure(null);
      } else {
        setFailure(r.error.message);
      }
    });
  }, [bridge]);

  useEffect(() => {
    refresh();
    return bridge.onEvent((e) => {
      if (e.type === 'session.changed') refresh();
    });
  }, [bridge, refresh]);

  const navigate = useCallback((path: string) => {
    window.location.hash = path;
  }, []);

  const session = useMemo<Session | null>(() => (status ? { bridge, status, refresh, navigate } : null), [bridge, status, refresh, navigate]);

  if (!session) {
    return (
      <>
        <header className="app-header">
          <span className="brand">Loupe</span>
        </header>
        <main className="main">
          {failure ? (
            <Page title="Loupe cannot reach the workstation">
              <Alert message={failure} />
              <button type="button" className="btn" onClick={refresh}>
                Try again
              </button>
            </Page>
          ) : (
            <p className="muted" role="status">
              Connecting to the workstation…
            </p>
          )}
        </main>
      </>
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <SkipLink />
      {session.status.user ? <SignedIn user={session.status.user} route={route} /> : <SignedOut firstRun={session.status.firstRun} />}
    </SessionContext.Provider>
  );
}

/** Keyboard users jump past the header; a plain #main link would be read as a route. */
function SkipLink() {
  return (
    <a
      className="skip-link"
      href="#main"
      onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}
    >
      Skip to content
    </a>
  );
}

function SignedOut({ firstRun }: { firstRun: boolean }) {
  return (
    <>
      <header className="app-header">
        <span className="brand">Loupe</span>
      </header>
      <main className="main main-auth" id="main" tabIndex={-1}>
        {firstRun ? <SetupScreen /> : <SignInScreen />}
      </main>
    </>
  );
}

function SignedIn({ user, route }: { user: User; route: Route }) {
  const { status } = useSession();
  const screen = SCREENS.find((s) => s.path === route.path);
  const blocked = screen ? screen.blocked(user, status) : null;

  return (
    <>
      <Header user={user} route={route} />
      <main className="main" id="main" tabIndex={-1}>
        {!screen ? (
          <Page title="Not found">
            <p className="empty">
              There is no screen at {route.path}. <a href={`#${HOME}`}>Go to the case list</a>.
            </p>
          </Page>
        ) : blocked ? (
          <ProblemPage title={screen.label} message={blocked} href={`#${HOME}`} link="Go to the case list" />
        ) : (
          // Keyed by path so a screen's state starts afresh each time it is opened.
          <div key={screen.path}>{screen.render(route)}</div>
        )}
      </main>
    </>
  );
}

function Header({ user, route }: { user: User; route: Route }) {
  const { status, navigate } = useSession();
  const signOut = useAction();
  const [changing, setChanging] = useState(false);
  const [changed, setChanged] = useState(false);
  const here = SCREENS.find((s) => s.path === route.path);
  const current = (path: string) => route.path === path || here?.under === path;
  const bar = (which: 'main' | 'case') => SCREENS.filter((s) => s.nav === which && s.blocked(user, status) === null);
  const links = (screens: readonly Screen[]) => (
    <ul>
      {screens.map((s) => (
        <li key={s.path}>
          <a href={`#${s.path}`} aria-current={current(s.path) ? 'page' : undefined}>
            {s.label}
          </a>
        </li>
      ))}
    </ul>
  );

  return (
    <>
      <header className="app-header">
        <span className="brand">Loupe</span>
        <nav aria-label="Main">{links(bar('main'))}</nav>
        <div className="session">
          {status.openCase ? (
            <a className="case-chip" href="#/case" title={status.openCase.title ?? undefined}>
              <span className="chip-label">Open case</span> {status.openCase.reference}
            </a>
          ) : (
            <span className="muted">No case open</span>
          )}
          <span className="who">
            <span className="visually-hidden">Signed in as </span>
            <span className="who-name">
              {user.displayName} ({user.username})
            </span>
            <span className="role">{ROLE_LABEL[user.role]}</span>
          </span>
          <button type="button" className="btn small quiet" onClick={() => setChanging(true)}>
            Change password…
          </button>
          <button
            type="button"
            className="btn small"
            aria-disabled={signOut.busy}
            onClick={() =>
              void signOut.run('session.signOut', {}).then((done) => {
                if (done) navigate(HOME);
              })
            }
          >
            Sign out
          </button>
        </div>
      </header>
      {status.openCase ? (
        <nav className="case-nav" aria-label="Case">
          <span className="case-nav-ref mono" title={status.openCase.title ?? undefined}>
            {status.openCase.reference}
          </span>
          {links(bar('case'))}
        </nav>
      ) : null}
      {signOut.alert || changed ? (
        <div className="header-messages">
          <Alert message={signOut.alert} />
          {changed ? <Notice tone="good">Your password was changed.</Notice> : null}
        </div>
      ) : null}
      {/* The sign-in password; case passphrases are separate and change on the case. */}
      {changing ? (
        <ChangeSecretDialog
          channel="users.changePassword"
          formId="account-password"
          secret="password"
          title="Change your password"
          hint="At least 10 characters."
          onClose={() => setChanging(false)}
          onDone={() => {
            setChanging(false);
            setChanged(true);
          }}
        />
      ) : null}
    </>
  );
}
