export { ExhibitScreen } from './exhibit';
export { EvidenceScreen } from './grid';
