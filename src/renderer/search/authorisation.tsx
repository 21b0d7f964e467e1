import { useState } from 'react';
import { AUTHORISATION_STATE_LABEL, type SearchAuthorisation, type SearchSettings } from '../../shared';
import { may, useChannelForm, useLoad, useUser } from '../api';
import { FMR_CHOICES } from '../faces';
import { Alert, Dialog, Form, FormActions, formatOneIn, formatTime, LoadStatus, Notice, ReasonDialog, SelectField, TableHead, TextArea } from '../ui';

/** Who authorised the case and on what basis: shown with every search, before it is made and on its result. */
export function AuthorityNote({ authority }: { authority: SearchSettings['authority'] }) {
  return (
    <p className="authority-note">
      Case authorised by <strong>{authority.authorisedBy}</strong>; legal basis: <strong>{authority.legalBasis}</strong>
    </p>
  );
}

const thresholdText = (fmr: number | null) => (fmr === null ? 'none: the top candidates whatever their score' : `false match rate ${formatOneIn(fmr)}`);

/** The case's search settings on its overview, each changed by a supervisor with a reason. */
export function SearchSettingsPanel() {
  const user = useUser();
  const { loaded, setLoaded } = useLoad('search.settings', {});
  const [changing, setChanging] = useState<'threshold' | 'authorisation' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const changes = may(user.role, 'search.setDefaultThreshold');
  const done = (s: SearchSettings, message: string) => {
    setLoaded({ state: 'ready', value: s });
    setChanging(null);
    setNotice(message);
  };
  const s = loaded.state === 'ready' ? loaded.value : null;

  return (
    <section className="panel" aria-labelledby="search-settings-title">
      <div className="panel-head">
        <h2 id="search-settings-title">Searches</h2>
        {changes && s ? (
          <span>
            <button type="button" className="btn small" onClick={() => setChanging('threshold')}>
              Change threshold…
            </button>{' '}
            <button type="button" className="btn small" onClick={() => setChanging('authorisation')}>
              {s.authorisationRequired ? 'Stop requiring authorisation…' : 'Require authorisation…'}
            </button>
          </span>
        ) : null}
      </div>
      <LoadStatus loaded={loaded} loading="Loading the search settings…" />
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      {s ? (
        <dl className="facts">
          <dt>Default threshold</dt>
          <dd>
            {thresholdText(s.defaultMaxFmr)}
            {s.defaultSet ? <SetBy set={s.defaultSet} /> : <span className="muted"> (as every case starts)</span>}
          </dd>
          <dt>Watch-list searches</dt>
          <dd>
            {s.authorisationRequired ? "need a supervisor's authorisation before they run" : 'need no authorisation'}
            {s.authorisationSet ? <SetBy set={s.authorisationSet} /> : null}
          </dd>
        </dl>
      ) : null}
      {!changes ? <p className="muted">Only a supervisor changes these, with a reason.</p> : null}
      {changing === 'threshold' && s ? <ThresholdDialog current={s.defaultMaxFmr} onClose={() => setChanging(null)} onDone={(v) => done(v, `Searches that name no threshold now use ${thresholdText(v.defaultMaxFmr)}.`)} /> : null}
      {changing === 'authorisation' && s ? (
        <ReasonDialog
          channel="search.setAuthorisationRequired"
          formId="require-authorisation"
          title={s.authorisationRequired ? 'Stop requiring authorisation' : 'Require authorisation of watch-list searches'}
          input={{ required: !s.authorisationRequired }}
          intro={
            s.authorisationRequired
              ? 'From now on watch lists are searched without asking first. Each search still records its purpose.'
              : 'From now on an examiner asks, with the purpose, before searching a watch list; a supervisor other than the one who asks approves or refuses it with a reason, and an approval allows one search.'
          }
          hint={REASON_HINT}
          label={s.authorisationRequired ? 'Stop requiring it' : 'Require authorisation'}
          onClose={() => setChanging(null)}
          onDone={(v) => done(v, v.authorisationRequired ? "Watch-list searches of this case now need a supervisor's authorisation." : 'Watch-list searches no longer need authorisation.')}
        />
      ) : null}
    </section>
  );
}

function SetBy({ set }: { set: { by: string; at: string; reason: string } }) {
  return (
    <span className="muted">
      {' '}
      (set by {set.by}, <span className="num">{formatTime(set.at)} UTC</span>: {set.reason})
    </span>
  );
}

const REASON_HINT = "Recorded on the case's audit record and shown here.";

