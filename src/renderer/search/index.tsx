import { useState } from 'react';
import { TEMPLATE_NOTE, type Candidate, type IndexProgress, type ReviewItemSummary, type SearchResult } from '../../shared';
import { may, refusal, useEvents, useLoad, useSession, useUser } from '../api';
import { exhibitName, FaceImage, FacePair, FacePickerDialog, faceWhere, FmrText, idParam, QualityBadge, QualityFacts, useFace, type PickedFace } from '../faces';
import { Alert, formatMs, formatOneIn, formatTime, LoadStatus, Notice, Page, ProblemPage, TableHead } from '../ui';
import { ReviewStateBadge, useOpenReview } from '../review';
import { AuthorityNote } from './authorisation';
import { SearchForm } from './form';

export { AuthorisationsPanel, SearchSettingsPanel } from './authorisation';

/** Starting a search: the probe (from any evidence view, or a new image), the form, and the searches made before. */
export function SearchScreen({ params }: { params: URLSearchParams }) {
  const { navigate } = useSession();
  const user = useUser();
  const probe = useFace(idParam(params, 'exhibit'), idParam(params, 'face'));
  const [picking, setPicking] = useState(false);
  const canSearch = may(user.role, 'search.run');
  const picked = probe?.state === 'ready' ? probe.value : null;
  const [index, setIndex] = useState<IndexProgress | null>(null);
  const settings = useLoad('search.settings', {});
  useEvents((e) => {
    if (e.type === 'index.progress') setIndex(e);
  });

  return (
    <Page title="Search">
      {settings.loaded.state === 'ready' ? <AuthorityNote authority={settings.loaded.value.authority} /> : null}
      {index && index.stage !== 'ready' ? (
        <Notice>
          The face index of this case is {index.stage === 'loading' ? 'loading' : 'being rebuilt'}
          {index.total !== null ? ` (${index.done} of ${index.total} faces)` : ''}; a search waits for it.
        </Notice>
      ) : null}
      <div className="columns">
        <div className="stack">
          {canSearch ? (
            <>
              <section className="panel" aria-labelledby="probe-title">
                <div className="panel-head">
                  <h2 id="probe-title">Probe</h2>
                  <button type="button" className="btn small" onClick={() => setPicking(true)}>
                    {picked ? 'Change probe…' : 'Choose probe…'}
                  </button>
                </div>
                {probe === null ? <p className="empty">Choose the face to search with: from the evidence, or from a new probe image.</p> : null}
                {probe?.state === 'loading' ? <p className="muted">Loading the probe…</p> : null}
                {probe?.state === 'failed' ? <Alert message={probe.message} /> : null}
                {picked ? <ProbeCard picked={picked} /> : null}
              </section>
              <section className="panel">
                {/* Keyed by the probe: a quality override written for one face does not carry over to another. */}
                <SearchForm key={picked?.face.id ?? 0} probe={picked} />
              </section>
            </>
          ) : (
            <Alert message={refusal(user.role, 'search.run')} />
          )}
        </div>
        <PastSearches />
      </div>
      {picking ? (
        <FacePickerDialog
          title="Choose the probe face"
          role="probe"
          onClose={() => setPicking(false)}
          onPick={(p) => {
            setPicking(false);
            navigate(`/search?exhibit=${p.exhibit.id}&face=${p.face.id}`);
          }}
        />
      ) : null}
    </Page>
  );
}

function ProbeCard({ picked }: { picked: PickedFace }) {
  const where = faceWhere(picked.face);
  return (
    <div className="probe-card">
      <FacePair faceId={picked.face.id} alt={`Probe: face ${picked.number} of ${exhibitName(picked.exhibit)}`} alignedAlt="The probe aligned as the model saw it" />
      <p>
        Face {picked.number} of <a href={`#/exhibit?id=${picked.exhibit.id}&face=${picked.face.id}`}>{exhibitName(picked.exhibit)}</a>
        {where ? <span className="muted"> {where}</span> : null}
      </p>
      <QualityFacts quality={picked.face.quality} />
    </div>
  );
}

