import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type ChannelName } from '../../shared';
import { createWorkstation, type Workstation } from '../workstation';

/** A real workstation in a fresh temp folder, driven through the router as the transports do. */
export async function tempWorkstation(prefix = 'loupe-test-') {
  const home = mkdtempSync(path.join(os.tmpdir(), prefix));
  const ws: Workstation = await createWorkstation({ home });
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
