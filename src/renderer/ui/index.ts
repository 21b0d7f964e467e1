export { Dialog } from './dialog';
export { CheckboxField, NumberField, SelectField, TextArea, TextField, type Choice, type TextFieldProps } from './fields';
export { formatBytes, formatCount, formatDate, formatEta, formatMs, formatOneIn, formatTime, oneLine, pageLabel } from './format';
export { FormActions } from './form-actions';
export { Alert, Notice, Page } from './page';
export { PathsField, pathLines, type PathKind } from './paths';
