import { useState } from 'react';
import { Role, ROLE_DUTIES, ROLE_LABEL, type User, type UserAccount } from '../../shared';
import { confirmError, useAction, useChannelForm, useLoad, useUser } from '../api';
import { Alert, Form, FormActions, formatTime, LoadStatus, Notice, Page, SelectField, TableHead, TextField } from '../ui';

const ROLE_CHOICES = Role.options.map((r) => ({ value: r, label: ROLE_LABEL[r] }));

/** Supervisors only: the workstation's accounts. Users are disabled, never deleted, so the audit record keeps its names. */
export function UsersScreen() {
  const me = useUser();
  const { loaded, setLoaded, reload } = useLoad('users.list', {});
  const toggle = useAction();
  const [notice, setNotice] = useState<string | null>(null);

  const replace = (u: User | UserAccount) => {
    // From the list as it is when the answer comes, which a user added meanwhile may have changed.
    setLoaded((l) => (l.state === 'ready' ? { state: 'ready', value: l.value.map((x) => (x.username === u.username ? { ...x, ...u } : x)) } : l));
  };

  const setDisabled = async (u: User, disabled: boolean) => {
    setNotice(null);
    const updated = await toggle.run('users.setDisabled', { username: u.username, disabled });
    if (updated) {
      replace(updated);
      setNotice(`${updated.username} is ${updated.disabled ? 'disabled and can no longer sign in' : 'enabled again'}.`);
    }
  };

  const unlock = async (u: UserAccount) => {
    setNotice(null);
    const updated = await toggle.run('users.unlock', { username: u.username });
    if (updated) {
      replace(updated);
      setNotice(`${updated.username} is unlocked and may sign in again.`);
    }
  };

  return (
    <Page title="Users">
      <Alert message={toggle.alert} />
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      <div className="columns columns-wide-left">
        <section className="panel" aria-labelledby="user-list-title">
          <h2 id="user-list-title">Accounts</h2>
          <LoadStatus loaded={loaded} loading="Loading users…" />
          {loaded.state === 'ready' ? (
            <table className="grid">
              <TableHead columns={['User name', 'Display name', 'Role', 'Status', 'Created (UTC)', 'Created by']} actions />
              <tbody>
                {loaded.value.map((u) => (
                  <tr key={u.id} className={u.disabled ? 'row-muted' : undefined}>
                    <th scope="row" className="mono">
                      {u.username}
                    </th>
                    <td>{u.displayName}</td>
                    <td>{ROLE_LABEL[u.role]}</td>
                    <td>
                      <AccountStatus u={u} />
                    </td>
                    <td className="num">{formatTime(u.createdAt)}</td>
                    <td>{u.createdBy ?? <span className="muted">first run</span>}</td>
                    <td className="actions">
                      {u.lockedAt ? (
                        <button type="button" className="btn small" aria-label={`Unlock ${u.username}`} aria-disabled={toggle.busy} onClick={() => void unlock(u)}>
                          Unlock
                        </button>
                      ) : null}
                      {u.username === me.username ? null : (
                        <button
                          type="button"
                          className="btn small"
                          aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}
                          aria-disabled={toggle.busy}
                          onClick={() => void setDisabled(u, !u.disabled)}
                        >
                          {u.disabled ? 'Enable' : 'Disable'}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
        <AddUser
          onAdded={(u) => {
            setNotice(`${u.displayName} (${u.username}) was added as ${ROLE_LABEL[u.role].toLowerCase()}.`);
            reload();
          }}
        />
      </div>
    </Page>
  );
}

function AccountStatus({ u }: { u: UserAccount }) {
  if (u.disabled) return <span className="badge outcome-refused">Disabled</span>;
  if (u.lockedAt) {
    return (
      <>
        <span className="badge outcome-refused">Locked</span> <span className="muted">since {formatTime(u.lockedAt)} UTC</span>
      </>
    );
  }
  return <>Active{u.failedSignIns > 0 ? <span className="muted"> ({u.failedSignIns} wrong passwords)</span> : null}</>;
}

function AddUser({ onAdded }: { onAdded(user: User): void }) {
  const form = useChannelForm('users.add', 'add-user');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');

  return (
    <section className="panel" aria-labelledby="add-user-title">
      <h2 id="add-user-title">Add a user</h2>
      <Form
        onSubmit={() => {
          void form.submit({ username, displayName, role, password }, confirmError(password, confirm, 'passwords')).then((u) => {
            if (!u) return;
            setUsername('');
            setDisplayName('');
            setPassword('');
            setConfirm('');
            onAdded(u);
          });
        }}
      >
        <Alert message={form.alert} />
        <TextField id={form.fieldId('username')} label="User name" value={username} onChange={setUsername} error={form.errors.username} hint="Lower-case letters, digits, dot, dash and underscore." required />
        <TextField id={form.fieldId('displayName')} label="Display name" value={displayName} onChange={setDisplayName} error={form.errors.displayName} required />
        <SelectField id={form.fieldId('role')} label="Role" value={role} onChange={(v) => setRole(v as Role)} choices={ROLE_CHOICES} error={form.errors.role} hint={`${ROLE_LABEL[role]}: ${ROLE_DUTIES[role]}.`} required />
        <TextField id={form.fieldId('password')} label="Initial password" type="password" value={password} onChange={setPassword} error={form.errors.password} hint="At least 10 characters. The user can change it after signing in." required autoComplete="new-password" />
        <TextField id={form.fieldId('confirm')} label="Confirm password" type="password" value={confirm} onChange={setConfirm} error={form.errors.confirm} required autoComplete="new-password" />
        <FormActions busy={form.busy} label="Add user" busyLabel="Adding…" />
      </Form>
    </section>
  );
}
