/*
 * Run by the air-gap test in a child process: a whole working session through the real
 * workstation API (first supervisor, a case, an import, a search, audit checks of both
 * chains), in LOUPE_HOME, importing the folders given as arguments. Prints one JSON line.
 */
import { createClient } from '../../shared';
import { createWorkstation } from '../workstation';
import { CASE_AUTHORITY, MODELS_DIR, PASSPHRASE, PASSWORD } from './index';

const home = process.env.LOUPE_HOME;
if (!home) throw new Error('airgap-scenario: set LOUPE_HOME');
const ws = await createWorkstation({ home, modelsDir: MODELS_DIR });
const t = createClient((channel, input) => ws.call(channel, input, 'test'));
try {
  await t.must('session.createFirstSupervisor', { username: 'sup', displayName: 'Sam', password: PASSWORD });
  await t.must('cases.create', { ...CASE_AUTHORITY, passphrase: PASSPHRASE });
  await t.must('evidence.import', { paths: process.argv.slice(2) });
  await ws.importSettled();
  const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 500, status: 'done' });
  const withFace = (await Promise.all(exhibits.map((e) => t.must('evidence.get', { exhibitId: e.id })))).find((d) => d.faces.length > 0);
  if (!withFace) throw new Error('airgap-scenario: no face was found in the imported images');
  const search = await t.must('search.run', { probeFaceId: withFace.faces[0]!.id, purpose: 'Air-gap test: a search must not reach the network', maxFmr: null });
  const caseChain = await t.must('audit.verify', { chain: 'case' });
  await t.must('cases.close', {});
  const workstationChain = await t.must('audit.verify', { chain: 'workstation' });
  process.stdout.write(`${JSON.stringify({ exhibits: exhibits.length, candidates: search.candidates.length, caseChain, workstationChain })}\n`);
} finally {
  await ws.close();
}
