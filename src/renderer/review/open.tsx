import { REVIEW_STATE_LABEL, type ReviewOrigin, type ReviewState } from '../../shared';
import { useAction, useSession } from '../api';

/** A review state as a badge; a lead is marked as such, since nothing else is one. */
export function ReviewStateBadge({ state, lead }: { state: ReviewState; lead: boolean }) {
  return <span className={`badge review-${state}`}>{lead ? `${REVIEW_STATE_LABEL[state]} · lead` : REVIEW_STATE_LABEL[state]}</span>;
}

/** Opens two faces for examination (made a review item the first time) and shows the comparison. */
export function useOpenReview() {
  const { navigate } = useSession();
  const action = useAction();
  const open = (leftFaceId: number, rightFaceId: number, origin: ReviewOrigin) =>
    void action.run('review.open', { leftFaceId, rightFaceId, origin }).then((v) => v && navigate(`/review?item=${v.item.id}`));
  return { open, busy: action.busy, alert: action.alert };
}
