import { LoupeError, type Role, type User } from '../../shared';
import { hashPassword, randomId, verifyPassword } from '../crypto';
import type { WorkstationStore } from '../store';

/**
 * The local user registry. Passwords are kept only as argon2id hashes. Sign-in answers
 * the same way, and takes as long, whether the user name or the password was wrong.
 */
export class UserRegistry {
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly store: WorkstationStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  isFirstRun(): boolean {
    return this.store.reads.userCount() === 0;
  }

  list(): User[] {
    return this.store.reads.users();
  }

  get(username: string): User | null {
    const row = this.store.reads.userByName(username);
    if (!row) return null;
    const { passwordHash: _hash, ...user } = row;
    return user;
  }

  async createFirstSupervisor(input: { username: string; displayName: string; password: string }): Promise<User> {
    const refuseIfUsers = () => {
      if (!this.isFirstRun()) throw new LoupeError('conflict', 'This workstation already has users; sign in as a supervisor to add more.');
    };
    refuseIfUsers();
    return this.insert({ ...input, role: 'supervisor' }, null, refuseIfUsers);
  }

  async add(input: { username: string; displayName: string; role: Role; password: string }, by: User): Promise<User> {
    const refuseIfTaken = () => {
      if (this.store.reads.userByName(input.username)) throw new LoupeError('conflict', `A user called ${input.username} already exists.`, 'username');
    };
    refuseIfTaken();
    return this.insert(input, by.username, refuseIfTaken);
  }

  async signIn(username: string, password: string): Promise<User> {
    const row = this.store.reads.userByName(username);
    if (!row) {
      this.dummyHash ??= hashPassword('loupe-timing-equaliser');
      await verifyPassword(await this.dummyHash, password);
      throw new LoupeError('wrong_password', 'User name or password is not right.');
    }
    if (!(await verifyPassword(row.passwordHash, password))) throw new LoupeError('wrong_password', 'User name or password is not right.');
    if (row.disabled) throw new LoupeError('forbidden', 'This account is disabled. Ask a supervisor.');
    return this.get(username) as User;
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

  async changePassword(user: User, current: string, next: string): Promise<void> {
    const row = this.store.reads.userByName(user.username);
    if (!row || !(await verifyPassword(row.passwordHash, current))) throw new LoupeError('wrong_password', 'The current password is not right; nothing was changed.', 'current');
    this.store.writes.setPasswordHash(user.username, await hashPassword(next));
  }

  /** `recheck` runs again after the slow hashing, when another call may have added a user meanwhile. */
  private async insert(input: { username: string; displayName: string; role: Role; password: string }, createdBy: string | null, recheck: () => void): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    recheck();
    this.store.writes.insertUser({ id: randomId(), username: input.username, displayName: input.displayName, role: input.role, passwordHash, createdAt: this.now().toISOString(), createdBy });
    return this.get(input.username) as User;
  }
}
