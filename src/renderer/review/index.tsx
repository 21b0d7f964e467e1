import { idParam, useFace, type PickedFace } from '../faces';
import { Alert, Page } from '../ui';
import { useComparisonState, ComparisonWorkspace } from './workspace';

export { ComparisonViewer } from './viewer';
export { ComparisonWorkspace } from './workspace';

/**
 * Two faces in the comparison view, named in the address (l, le: the left face and its
 * exhibit; r, re: the right's), as opened from a candidate list or the 1:1 screen.
 */
export function ExamineScreen({ params }: { params: URLSearchParams }) {
  const left = useFace(idParam(params, 'le'), idParam(params, 'l'));
  const right = useFace(idParam(params, 're'), idParam(params, 'r'));
  const state = useComparisonState();
  const title = 'Examine side by side';
  if (left === null || right === null) return <Page title={title}><Alert message="Choose two faces to examine: open a candidate from a search, or two faces from Compare 1:1." /></Page>;
  for (const l of [left, right]) {
    if (l.state === 'failed') return <Page title={title}><Alert message={l.message} /></Page>;
  }
  if (left.state !== 'ready' || right.state !== 'ready') return <Page title={title}><p className="muted">Loading…</p></Page>;
  const faces: Record<'left' | 'right', PickedFace> = { left: left.value, right: right.value };
  return (
    <Page title={title}>
      <ComparisonWorkspace faces={faces} view={state.view} onView={state.setView} markers={state.markers} onMarkers={state.setMarkers} />
    </Page>
  );
}
