import type { FmrEstimate } from '../../shared';
import { formatOneIn } from '../ui';

/** The false match rates a search or a grouping may be held to, as a court reads them. */
export const FMR_CHOICES: readonly { value: string; fmr: number | null; label: string }[] = [
  { value: '0.01', fmr: 0.01, label: formatOneIn(0.01) },
  { value: '0.001', fmr: 0.001, label: formatOneIn(0.001) },
  { value: '0.0001', fmr: 0.0001, label: formatOneIn(0.0001) },
  { value: 'none', fmr: null, label: 'None: keep the top candidates whatever their score' },
];

/** A score's estimated false match rate in the calibration's own words (with the 95% bound the data supports), or why there is none. */
export function FmrText({ fmr }: { fmr: FmrEstimate | null }) {
  if (!fmr) return <span className="muted">not estimated (no calibration)</span>;
  if (fmr.bound === 'uncalibrated') {
    return (
      <span className="fmr-uncalibrated">
        {fmr.oneIn}
        {fmr.band ? <span className="muted"> ({fmr.band})</span> : null}
      </span>
    );
  }
  const measured = fmr.impostorPairs === undefined ? '' : `${(fmr.impostorsAtOrAbove ?? 0).toLocaleString('en-GB')} of ${fmr.impostorPairs.toLocaleString('en-GB')} measured impostor pairs scored this high`;
  return (
    <span className={fmr.bound === 'estimate' ? undefined : 'fmr-bound'} title={[fmr.band, measured].filter(Boolean).join('; ') || undefined}>
      {fmr.oneIn}
    </span>
  );
}
