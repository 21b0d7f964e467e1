import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LoupeError } from '../../shared';
import { deriveKey, KDF, seal, unseal } from '../crypto';
import { writeFileAtomic } from './atomic-file';

/** Base64 that decodes to exactly (or at least) so many bytes. */
const b64 = (bytes: number, atLeast = false) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .refine((v) => (atLeast ? Buffer.from(v, 'base64').length >= bytes : Buffer.from(v, 'base64').length === bytes));
/**
 * Bounds on the stored argon2id cost: a damaged or hostile file must not make opening a
 * case allocate gigabytes or run for hours. 1 GiB and 20 passes are far above KDF.
 */
export const StoredKdf = z.object({
  algorithm: z.literal('argon2id'),
  memoryCost: z.number().int().min(8 * 1024).max(1024 * 1024),
  timeCost: z.number().int().min(1).max(20),
  parallelism: z.number().int().min(1).max(16),
  salt: b64(16, true),
});
const Slot = z.object({
  username: z.string(),
  addedAt: z.string(),
  addedBy: z.string(),
  kdf: StoredKdf,
  nonce: b64(12),
  wrappedKey: b64(32),
  tag: b64(16),
  /** SHA-256 over the slot's fields and the case id: tells a damaged slot from a wrong passphrase. Absent in slots written before it. */
  check: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
const KeyslotFile = z.object({ format: z.literal('loupe-keyslots/1'), caseId: z.string(), slots: z.array(Slot) });
export type KeyslotFile = z.infer<typeof KeyslotFile>;
export type Member = { username: string; addedAt: string; addedBy: string };

const aad = (caseId: string, username: string) => Buffer.from(`loupe-keyslot/1|${caseId}|${username}`);

type SlotFields = Omit<z.infer<typeof Slot>, 'check'>;

/**
 * A checksum, not a secret: AES-GCM fails alike for a wrong passphrase and for a changed
 * salt, nonce, wrapped key, tag or case id, so without it damage is blamed on the user.
 */
function slotCheck(caseId: string, s: SlotFields): string {
  const fields = [caseId, s.username, s.kdf.algorithm, s.kdf.memoryCost, s.kdf.timeCost, s.kdf.parallelism, s.kdf.salt, s.nonce, s.wrappedKey, s.tag];
  return createHash('sha256').update(`loupe-keyslot-check/1|${JSON.stringify(fields)}`).digest('hex');
}

async function makeSlot(caseId: string, dataKey: Buffer, username: string, passphrase: string, addedBy: string, now: string) {
  const salt = randomBytes(16);
  const kek = await deriveKey(passphrase, salt);
  const sealed = seal(kek, dataKey, aad(caseId, username));
  kek.fill(0);
  const fields: SlotFields = {
    username,
    addedAt: now,
    addedBy,
    kdf: { ...KDF, salt: salt.toString('base64') },
    nonce: sealed.nonce.toString('base64'),
    wrappedKey: sealed.ciphertext.toString('base64'),
    tag: sealed.tag.toString('base64'),
  };
  return Slot.parse({ ...fields, check: slotCheck(caseId, fields) });
}

function readKeyslotFile(file: string): KeyslotFile {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new LoupeError('not_found', `This case has no key slot file (${file}). Without it the case cannot be opened; restore the case folder from its backup.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new LoupeError('integrity', 'The key slot file of this case is damaged (not valid JSON). Restore the case folder from its backup.');
  }
  const result = KeyslotFile.safeParse(parsed);
  if (!result.success) {
    const where = result.error.issues[0]?.path.join('.') ?? '';
    throw new LoupeError('integrity', `The key slot file of this case is damaged (unexpected content${where ? ` at ${where}` : ''}). Restore the case folder from its backup.`);
  }
  return result.data;
}

/**
 * Key slots: the case's random data key, wrapped once per authorised user under a key
 * derived from that user's case passphrase (argon2id, then AES-256-GCM). The file holds
 * no secret in the clear: without a passphrase it is noise. Removing every slot makes
 * the case unreadable for good (crypto-erase).
 */
export class Keyslots {
  private constructor(
    private readonly file: string,
    private data: KeyslotFile,
  ) {}

  static async create(file: string, caseId: string, dataKey: Buffer, first: { username: string; passphrase: string; now: string }): Promise<Keyslots> {
    const slots = new Keyslots(file, { format: 'loupe-keyslots/1', caseId, slots: [await makeSlot(caseId, dataKey, first.username, first.passphrase, first.username, first.now)] });
    slots.save();
    return slots;
  }

  static read(file: string): Keyslots {
    return new Keyslots(file, readKeyslotFile(file));
  }

  get caseId(): string {
    return this.data.caseId;
  }

  members(): Member[] {
    return this.data.slots.map(({ username, addedAt, addedBy }) => ({ username, addedAt, addedBy }));
  }

  hasMember(username: string): boolean {
    return this.data.slots.some((s) => s.username === username);
  }

  /**
   * The data key, or a clear refusal: no slot for this user, a damaged slot (its check does
   * not match, so the passphrase is not even tried), or a wrong passphrase. A slot written
   * before checks existed gets its check once it has opened.
   */
  async unlock(username: string, passphrase: string): Promise<Buffer> {
    const slot = this.data.slots.find((s) => s.username === username);
    if (!slot) throw new LoupeError('forbidden', `User ${username} has not been given access to this case. Ask a supervisor to grant access.`);
    const check = slotCheck(this.data.caseId, slot);
    if (slot.check !== undefined && slot.check !== check) {
      throw new LoupeError(
        'integrity',
        `The key slot of ${username} in this case is damaged (its salt, key, tag or the case id in the key slot file was changed); your passphrase was not tried. Restore keyslots.json from the case's backup, or ask a supervisor who can open the case to remove your access and grant it again.`,
      );
    }
    const kek = await deriveKey(passphrase, Buffer.from(slot.kdf.salt, 'base64'), slot.kdf);
    const key = unseal(kek, { nonce: Buffer.from(slot.nonce, 'base64'), ciphertext: Buffer.from(slot.wrappedKey, 'base64'), tag: Buffer.from(slot.tag, 'base64') }, aad(this.data.caseId, username));
    kek.fill(0);
    if (!key) {
      const unchecked = slot.check === undefined ? ' (This key slot predates slot checks, so damage to it cannot be told apart from a wrong passphrase.)' : '';
      throw new LoupeError('wrong_passphrase', `That passphrase does not open this case. Check it and try again; nothing was changed.${unchecked}`, 'passphrase');
    }
    if (slot.check === undefined) this.update((slots) => slots.map((s) => (s.username === username && s.wrappedKey === slot.wrappedKey ? { ...s, check } : s)));
    return key;
  }

  async grant(dataKey: Buffer, username: string, passphrase: string, addedBy: string, now: string): Promise<void> {
    this.reload();
    if (this.hasMember(username)) throw new LoupeError('conflict', `${username} already has access to this case.`, 'username');
    const slot = await makeSlot(this.data.caseId, dataKey, username, passphrase, addedBy, now);
    this.update((slots) => {
      if (slots.some((s) => s.username === username)) throw new LoupeError('conflict', `${username} was given access to this case meanwhile.`, 'username');
      return [...slots, slot];
    });
  }

  revoke(username: string): void {
    this.update((slots) => {
      if (!slots.some((s) => s.username === username)) throw new LoupeError('not_found', `${username} has no access to this case.`, 'username');
      if (slots.length === 1) {
        throw new LoupeError('conflict', 'This is the last key slot of the case: removing it would destroy the case for good. Grant someone else access first.', 'username');
      }
      return slots.filter((s) => s.username !== username);
    });
  }

  async changePassphrase(username: string, current: string, next: string, now: string): Promise<void> {
    this.reload();
    const key = await this.unlock(username, current).catch((err: unknown) => {
      if (err instanceof LoupeError && err.code === 'wrong_passphrase') throw new LoupeError('wrong_passphrase', 'The current passphrase is not right; nothing was changed.', 'current');
      throw err;
    });
    try {
      const old = this.data.slots.find((s) => s.username === username);
      const slot = await makeSlot(this.data.caseId, key, username, next, old?.addedBy ?? username, now);
      // addedAt is outside the check, so the new slot keeps its first date with its own check.
      this.update((slots) => slots.map((s) => (s.username === username ? { ...slot, addedAt: s.addedAt } : s)));
    } finally {
      key.fill(0);
    }
  }

  /**
   * Changes start from the file as it is on disk: another Loupe process (the CLI beside
   * the desktop app) may have granted or changed a slot since this case was opened, and
   * writing back a stale copy would silently drop that slot. `update` re-reads and writes
   * with no await in between, so the slow key derivation happens outside that window.
   */
  private reload(): void {
    const fresh = readKeyslotFile(this.file);
    if (fresh.caseId !== this.data.caseId) throw new LoupeError('integrity', 'The key slot file of this case now names another case; nothing was changed. Close the case and check its folder.');
    this.data = fresh;
  }

  private update(change: (slots: KeyslotFile['slots']) => KeyslotFile['slots']): void {
    this.reload();
    this.data = { ...this.data, slots: change(this.data.slots) };
    this.save();
  }

  private save(): void {
    writeFileAtomic(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
  }
}
