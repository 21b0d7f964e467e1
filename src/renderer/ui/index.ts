export { Dialog } from './dialog';
export { SelectField, TextArea, TextField, type Choice, type TextFieldProps } from './fields';
export { formatDate, formatTime, oneLine, pageLabel } from './format';
export { Alert, Notice, Page } from './page';
