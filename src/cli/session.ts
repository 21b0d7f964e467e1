import { createClient, LoupeError, type Client } from '../shared';
import { createWorkstation, defaultHome, type Workstation } from '../main/workstation';
import { readSecret } from './prompt';

export interface SessionOptions {
  home: string | undefined;
  as: string | undefined;
  /** Case id or reference to open for the command. */
  caseRef?: string | undefined;
}

/**
 * Runs one command as a signed-in user through the same router the desktop app uses,
 * so every CLI action is validated, role-checked and audited the same way.
 */
export async function withSession<T>(opts: SessionOptions, fn: (client: Client, ws: Workstation) => Promise<T>): Promise<T> {
  const ws = await createWorkstation({ home: opts.home ?? defaultHome() });
  const client = createClient((channel, input) => ws.call(channel, input, 'cli'));
  let signedIn = false;
  try {
    if (!opts.as) throw new LoupeError('not_signed_in', 'Say who you are: --as USER (or LOUPE_USER).');
    await client.must('session.signIn', { username: opts.as, password: await readSecret(`Password for ${opts.as}`, 'LOUPE_PASSWORD') });
    signedIn = true;
    if (opts.caseRef) {
      const cases = await client.must('cases.list', {});
      const wanted = opts.caseRef.toLowerCase();
      const found = cases.find((c) => c.id === opts.caseRef || c.reference.toLowerCase() === wanted);
      if (!found) throw new LoupeError('not_found', `No case ${opts.caseRef} on this workstation (see: loupe case list).`);
      await client.must('cases.open', { caseId: found.id, passphrase: await readSecret(`Passphrase for case ${found.reference}`, 'LOUPE_PASSPHRASE') });
    }
    return await fn(client, ws);
  } finally {
    // Only after a sign-in: otherwise the audit record would gain a refused sign-out.
    if (signedIn) await client.invoke('session.signOut', {});
    await ws.close();
  }
}

/** First-run set-up needs no sign-in. */
export async function withWorkstation<T>(home: string | undefined, fn: (client: Client) => Promise<T>): Promise<T> {
  const ws = await createWorkstation({ home: home ?? defaultHome() });
  try {
    return await fn(createClient((channel, input) => ws.call(channel, input, 'cli')));
  } finally {
    await ws.close();
  }
}
