export { Dialog } from './dialog';
export { CheckboxField, described, FieldNotes, NumberField, SelectField, TextArea, TextField } from './fields';
export { formatBytes, formatCount, formatDate, formatEta, formatMs, formatOneIn, formatTime, oneLine, pageLabel } from './format';
export { Form, FormActions } from './form';
export { Alert, LoadStatus, Notice, Page, ProblemPage, TableHead } from './page';
export { PathsField, pathLines } from './paths';
export { ReasonDialog } from './reason';
export { ChangeSecretDialog, NewPassphraseFields } from './secret';
