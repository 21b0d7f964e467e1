import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type ChannelName } from '../../shared';
import { createWorkstation, type Workstation } from '../workstation';

export { gaussian, normalise } from './random';

/** A real workstation in a fresh temp folder, driven through the router as the transports do; `now` is its clock. */
export async function tempWorkstation(prefix = 'loupe-test-', home = mkdtempSync(path.join(os.tmpdir(), prefix)), now?: () => Date) {
  const ws: Workstation = await createWorkstation({ home, modelsDir: MODELS_DIR, ...(now ? { now } : {}) });
  const client = createClient((channel: ChannelName, input: unknown) => ws.call(channel, input, 'test'));
  return {
    home,
    ws,
    ...client,
    async dispose() {
      await ws.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export const CASE_AUTHORITY = {
  reference: 'OP-TEST/001',
  title: 'Test case',
  offenceCategory: 'robbery',
  purpose: 'Identify the suspect of a street robbery from CCTV',
  legalBasis: 'Police and Criminal Evidence Act 1984',
  authorisedBy: 'DI Test',
  retentionDate: '2033-01-01',
} as const;

export const PASSWORD = 'correct horse battery';
export const PASSPHRASE = 'staple battery horse correct';

/** The shared face data (never committed): tests that need it skip, saying so, when it is absent. */
export const FACES_DIR = path.resolve(process.env.LOUPE_FACES_DATA ?? '../shared/data/faces');
export const facesAvailable = existsSync(path.join(FACES_DIR, 'identities'));
export const FACES_MISSING = `face data not found at ${FACES_DIR} (set LOUPE_FACES_DATA)`;

/** Model packs for tests: installed by .ci/run into models/packs (LOUPE_MODELS). */
export const MODELS_DIR = path.resolve(process.env.LOUPE_MODELS ?? 'models/packs');
export const packInstalled = (name: string) => existsSync(path.join(MODELS_DIR, name, 'manifest.json'));
