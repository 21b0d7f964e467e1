import { useState } from 'react';
import { originLabel, REVIEW_STATE_LABEL, type BlindMode, type ReviewItemSummary } from '../../shared';
import { invoke, may, useChannelForm, useLoad, useSession, useUser } from '../api';
import { FaceImage } from '../faces';
import { Alert, Dialog, Form, FormActions, formatTime, LoadStatus, Notice, TextArea } from '../ui';
import { comparisons, queueListsFor, reviewHref } from './queue-lists';

/**
 * The review queue of the open case for the signed-in user: what awaits their assessment, what
 * awaits their verification (a reviewer takes the next one, never chooses whose work to check),
 * and the disputes they may resolve.
 */
export function ReviewQueuePanel() {
  const user = useUser();
  const { bridge, navigate } = useSession();
  const { loaded, reload } = useLoad('review.queue', {});
  const [taking, setTaking] = useState<{ busy: boolean; alert: string | null; nothing: boolean }>({ busy: false, alert: null, nothing: false });
  const lists = queueListsFor(user.role);

  // invoke, not useAction: "nothing to take" (null) must read differently from a refusal.
  const takeNext = async () => {
    if (taking.busy) return;
    setTaking({ busy: true, alert: null, nothing: false });
    const r = await invoke(bridge, 'review.next', {});
    if (r.ok && r.value) {
      navigate(`/review?item=${r.value.item.id}`);
      return;
    }
    setTaking({ busy: false, alert: r.ok ? null : r.error.message, nothing: r.ok });
    reload();
  };

  return (
    <section className="panel queue-panel" aria-labelledby="queue-title">
      <h2 id="queue-title">Review queue</h2>
      {lists.length === 0 ? <p className="muted">Your role reads the review states and the audit record; it takes no part in examining comparisons.</p> : null}
      <LoadStatus loaded={loaded} loading="Loading the review queue…" />
      {loaded.state === 'ready' && lists.includes('mine') ? (
        <QueueList
          id="queue-mine"
          title="Awaiting my assessment"
          items={loaded.value.mine}
          empty="Nothing awaits your assessment. A comparison you open stays here until you have assessed it and submitted it for verification by a second examiner."
        />
      ) : null}
      {loaded.state === 'ready' && lists.includes('toVerify') ? (
        <section className="queue-list" aria-labelledby="queue-verify">
          <h3 id="queue-verify">Awaiting verification</h3>
          {loaded.value.toVerify.length === 0 ? (
            <p className="empty">
              Nothing awaits your verification. Comparisons another examiner has submitted come here; you verify them one at a time, oldest first, without
              seeing the first examiner&apos;s conclusion.
            </p>
          ) : (
            <>
              <p>
                <strong>{comparisons(loaded.value.toVerify.length)}</strong> submitted by other examiners await verification
                {loaded.value.toVerify[0] ? (
                  <>
                    ; the oldest was opened <span className="num">{formatTime(loaded.value.toVerify[0].openedAt)} UTC</span>
                  </>
                ) : null}
                . You take the next one; you do not choose whose work to check.
              </p>
              <button type="button" className="btn primary" aria-disabled={taking.busy} onClick={() => void takeNext()}>
                {taking.busy ? 'Taking…' : 'Take the next item'}
              </button>
            </>
          )}
          <Alert message={taking.alert} />
          {taking.nothing ? <Notice>Another reviewer took the last one: nothing awaits your verification now.</Notice> : null}
        </section>
      ) : null}
      {loaded.state === 'ready' && lists.includes('disputes') ? (
        <QueueList
          id="queue-disputes"
          title="Disputes"
          items={loaded.value.disputes}
          empty="No disputes. When a verifier's conclusion disagrees with the first examiner's, the comparison comes here for a supervisor who took no part in it to resolve."
        />
      ) : null}
    </section>
  );
}

