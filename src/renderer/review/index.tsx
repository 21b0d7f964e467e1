import { useState } from 'react';
import type { ReviewScore, ReviewView } from '../../shared';
import { useAction, useLoad } from '../api';
import { FmrText, idParam, useFace, type PickedFace } from '../faces';
import { Alert, LoadStatus, Notice, Page } from '../ui';
import { AssessmentForm, AssessmentRecord } from './assessment';
import { ReviewStateBadge } from './open';
import { ComparisonWorkspace, useComparisonState } from './workspace';

export { ComparisonViewer } from './viewer';
export { ComparisonWorkspace } from './workspace';
export { ReviewStateBadge, useOpenReview } from './open';

const TITLE = 'Examine side by side';

/** One comparison under review (`/review?item=ID`): the comparison view and the ACE-V record beside it. */
export function ReviewScreen({ params }: { params: URLSearchParams }) {
  const itemId = idParam(params, 'item');
  if (itemId === null) return <Page title={TITLE}><Alert message="No comparison named. Open one from a search's candidates, Compare 1:1 or the review queue." /></Page>;
  return <ReviewItem key={itemId} itemId={itemId} />;
}

function ReviewItem({ itemId }: { itemId: number }) {
  const { loaded, reload, setLoaded } = useLoad('review.get', { itemId });
  if (loaded.state !== 'ready') return <Page title={TITLE}><LoadStatus loaded={loaded} loading="Loading the comparison…" /></Page>;
  return <ReviewFaces v={loaded.value} onView={(v) => setLoaded({ state: 'ready', value: v })} reload={reload} />;
}

/** The two faces are read once the item names them; the view's state and markers live here, across reloads of the item. */
function ReviewFaces({ v, onView, reload }: { v: ReviewView; onView(v: ReviewView): void; reload(): void }) {
  const faces = useLoad('faces.get', { faceIds: [v.item.leftFaceId, v.item.rightFaceId] });
  const exhibitOf = (faceId: number) => (faces.loaded.state === 'ready' ? (faces.loaded.value.find((f) => f.face.id === faceId)?.exhibit.id ?? null) : null);
  const left = useFace(exhibitOf(v.item.leftFaceId), v.item.leftFaceId);
  const right = useFace(exhibitOf(v.item.rightFaceId), v.item.rightFaceId);
  const state = useComparisonState();

  if (faces.loaded.state === 'failed') return <Page title={TITLE}><Alert message={faces.loaded.message} /></Page>;
  for (const l of [left, right]) if (l?.state === 'failed') return <Page title={TITLE}><Alert message={l.message} /></Page>;
  if (left?.state !== 'ready' || right?.state !== 'ready') return <Page title={TITLE}><p className="muted">Loading the faces…</p></Page>;
  const pair: Record<'left' | 'right', PickedFace> = { left: left.value, right: right.value };
  return (
    <Page title={`${TITLE}: comparison ${v.item.id}`}>
      <ComparisonWorkspace faces={pair} view={state.view} onView={state.setView} markers={state.markers} onMarkers={state.setMarkers}>
        <ReviewPanel v={v} onView={onView} reload={reload} viewState={state.view} markers={state.markers} />
      </ComparisonWorkspace>
    </Page>
  );
}

function ReviewPanel({ v, onView, reload, viewState, markers }: { v: ReviewView; onView(v: ReviewView): void; reload(): void; viewState: ReturnType<typeof useComparisonState>['view']; markers: ReturnType<typeof useComparisonState>['markers'] }) {
  const action = useAction();
  const [revising, setRevising] = useState(false);
  const mine = v.assessments.filter((a) => a.kind === 'examination');
  const latest = mine.at(-1) ?? null;
  const act = (channel: 'review.reveal' | 'review.submit') => void action.run(channel, { itemId: v.item.id }).then((r) => r && onView(r));
  const formKind = v.may.verify ? 'verify' : v.may.resolve ? 'resolve' : v.may.assess && (!latest || revising) ? 'assess' : null;
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="review-state-title">
        <h2 id="review-state-title">
          Review: <ReviewStateBadge state={v.item.state} lead={v.item.lead} />
        </h2>
        <Alert message={action.alert} />
        {v.blind ? (
          <Notice>
            Blind: the score, rank, false match rate, the other candidates and any watch-list details are withheld until you have saved your analysis and a first evaluation, and then revealed them.
          </Notice>
        ) : v.score ? (
          <ScoreFacts s={v.score} />
        ) : null}
        {v.withheld > 0 ? <p className="muted small-text">{v.withheld} earlier {v.withheld === 1 ? 'assessment is' : 'assessments are'} withheld so that your assessment is independent.</p> : null}
        <div className="button-row">
          {v.may.reveal ? (
            <button type="button" className="btn" disabled={action.busy} onClick={() => act('review.reveal')}>
              Reveal the score
            </button>
          ) : null}
          {v.may.submit ? (
            <button type="button" className="btn primary" disabled={action.busy} onClick={() => act('review.submit')}>
              Submit for verification
            </button>
          ) : null}
          {v.may.assess && latest && !revising ? (
            <button type="button" className="btn" onClick={() => setRevising(true)}>
              Revise my assessment…
            </button>
          ) : null}
        </div>
        {v.why ? <p className="muted">{v.why}</p> : null}
      </section>
      {formKind ? (
        <AssessmentForm
          key={`${formKind}-${latest?.id ?? 0}`}
          kind={formKind}
          itemId={v.item.id}
          scale={v.scale}
          view={viewState}
          markers={markers}
          revising={formKind === 'assess' ? latest : null}
          onSaved={() => {
            setRevising(false);
            reload();
          }}
        />
      ) : null}
      {v.assessments.length > 0 ? (
        <section className="panel" aria-labelledby="review-records-title">
          <h2 id="review-records-title">Record</h2>
          {v.assessments.map((a) => (
            <AssessmentRecord key={a.id} a={a} scale={v.scale} />
          ))}
        </section>
      ) : null}
    </div>
  );
}

function ScoreFacts({ s }: { s: ReviewScore }) {
  return (
    <dl className="facts facts-compact" aria-label="Revealed score">
      <dt>Score</dt>
      <dd className="num">{s.score.toFixed(3)}</dd>
      <dt>False match rate</dt>
      <dd>
        <FmrText fmr={s.fmr} />
      </dd>
      <dt>Rank</dt>
      <dd className="num">{s.rank === null ? 'not from a search (1:1)' : `${s.rank} of ${s.otherCandidates.length + 1}`}</dd>
      {s.watchlist ? (
        <>
          <dt>Watch list</dt>
          <dd>
            {s.watchlist.label} ({s.watchlist.listName}): {s.watchlist.reason}
          </dd>
        </>
      ) : null}
    </dl>
  );
}
