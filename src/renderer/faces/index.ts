export { byQuality, faceNumbers } from './geometry';
export { exhibitName, FaceChooser, FacePickerDialog, idParam, useFace, type PickedFace } from './picker';
export { FMR_CHOICES, FmrText } from './rates';
export { FaceImage, FaceStage, faceWhere, QualityBadge, QualityFacts } from './view';
