import { FEATURE_COMPONENTS, type AssessmentBody } from '../../shared';

/** A complete assessment as an examiner would save it, concluding `conclusion` (a level id of the scale). */
export function assessmentBody(conclusion: string, extra: Partial<AssessmentBody> = {}): AssessmentBody {
  return {
    analysis: { left: { suitability: 'suitable', factors: [], note: '' }, right: { suitability: 'limited', factors: ['resolution', 'pose'], note: 'Smaller face, turned slightly' } },
    features: Object.fromEntries(FEATURE_COMPONENTS.map((c) => [c, { observation: c === 'ears' ? 'not_visible' : 'similar', note: c === 'eyebrows' ? 'Same arch and density' : '' }])) as AssessmentBody['features'],
    conclusion,
    rationale: 'The eyebrows, nose and mouth agree in shape and proportion; no dissimilarity that the image quality does not explain.',
    display: { left: { brightness: 0, contrast: 0, gamma: 1, greyscale: false }, right: { brightness: 20, contrast: 0, gamma: 1.2, greyscale: true }, smoothing: false, view: 'aligned' },
    annotations: [{ n: 1, side: 'right', view: 'aligned', x: 40, y: 52, note: 'Mole' }],
    ...extra,
  };
}
