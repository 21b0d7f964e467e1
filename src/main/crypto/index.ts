import { type Algorithm, hash as argonHash, hashRaw, verify as argonVerify } from '@node-rs/argon2';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** argon2id cost for key slots and sign-in passwords: 64 MiB and 3 passes, RFC 9106's second recommended setting (here with one lane). */
export const KDF = { algorithm: 'argon2id', memoryCost: 65536, timeCost: 3, parallelism: 1 } as const;
export type KdfParams = { algorithm: 'argon2id'; memoryCost: number; timeCost: number; parallelism: number };

// @node-rs/argon2 uses a const enum that isolatedModules cannot inline: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

export const randomKey = (): Buffer => randomBytes(32);
export const randomId = (bytes = 12): string => randomBytes(bytes).toString('base64url');

export async function deriveKey(secret: string, salt: Buffer, params: KdfParams = KDF): Promise<Buffer> {
  return hashRaw(secret.normalize('NFC'), {
    algorithm: ARGON2ID,
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
    outputLen: 32,
    salt,
  });
}

export async function hashPassword(password: string): Promise<string> {
  return argonHash(password.normalize('NFC'), { algorithm: ARGON2ID, memoryCost: KDF.memoryCost, timeCost: KDF.timeCost, parallelism: KDF.parallelism });
}

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await argonVerify(phc, password.normalize('NFC'));
  } catch {
    return false;
  }
}

export interface Sealed {
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** GCM's full 128-bit tag: without a fixed length, Node would accept a 4-byte tag, which is easy to forge. */
const TAG_BYTES = 16;

/**
 * AES-256-GCM with associated data, so a sealed value cannot be moved to another context
 * unnoticed. The 96-bit nonce is random: each key here seals a handful of values (one
 * key-encryption key per slot, fresh salt each time), far below the 2^32 a random nonce allows.
 */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

/** Returns null when the key is wrong or anything was altered. */
export function unseal(key: Buffer, sealed: Sealed, aad: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function sha256File(file: string | Buffer): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { flags: 'r' })) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}
