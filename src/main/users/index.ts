import { LoupeError, type Role, type User, type UserAccount } from '../../shared';
import type { AuditEntry } from '../audit';
import { hashPassword, randomId, verifyPassword } from '../crypto';
import type { SignInFailures, WorkstationStore } from '../store';
import { LOCKED_MESSAGE, SIGN_IN_POLICY, waitSeconds } from './sign-in-policy';

export { SIGN_IN_POLICY } from './sign-in-policy';

const seconds = (n: number) => `${n} second${n === 1 ? '' : 's'}`;

/**
 * The local user registry. Passwords are kept only as argon2id hashes. Sign-in answers
 * the same way, and takes as long, whether the user name or the password was wrong, and
 * repeated wrong passwords are slowed down and locked per name (sign-in-policy).
 */
export class UserRegistry {
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly store: WorkstationStore,
    private readonly now: () => Date,
    /** Runs a write with its record on the workstation audit chain, in one transaction: locks and automatic releases are recorded there. */
    private readonly record: <T>(write: () => T, entry: () => AuditEntry) => T,
  ) {}

  isFirstRun(): boolean {
    return this.store.reads.userCount() === 0;
  }

  list(): UserAccount[] {
    const failures = new Map(this.store.reads.allSignInFailures().map((f) => [f.username, f]));
    return this.store.reads.users().map((u) => this.account(u, failures.get(u.username) ?? null));
  }

  get(username: string): User | null {
    const row = this.store.reads.userByName(username);
    if (!row) return null;
    const { passwordHash: _hash, ...user } = row;
    return user;
  }

  /** Each write that hashes a password resolves, after the slow hashing, to the write itself, for the caller to commit with its audit record. */
  async createFirstSupervisor(input: { username: string; displayName: string; password: string }): Promise<() => User> {
    const refuseIfUsers = () => {
      if (!this.isFirstRun()) throw new LoupeError('conflict', 'This workstation already has users; sign in as a supervisor to add more.');
    };
    refuseIfUsers();
    return this.insert({ ...input, role: 'supervisor' }, null, refuseIfUsers);
  }

  async add(input: { username: string; displayName: string; role: Role; password: string }, by: User): Promise<() => User> {
    const refuseIfTaken = () => {
      if (this.store.reads.userByName(input.username)) throw new LoupeError('conflict', `A user called ${input.username} already exists.`, 'username');
    };
    refuseIfTaken();
    return this.insert(input, by.username, refuseIfTaken);
  }

  async signIn(username: string, password: string): Promise<User> {
    const at = this.now();
    this.refuseIfWaitingOrLocked(username, at);
    // Counted before the slow check, so attempts made side by side meet the wait too; the right password clears it.
    const failures = this.store.writes.countSignInFailure(username, at.toISOString());
    const row = this.store.reads.userByName(username);
    if (row && (await verifyPassword(row.passwordHash, password))) {
      this.store.writes.clearSignInFailures(username);
      if (row.disabled) throw new LoupeError('forbidden', 'This account is disabled. Ask a supervisor.');
      return this.get(username) as User;
    }
    if (!row) {
      this.dummyHash ??= hashPassword('loupe-timing-equaliser');
      await verifyPassword(await this.dummyHash, password);
    }
    if (failures >= SIGN_IN_POLICY.lockAfter) {
      this.record(
        () => this.store.writes.lockSignIn(username, at.toISOString()),
        () => ({ user: null, action: 'users.locked', object: `user:${username}`, outcome: 'ok', details: { failures, policy: SIGN_IN_POLICY } }),
      );
      throw new LoupeError('too_many_attempts', LOCKED_MESSAGE);
    }
    const wait = waitSeconds(failures);
    throw new LoupeError('wrong_password', `User name or password is not right.${wait > 0 ? ` Wait ${seconds(wait)} before trying again.` : ''}`);
  }

  /** A supervisor ends a lock, or a wait, that wrong passwords put on a user. */
  unlock(username: string): { account: UserAccount; released: SignInFailures } {
    const user = this.get(username);
    if (!user) throw new LoupeError('not_found', `No user called ${username}.`, 'username');
    const released = this.store.reads.signInFailures(username);
    if (!released) throw new LoupeError('conflict', `${username} is not locked and has no wrong passwords counted.`, 'username');
    this.store.writes.clearSignInFailures(username);
    return { account: this.account(user, null), released };
  }

  private refuseIfWaitingOrLocked(username: string, at: Date): void {
    const f = this.store.reads.signInFailures(username);
    if (!f) return;
    if (f.lockedAt) {
      if (!this.releasesItself(username, f.lockedAt, at)) throw new LoupeError('too_many_attempts', LOCKED_MESSAGE);
      this.record(
        () => this.store.writes.clearSignInFailures(username),
        () => ({
          user: null,
          action: 'users.unlocked',
          object: `user:${username}`,
          outcome: 'ok',
          details: { automatic: true, lockedAt: f.lockedAt, failures: f.failures, reason: 'the only supervisor account: no other supervisor could unlock it' },
        }),
      );
      return;
    }
    const readyAt = Date.parse(f.lastFailureAt) + waitSeconds(f.failures) * 1000;
    if (at.getTime() < readyAt) {
      throw new LoupeError('too_many_attempts', `Too many wrong passwords: wait ${seconds(Math.ceil((readyAt - at.getTime()) / 1000))} before trying again.`);
    }
  }

  /** Only a supervisor account that no other active, unlocked supervisor could unlock releases itself, after an hour. */
  private releasesItself(username: string, lockedAt: string, at: Date): boolean {
    const user = this.get(username);
    if (!user || user.role !== 'supervisor' || user.disabled) return false;
    if (at.getTime() < Date.parse(lockedAt) + SIGN_IN_POLICY.soleSupervisorReleaseMinutes * 60_000) return false;
    const locked = new Set(this.store.reads.allSignInFailures().flatMap((f) => (f.lockedAt ? [f.username] : [])));
    return !this.store.reads.users().some((u) => u.role === 'supervisor' && !u.disabled && u.username !== username && !locked.has(u.username));
  }

  private account(user: User, failures: SignInFailures | null): UserAccount {
    return { ...user, failedSignIns: failures?.failures ?? 0, lockedAt: failures?.lockedAt ?? null };
  }

  setDisabled(username: string, disabled: boolean, by: User): User {
    const target = this.get(username);
    if (!target) throw new LoupeError('not_found', `No user called ${username}.`, 'username');
    if (disabled && username === by.username) throw new LoupeError('conflict', 'You cannot disable your own account.', 'username');
    if (disabled && target.role === 'supervisor' && this.list().filter((u) => u.role === 'supervisor' && !u.disabled).length === 1) {
      throw new LoupeError('conflict', 'This is the last active supervisor; add another supervisor first.', 'username');
    }
    this.store.writes.setUserDisabled(username, disabled);
    return this.get(username) as User;
  }

  async changePassword(user: User, current: string, next: string): Promise<() => void> {
    const row = this.store.reads.userByName(user.username);
    if (!row || !(await verifyPassword(row.passwordHash, current))) throw new LoupeError('wrong_password', 'The current password is not right; nothing was changed.', 'current');
    const passwordHash = await hashPassword(next);
    return () => this.store.writes.setPasswordHash(user.username, passwordHash);
  }

  /** `recheck` runs again after the slow hashing, when another call may have added a user meanwhile. */
  private async insert(input: { username: string; displayName: string; role: Role; password: string }, createdBy: string | null, recheck: () => void): Promise<() => User> {
    const passwordHash = await hashPassword(input.password);
    return () => {
      recheck();
      this.store.writes.insertUser({ id: randomId(), username: input.username, displayName: input.displayName, role: input.role, passwordHash, createdAt: this.now().toISOString(), createdBy });
      return this.get(input.username) as User;
    };
  }
}
