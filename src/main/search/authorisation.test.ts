import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWN_REQUEST } from '../../shared';
import { CASE_AUTHORITY, FACES_DIR, PASSPHRASE, PASSWORD, peopleCaseReady, PEOPLE_CASE_MISSING, tamperClosedCase, tempCase } from '../testing';

if (!peopleCaseReady) console.warn(`search authorisation tests: ${PEOPLE_CASE_MISSING}: skipped`);

const PURPOSE = 'Is the man in the robbery footage on the wanted list?';

describe.skipIf(!peopleCaseReady)('search authorisation and thresholds on the record', () => {
  let t: Awaited<ReturnType<typeof tempCase>>;
  let caseId: string;
  let probe: number;
  let listId: number;
  let otherListId: number;

  const as = async (username: string) => {
    await t.must('session.signOut', {});
    await t.must('session.signIn', { username, password: PASSWORD });
    await t.must('cases.open', { caseId, passphrase: PASSPHRASE });
  };
  const caseRecords = async () => (await t.must('audit.list', { chain: 'case', offset: 0, limit: 100 })).records;
  const watchSearch = (extra: Record<string, unknown> = {}) => t.invoke('search.run', { probeFaceId: probe, purpose: PURPOSE, target: { case: false, watchlists: [listId] }, maxFmr: null, ...extra });

  beforeAll(async () => {
    t = await tempCase();
    caseId = (await t.must('cases.info', {})).id;
    await t.must('review.setBlindMode', { on: false, reason: 'The test reads which candidates came back' });
    await t.must('evidence.import', { paths: [path.join(FACES_DIR, 'identities/Joe_Biden/biden.jpg')] });
    await t.ws.importSettled();
    const { exhibits } = await t.must('evidence.list', { offset: 0, limit: 10 });
    const ref = (await t.must('evidence.get', { exhibitId: exhibits[0]!.id })).faces[0]!.id;
    probe = (await t.must('evidence.importProbe', { path: path.join(FACES_DIR, 'identities/Joe_Biden/biden2.jpg'), exhibitRef: 'PROBE/1' })).faces[0]!.id;
    listId = (await t.must('watchlists.create', { name: 'Wanted', description: 'People wanted for the robbery series' })).id;
    otherListId = (await t.must('watchlists.create', { name: 'Missing', description: 'Missing people reported this year' })).id;
    await t.must('watchlists.addEntry', { watchlistId: listId, faceId: ref, label: 'Joe B', source: 'Custody photo', reason: 'Named by a witness in statement 3', retentionDate: '2031-01-01' });
    for (const [username, role] of [['sue', 'supervisor'], ['ann', 'analyst']] as const) {
      await t.must('users.add', { username, displayName: username, role, password: PASSWORD });
      await t.must('cases.grantAccess', { username, passphrase: PASSPHRASE });
    }
  });
  afterAll(async () => t?.dispose());

  it("shows the case's authorising officer and legal basis with every search", async () => {
    const r = await t.must('search.run', { probeFaceId: probe, purpose: PURPOSE, target: { case: true, watchlists: [] }, maxFmr: null });
    expect(r.authority).toEqual({ authorisedBy: CASE_AUTHORITY.authorisedBy, legalBasis: CASE_AUTHORITY.legalBasis });
    expect((await t.must('search.get', { searchId: r.id })).authority).toEqual(r.authority);
    expect((await t.must('search.settings', {})).authority).toEqual(r.authority);
    expect((await caseRecords()).find((x) => x.action === 'search.run')?.details).toMatchObject({ authority: r.authority });
  });

  it("changes the case's default threshold only with a reason, on the record, and searches without one use it", async () => {
    expect(await t.ws.call('search.setDefaultThreshold', { maxFmr: 1e-4 }, 'test')).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'reason' } });
    const s = await t.must('search.setDefaultThreshold', { maxFmr: 1e-4, reason: 'Force policy for custody-image searches' });
    expect(s).toMatchObject({ defaultMaxFmr: 1e-4, defaultSet: { by: 'sup', reason: 'Force policy for custody-image searches' } });
    const rec = (await caseRecords()).find((x) => x.action === 'search.setDefaultThreshold' && x.outcome === 'ok');
    expect(rec?.details).toMatchObject({ from: 0.001, input: { maxFmr: 1e-4, reason: 'Force policy for custody-image searches' } });
    const r = await t.must('search.run', { probeFaceId: probe, purpose: PURPOSE, target: { case: true, watchlists: [] } });
    expect(r.maxFmr).toBe(1e-4);
    await t.must('search.setDefaultThreshold', { maxFmr: 0.001, reason: 'Back to the force default after review' });
  });

  it('requires, once a supervisor says so, an approval by another supervisor before a watch-list search runs, used once; refusals included', async () => {
    expect((await watchSearch()).ok).toBe(true);
    await t.must('search.setAuthorisationRequired', { required: true, reason: 'Watch list holds custody images: DPIA condition 4' });

    await as('ann');
    expect(await t.invoke('search.setAuthorisationRequired', { required: false, reason: 'I would rather not ask each time' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await watchSearch()).toMatchObject({ ok: false, error: { code: 'forbidden', field: 'authorisationId' } });
    // The case's own evidence needs no authorisation.
    expect((await t.invoke('search.run', { probeFaceId: probe, purpose: PURPOSE, target: { case: true, watchlists: [] }, maxFmr: null })).ok).toBe(true);

    const first = await t.must('search.requestAuthorisation', { probeFaceId: probe, watchlistIds: [listId], purpose: PURPOSE });
    expect(first).toMatchObject({ state: 'pending', requestedBy: 'ann', watchlists: [{ id: listId, name: 'Wanted' }] });
    expect(await watchSearch({ authorisationId: first.id })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/no supervisor has decided/) } });
    expect(await t.invoke('search.decideAuthorisation', { requestId: first.id, approve: true, reason: 'I approve my own request' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    await as('sup');
    const own = await t.must('search.requestAuthorisation', { probeFaceId: probe, watchlistIds: [listId], purpose: PURPOSE });
    expect(await t.invoke('search.decideAuthorisation', { requestId: own.id, approve: true, reason: 'Approving what I asked for' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: OWN_REQUEST } });
    expect(await t.must('search.decideAuthorisation', { requestId: first.id, approve: false, reason: 'Purpose does not say which offence' })).toMatchObject({ state: 'refused', decidedBy: 'sup' });
    expect(await t.invoke('search.decideAuthorisation', { requestId: first.id, approve: true, reason: 'Changed my mind about it' })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    await as('ann');
    expect(await watchSearch({ authorisationId: first.id })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/refused by sup/) } });
    const second = await t.must('search.requestAuthorisation', { probeFaceId: probe, watchlistIds: [listId], purpose: `${PURPOSE} (robbery OP-TEST/001)` });

    await as('sue');
    await t.must('search.decideAuthorisation', { requestId: second.id, approve: true, reason: 'Necessary and proportionate for OP-TEST/001' });
    // Only the requester runs it.
    expect(await watchSearch({ authorisationId: second.id })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/given to ann/) } });

    await as('ann');
    expect(await watchSearch({ authorisationId: second.id, target: { case: false, watchlists: [listId, otherListId] } })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/for the watch lists Wanted/) } });
    const run = await watchSearch({ authorisationId: second.id });
    expect(run.ok).toBe(true);
    const result = run.ok ? run.value : null;
    expect(result).toMatchObject({ authorisationId: second.id, authority: { authorisedBy: CASE_AUTHORITY.authorisedBy } });
    expect(result?.candidates).toHaveLength(1);
    expect(await watchSearch({ authorisationId: second.id })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/used already, by search/) } });

    const list = await t.must('search.authorisations', {});
    expect(list.find((a) => a.id === second.id)).toMatchObject({ state: 'used', searchId: result?.id, decidedBy: 'sue', decisionReason: 'Necessary and proportionate for OP-TEST/001' });
    expect(list.find((a) => a.id === first.id)).toMatchObject({ state: 'refused', decisionReason: 'Purpose does not say which offence' });

    // All of it is on the case's record: the request, each decision with its reason, the refused runs, the search under its approval.
    const records = await caseRecords();
    expect(records.find((r) => r.action === 'search.decideAuthorisation' && r.object === `search-authorisation:${first.id}` && r.outcome === 'ok')).toMatchObject({ user: 'sup', details: { decision: 'refused', input: { reason: 'Purpose does not say which offence' } } });
    expect(records.find((r) => r.action === 'search.decideAuthorisation' && r.object === `search-authorisation:${own.id}`)).toMatchObject({ user: 'sup', outcome: 'refused' });
    expect(records.find((r) => r.action === 'search.run' && r.outcome === 'ok' && r.details.authorisationId === second.id)).toMatchObject({ user: 'ann', object: `search:${result?.id}` });
    expect(records.filter((r) => r.action === 'search.run' && r.outcome === 'refused').length).toBeGreaterThanOrEqual(5);
    expect(records.find((r) => r.action === 'search.setAuthorisationRequired' && r.outcome === 'ok')).toMatchObject({ user: 'sup', details: { input: { required: true, reason: 'Watch list holds custody images: DPIA condition 4' } } });

    // The database holds the rules too: no decision by the requester, none twice, no second use.
    const folder = (await t.must('cases.info', {})).folder;
    await t.must('cases.close', {});
    await expect(tamperClosedCase(folder, `UPDATE search_authorisations SET search_id = 1 WHERE id = ${second.id}`)).rejects.toThrow(/allows one search/);
    await expect(tamperClosedCase(folder, `UPDATE search_authorisations SET decision = 'approved', decided_by = 'ann' WHERE id = ${first.id}`)).rejects.toThrow(/decided once/);
    await expect(tamperClosedCase(folder, `UPDATE search_authorisations SET decision = 'approved', decided_by = 'sup' WHERE id = ${own.id}`)).rejects.toThrow(/other than its requester/);
  });
});