function PastSearches() {
  const { loaded } = useLoad('search.list', {});
  return (
    <section className="panel" aria-labelledby="past-title">
      <h2 id="past-title">Searches in this case</h2>
      <LoadStatus loaded={loaded} loading="Loading searches…" />
      {loaded.state === 'ready' && loaded.value.length === 0 ? <p className="muted">No searches yet.</p> : null}
      {loaded.state === 'ready' && loaded.value.length > 0 ? (
        <table className="grid dense">
          <caption className="visually-hidden">Searches made in this case, newest first</caption>
          <TableHead columns={['Search', 'When (UTC)', 'By', 'Purpose', { label: 'Candidates', right: true }]} />
          <tbody>
            {[...loaded.value]
              .sort((a, b) => b.id - a.id)
              .map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <a href={`#/search/result?id=${s.id}`}>Search {s.id}</a>
                  </th>
                  <td className="num nowrap">{formatTime(s.createdAt)}</td>
                  <td>{s.createdBy}</td>
                  <td className="clip">{s.purpose}</td>
                  <td className="num right">{s.candidates}</td>
                </tr>
              ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function SearchResultScreen({ params }: { params: URLSearchParams }) {
  const id = idParam(params, 'id');
  if (id === null) {
    return <ProblemPage title="Search" message="No search is named in this address." href="#/search" link="Go to the searches" />;
  }
  return <ResultView key={id} searchId={id} />;
}

/** A recorded search: the probe beside its ranked candidates, under the words that say what they are. */
function ResultView({ searchId }: { searchId: number }) {
  const { loaded } = useLoad('search.get', { searchId });
  if (loaded.state !== 'ready') {
    return (
      <Page title={`Search ${searchId}`}>
        <LoadStatus loaded={loaded} loading="Loading the search…" />
      </Page>
    );
  }
  const s = loaded.value;
  return (
    <Page
      title={`Search ${s.id}`}
      actions={
        <>
          <a className="btn" href={`#/search?exhibit=${s.probe.exhibitId}&face=${s.probe.id}`}>
            Search again with this probe
          </a>
          <a className="btn" href="#/search">
            All searches
          </a>
        </>
      }
    >
      <section className="caveat" aria-labelledby="caveat-title">
        <h2 id="caveat-title">Investigative leads, not identifications</h2>
        <p>{s.caveat}</p>
      </section>
      <div className="result-layout">
        <div className="stack">
          <section className="panel" aria-labelledby="result-probe-title">
            <h2 id="result-probe-title">Probe</h2>
            <FacePair faceId={s.probe.id} alt={`Probe face from ${exhibitName(s.probeExhibit)}`} alignedAlt="The probe aligned as the model saw it" />
            <p>
              From <a href={`#/exhibit?id=${s.probeExhibit.id}&face=${s.probe.id}`}>{exhibitName(s.probeExhibit)}</a>
            </p>
            <QualityFacts quality={s.probe.quality} />
            {s.probeTemplate ? <ProbeTemplate t={s.probeTemplate} /> : null}
          </section>
          <Parameters s={s} />
        </div>
        <Candidates s={s} />
      </div>
    </Page>
  );
}

/** A probe fused from several faces: which, and how, with what its scores are not. */
function ProbeTemplate({ t }: { t: NonNullable<SearchResult['probeTemplate']> }) {
  return (
    <div className="probe-template">
      <p>
        <strong>Searched as one fused template</strong> of {t.trackId !== null ? `track ${t.trackId} (its ${t.faces} best faces)` : `${t.faceIds.length} stills of the same person`}:{' '}
        {t.method}.
      </p>
      {t.trackId === null ? (
        <ul className="probe-stills">
          {t.faceIds.map((id) => (
            <li key={id}>
              <FaceImage faceId={id} alt={`Probe still, face ${id}`} size="s" />
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted small-text">{TEMPLATE_NOTE}</p>
    </div>
  );
}

function Parameters({ s }: { s: SearchResult }) {
  const filters = Object.entries(s.filters);
  return (
    <section className="panel" aria-labelledby="params-title">
      <h2 id="params-title">How the search was made</h2>
      <dl className="facts facts-compact">
        <dt>When</dt>
        <dd>
          <span className="num">{formatTime(s.createdAt)} UTC</span> by {s.createdBy}
        </dd>
        <dt>Purpose</dt>
        <dd className="prose">{s.purpose}</dd>
        {s.authority ? (
          <>
            <dt>Authorised by</dt>
            <dd>{s.authority.authorisedBy}</dd>
            <dt>Legal basis</dt>
            <dd className="prose">{s.authority.legalBasis}</dd>
          </>
        ) : null}
        {s.authorisationId !== null ? (
          <>
            <dt>Watch-list authorisation</dt>
            <dd>request #{s.authorisationId}</dd>
          </>
        ) : null}
        <dt>Searched</dt>
        <dd>{[s.target.case ? "the case's evidence" : null, ...s.target.watchlists.map((w) => `watch list “${w.name}”`)].filter(Boolean).join(', ')}</dd>
        <dt>Threshold</dt>
        <dd>
          {s.maxFmr === null ? 'none: the top candidates whatever their score' : `false match rate ${formatOneIn(s.maxFmr)}`}
          {s.thresholdScore !== null ? <span className="num"> (score ≥ {s.thresholdScore.toFixed(3)})</span> : null}
        </dd>
        <dt>Most candidates</dt>
        <dd className="num">{s.maxCandidates}</dd>
        <dt>Filters</dt>
        <dd className="mono small-text">{filters.length > 0 ? filters.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('; ') : <span className="muted">none</span>}</dd>
        {s.qualityOverride ? (
          <>
            <dt>Quality override</dt>
            <dd className="prose">{s.qualityOverride}</dd>
          </>
        ) : null}
        <dt>Model pack</dt>
        <dd>
          {s.pack.name} {s.pack.version} <span className="mono small-text">{s.pack.model}</span>
        </dd>
        <dt>Calibration</dt>
        <dd>{s.pack.calibration ?? <span className="muted">none: scores are not read as false match rates</span>}</dd>
        <dt>Faces scored</dt>
        <dd className="num">
          {s.scored} ({s.method === 'exact' ? 'every face compared' : 'approximate index, best re-ranked exactly'})
        </dd>
      </dl>
    </section>
  );
}

function Candidates({ s }: { s: SearchResult }) {
  const user = useUser();
  const canCompare = may(user.role, 'compare.faces');
  const canExamine = may(user.role, 'review.open');
  const review = useOpenReview();
  const faceIds = s.candidates.map((c) => c.face.id);
  const states = useLoad('review.states', { leftFaceId: s.probe.id, rightFaceIds: faceIds });
  const stateOf = (faceId: number) => (states.loaded.state === 'ready' ? (states.loaded.value.find((i) => i.rightFaceId === faceId) ?? null) : null);
  return (
    <section className="panel" aria-labelledby="candidates-title">
      <h2 id="candidates-title">
        Candidates ({s.candidates.length}
        {s.candidates.length === s.maxCandidates ? `, the most asked for` : ''})
      </h2>
      {s.blind ? (
        <Notice>
          Blind review: this case hides each candidate&apos;s rank, score, false match rate and watch-list details until you have examined it, saved your assessment and revealed its score. The list is in order of face, not of score.
        </Notice>
      ) : null}
      <Alert message={review.alert} />
      {s.candidates.length === 0 ? (
        <p className="empty">{s.maxFmr === null ? 'No face was there to compare with.' : 'No face scored at or above the threshold.'}</p>
      ) : (
        <table className="grid candidates">
          <caption className="visually-hidden">{s.blind ? 'Candidates, in order of face (blind review)' : 'Candidates, best score first'}</caption>
          <TableHead columns={[{ label: 'Rank', right: true }, 'Face', { label: 'Score', right: true }, 'False match rate', 'Quality', 'Exhibit', 'Watch list', 'Review']} actions />
          <tbody>
            {s.candidates.map((c, i) => (
              <CandidateRow
                key={c.face.id}
                c={c}
                row={i + 1}
                s={s}
                canCompare={canCompare && !c.withheld}
                review={stateOf(c.face.id)}
                onExamine={canExamine ? () => review.open(s.probe.id, c.face.id, { kind: 'search', searchId: s.id }) : null}
              />
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small-text">Probe quality: {<QualityBadge quality={s.probe.quality} />}</p>
    </section>
  );
}

function CandidateRow({ c, row, s, canCompare, review, onExamine }: { c: Candidate; row: number; s: SearchResult; canCompare: boolean; review: ReviewItemSummary | null; onExamine: (() => void) | null }) {
  const name = exhibitName(c.exhibit);
  // A withheld candidate is named by its row in the neutral list: its rank would give the score away.
  const who = c.rank !== null ? `candidate ${c.rank}` : `candidate in row ${row}`;
  return (
    <tr>
      <th scope="row" className="num right rank">
        {c.rank ?? <span className="muted">withheld</span>}
      </th>
      <td>
        <FaceImage faceId={c.face.id} alt={`${who.charAt(0).toUpperCase()}${who.slice(1)} from ${name}`} size="m" />
      </td>
      <td className="num right score">
        {c.score === null ? (
          <span className="muted">withheld</span>
        ) : c.template ? (
          <>
            <span title={TEMPLATE_NOTE}>{c.template.score.toFixed(3)}</span>
            <div className="small-text muted">
              template ({c.template.probeFaces} × {c.template.candidateFaces} {c.template.probeFaces * c.template.candidateFaces === 1 ? 'face' : 'faces'})
            </div>
            <div className="small-text">best single face {c.score.toFixed(3)}</div>
          </>
        ) : (
          c.score.toFixed(3)
        )}
      </td>
      <td>
        {c.withheld ? <span className="muted">withheld</span> : <FmrText fmr={c.fmr} />}
        {c.template ? <div className="small-text muted">of the best single face; the template: not calibrated for fused templates</div> : null}
      </td>
      <td>
        <QualityBadge quality={c.face.quality} />
        {c.face.quality.insufficient ? <p className="small-text muted">{c.face.quality.reasons.join('; ')}</p> : null}
      </td>
      <td>
        <a href={`#/exhibit?id=${c.exhibit.id}&face=${c.face.id}`}>{name}</a>
        {c.face.timeMs !== null ? <div className="num small-text">at {formatMs(c.face.timeMs)}</div> : null}
        {c.trackFaces > 0 ? (
          <div className="small-text muted">
            +{c.trackFaces} more {c.trackFaces === 1 ? 'face' : 'faces'} of track {c.face.trackId} above the threshold
          </div>
        ) : null}
        {c.exhibit.captureTime ? <div className="num small-text muted">captured {c.exhibit.captureTime}</div> : null}
      </td>
      <td>
        {c.watchlist ? (
          <span>
            <strong>{c.watchlist.label}</strong> <span className="muted">({c.watchlist.listName})</span>
          </span>
        ) : (
          <span className="muted">{c.withheld ? 'withheld' : '—'}</span>
        )}
      </td>
      <td>{review ? <ReviewStateBadge state={review.state} lead={review.lead} /> : <ReviewStateBadge state="not_examined" lead={false} />}</td>
      <td className="actions">
        {onExamine ? (
          <button type="button" className="btn small" onClick={onExamine} aria-label={`Examine ${who} beside the probe`}>
            Examine
          </button>
        ) : null}
        {canCompare ? (
          <a className="btn small" href={`#/compare?a=${s.probe.id}&ae=${s.probe.exhibitId}&b=${c.face.id}&be=${c.face.exhibitId}`} aria-label={`Compare ${who} with the probe`}>
            Compare 1:1
          </a>
        ) : null}
      </td>
    </tr>
  );
}