function QueueList({ id, title, items, empty }: { id: string; title: string; items: ReviewItemSummary[]; empty: string }) {
  return (
    <section className="queue-list" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {items.length === 0 ? (
        <p className="empty">{empty}</p>
      ) : (
        <ul className="queue-items" aria-labelledby={id}>
          {items.map((item) => (
            <li key={item.id}>
              <a href={reviewHref(item.id)} aria-label={`Comparison ${item.id}: face ${item.leftFaceId} with face ${item.rightFaceId}, ${REVIEW_STATE_LABEL[item.state]}`}>
                <FaceImage faceId={item.leftFaceId} alt={`Face ${item.leftFaceId}`} size="s" />
                <FaceImage faceId={item.rightFaceId} alt={`Face ${item.rightFaceId}`} size="s" />
                <span>
                  <strong>Comparison {item.id}</strong>: face {item.leftFaceId} with face {item.rightFaceId}, {originLabel(item.origin)}
                  <br />
                  <span className="badge">{REVIEW_STATE_LABEL[item.state]}</span>{' '}
                  <span className="muted">
                    opened by {item.openedBy} <span className="num">{formatTime(item.openedAt)} UTC</span>
                  </span>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Blind mode of the case: who set it, when and why; a supervisor changes it with a reason, everyone else reads it. */
export function BlindModePanel() {
  const user = useUser();
  const { loaded, setLoaded } = useLoad('review.blindMode', {});
  const [changing, setChanging] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const changes = may(user.role, 'review.setBlindMode');

  return (
    <section className="panel" aria-labelledby="blind-title">
      <div className="panel-head">
        <h2 id="blind-title">Blind mode</h2>
        {changes && loaded.state === 'ready' ? (
          <button type="button" className="btn small" onClick={() => setChanging(true)}>
            {loaded.value.on ? 'Turn off…' : 'Turn on…'}
          </button>
        ) : null}
      </div>
      <LoadStatus loaded={loaded} loading="Loading the blind-mode setting…" />
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      {loaded.state === 'ready' ? <BlindModeFacts mode={loaded.value} /> : null}
      {!changes ? <p className="muted">Only a supervisor changes this setting, with a reason.</p> : null}
      {changing && loaded.state === 'ready' ? (
        <BlindModeDialog
          on={!loaded.value.on}
          onClose={() => setChanging(false)}
          onDone={(mode) => {
            setLoaded({ state: 'ready', value: mode });
            setChanging(false);
            setNotice(`Blind mode is ${mode.on ? 'on' : 'off'} for this case.`);
          }}
        />
      ) : null}
    </section>
  );
}

function BlindModeFacts({ mode }: { mode: BlindMode }) {
  return (
    <>
      <p>
        <span className={`badge ${mode.on ? 'badge-accent' : 'outcome-refused'}`}>{mode.on ? 'On' : 'Off'}</span>{' '}
        {mode.on
          ? 'The score, rank, false match rate, the other candidates and any watch-list reason stay hidden from an examiner until they have saved their own assessment.'
          : 'Examiners see the score, rank and false match rate while they examine.'}
      </p>
      <dl className="facts">
        <dt>Set by</dt>
        <dd>{mode.setBy ?? <span className="muted">Nobody: on by default for every case</span>}</dd>
        {mode.setAt ? (
          <>
            <dt>When</dt>
            <dd className="num">{formatTime(mode.setAt)} UTC</dd>
          </>
        ) : null}
        {mode.reason ? (
          <>
            <dt>Reason</dt>
            <dd className="prose">{mode.reason}</dd>
          </>
        ) : null}
      </dl>
    </>
  );
}

function BlindModeDialog({ on, onClose, onDone }: { on: boolean; onClose(): void; onDone(mode: BlindMode): void }) {
  const form = useChannelForm('review.setBlindMode', 'blind-mode');
  const [reason, setReason] = useState('');
  return (
    <Dialog title={on ? 'Turn blind mode on' : 'Turn blind mode off'} onClose={onClose}>
      <Form
        onSubmit={() => {
          void form.submit({ on, reason }).then((mode) => {
            if (mode) onDone(mode);
          });
        }}
      >
        <p>
          {on
            ? 'From now on, examiners who have not saved their own assessment of a comparison will not see its score, rank, false match rate or the other candidates.'
            : 'From now on, examiners will see the score, rank and false match rate while they examine. Assessments already saved keep the record of whether their examiner was blind.'}
        </p>
        <Alert message={form.alert} />
        <TextArea id={form.fieldId('reason')} label="Reason" value={reason} onChange={setReason} error={form.errors.reason} hint="Recorded on the case's audit record and shown on the case overview." required autoFocus />
        <FormActions busy={form.busy} label={on ? 'Turn on' : 'Turn off'} busyLabel="Saving…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}
