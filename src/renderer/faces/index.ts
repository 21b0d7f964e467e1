export { byQuality, faceNumbers } from './geometry';
export { exhibitName, FaceChooser, FacePickerDialog, idParam, useExhibitChoices, useFace, type PickedFace } from './picker';
export { FMR_CHOICES, FmrText } from './rates';
export { FaceImage, FacePair, FaceStage, faceWhere, QualityBadge, QualityFacts } from './view';