function ThresholdDialog({ current, onClose, onDone }: { current: number | null; onClose(): void; onDone(s: SearchSettings): void }) {
  const form = useChannelForm('search.setDefaultThreshold', 'default-threshold');
  const [value, setValue] = useState(FMR_CHOICES.find((c) => c.fmr === current)?.value ?? '0.001');
  const [reason, setReason] = useState('');
  return (
    <Dialog title="Change the default threshold" onClose={onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ maxFmr: FMR_CHOICES.find((c) => c.value === value)?.fmr ?? null, reason }).then((s) => {
            if (s) onDone(s);
          });
        }}
      >
        <p>The threshold a search of this case starts with; an examiner may still choose another for one search, and each search records the one it used.</p>
        <Alert message={form.alert} />
        <SelectField id={form.fieldId('maxFmr')} label="Default threshold (false match rate)" value={value} onChange={setValue} choices={FMR_CHOICES.map((c) => ({ value: c.value, label: c.label }))} error={form.errors.maxFmr} required autoFocus />
        <TextArea id={form.fieldId('reason')} label="Reason" value={reason} onChange={setReason} error={form.errors.reason} hint={REASON_HINT} required />
        <FormActions busy={form.busy} label="Change the threshold" busyLabel="Saving…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}

/**
 * Requests to search watch lists and their decisions. A supervisor approves or refuses a
 * pending one with a reason; the rule that the requester does not decide their own is
 * main's (the contract's policy on stored facts), and its refusal is shown here.
 */
export function AuthorisationsPanel() {
  const user = useUser();
  const { loaded, reload } = useLoad('search.authorisations', {});
  const [deciding, setDeciding] = useState<{ a: SearchAuthorisation; approve: boolean } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const decides = may(user.role, 'search.decideAuthorisation');
  if (loaded.state === 'ready' && loaded.value.length === 0) return null;

  return (
    <section className="panel" aria-labelledby="authorisations-title">
      <h2 id="authorisations-title">Search authorisations</h2>
      <LoadStatus loaded={loaded} loading="Loading search authorisations…" />
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      {loaded.state === 'ready' ? (
        <table className="grid dense">
          <TableHead columns={['Request', 'Asked by', 'Watch lists', 'Purpose', 'State', 'Decision']} actions={decides} />
          <tbody>
            {loaded.value.map((a) => (
              <tr key={a.id}>
                <th scope="row">#{a.id}</th>
                <td>
                  {a.requestedBy} <span className="muted num">{formatTime(a.requestedAt)}</span>
                </td>
                <td>{a.watchlists.map((w) => w.name).join(', ')}</td>
                <td className="prose">{a.purpose}</td>
                <td>
                  {AUTHORISATION_STATE_LABEL[a.state]}
                  {a.searchId !== null ? (
                    <>
                      {': '}
                      <a href={`#/search/result?id=${a.searchId}`}>search {a.searchId}</a>
                    </>
                  ) : null}
                </td>
                <td>{a.decidedBy ? `${a.decidedBy}: ${a.decisionReason ?? ''}` : ''}</td>
                {decides ? (
                  <td className="actions">
                    {a.state === 'pending' ? (
                      <>
                        <button type="button" className="btn small" aria-label={`Approve request ${a.id}`} onClick={() => setDeciding({ a, approve: true })}>
                          Approve…
                        </button>{' '}
                        <button type="button" className="btn small danger" aria-label={`Refuse request ${a.id}`} onClick={() => setDeciding({ a, approve: false })}>
                          Refuse…
                        </button>
                      </>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {deciding ? (
        <ReasonDialog
          channel="search.decideAuthorisation"
          formId="decide-authorisation"
          title={`${deciding.approve ? 'Approve' : 'Refuse'} request ${deciding.a.id}`}
          input={{ requestId: deciding.a.id, approve: deciding.approve }}
          intro={`${deciding.a.requestedBy} asks to search probe face ${deciding.a.probeFaceId} against ${deciding.a.watchlists.map((w) => `“${w.name}”`).join(', ')}, because: ${deciding.a.purpose}`}
          hint="Recorded with the decision on the case's audit record."
          label={deciding.approve ? 'Approve' : 'Refuse'}
          tone={deciding.approve ? 'primary' : 'danger'}
          onClose={() => setDeciding(null)}
          onDone={(a) => {
            setDeciding(null);
            setNotice(`Request ${a.id} of ${a.requestedBy} is ${a.state === 'approved' ? 'approved: they may run that search once' : 'refused'}.`);
            reload();
          }}
        />
      ) : null}
    </section>
  );
}
