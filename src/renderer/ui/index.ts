export { Dialog } from './dialog';
export { CheckboxField, described, FieldNotes, NumberField, SelectField, TextArea, TextField } from './fields';
export { formatBytes, formatCount, formatDate, formatEta, formatMs, formatOneIn, formatTime, oneLine, pageLabel } from './format';
export { Form, FormActions } from './form';
export { ActionsHeader, Alert, LoadStatus, Notice, Page } from './page';
export { PathsField, pathLines } from './paths';
