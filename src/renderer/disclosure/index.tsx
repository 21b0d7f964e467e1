import { useState } from 'react';
import type { CaseExport, CaseImport } from '../../shared';
import { confirmError, useChannelForm, useSession } from '../api';
import { AttachValidations } from '../report';
import { Alert, CheckboxField, Dialog, Form, FormActions, formatBytes, NewPassphraseFields, PathsField, TextField } from '../ui';

/** The open case written to one encrypted file for another workstation or a defence expert. */
export function ExportPackageDialog({ reference, onClose, onDone }: { reference: string; onClose(): void; onDone(done: CaseExport): void }) {
  const form = useChannelForm('cases.export', 'export-package');
  const [out, setOut] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [withOriginals, setWithOriginals] = useState(false);
  const [validations, setValidations] = useState<string[]>([]);

  return (
    <Dialog title={`Export ${reference} as a disclosure package`} onClose={onClose}>
      <p>
        One encrypted file holding the case data, its audit chain and its report, with a manifest of SHA-256 hashes. Original evidence is referenced by its hash,
        and carried only if you include it.
      </p>
      <Form
        onSubmit={() => {
          void form.submit({ out, passphrase, withOriginals, validations }, confirmError(passphrase, confirm, 'passphrases')).then((d) => {
            if (d) onDone(d);
          });
        }}
      >
        <Alert message={form.alert} />
        <TextField id={form.fieldId('out')} label="Package file" value={out} onChange={setOut} error={form.errors.out} hint="A new file, e.g. on the removable disk that carries it: /media/disk/OP-123.loupe" required autoFocus />
        <NewPassphraseFields
          form={form}
          label="Package passphrase"
          hint="At least 10 characters. Give it to the recipient separately from the file, never with it."
          value={passphrase}
          onChange={setPassphrase}
          confirm={confirm}
          onConfirm={setConfirm}
        />
        <CheckboxField id={form.fieldId('withOriginals')} label="Include the original evidence files" checked={withOriginals} onChange={setWithOriginals} hint="Each is re-hashed as it is packed; a changed or missing original stops the export." />
        <AttachValidations chosen={validations} onChange={setValidations} />
        <FormActions busy={form.busy} label="Export package" busyLabel="Exporting…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}

/** A case brought from a disclosure package, checked in full before it is registered here. */
export function ImportPackageDialog({ onClose, onDone }: { onClose(): void; onDone(done: CaseImport): void }) {
  const { bridge } = useSession();
  const form = useChannelForm('cases.import', 'import-package');
  const [file, setFile] = useState('');
  const [packagePassphrase, setPackagePassphrase] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [originalsTo, setOriginalsTo] = useState('');

  return (
    <Dialog title="Import a case package" onClose={onClose}>
      <p>Every entry is checked against its hash and the audit chain is verified before the case is added; a package that fails any check adds nothing.</p>
      <Form
        onSubmit={() => {
          const input = { file, packagePassphrase, passphrase, ...(originalsTo.trim() ? { originalsTo } : {}) };
          void form.submit(input, confirmError(passphrase, confirm, 'passphrases')).then((d) => {
            if (d) onDone(d);
          });
        }}
      >
        <Alert message={form.alert} />
        <PathsField id={form.fieldId('file')} label="Package file" value={file} onChange={setFile} multiple={false} kinds={['files']} choose={bridge.choosePaths?.bind(bridge)} pathForFile={bridge.pathForFile?.bind(bridge)} error={form.errors.file} autoFocus />
        <TextField id={form.fieldId('packagePassphrase')} label="Package passphrase" type="password" value={packagePassphrase} onChange={setPackagePassphrase} error={form.errors.packagePassphrase} hint="The one given with the package." required autoComplete="off" />
        <NewPassphraseFields
          form={form}
          label="Your new passphrase for the case"
          hint="At least 10 characters: you will open the case here with it, and can grant others access."
          value={passphrase}
          onChange={setPassphrase}
          confirm={confirm}
          onConfirm={setConfirm}
        />
        <TextField id={form.fieldId('originalsTo')} label="Folder for the originals" value={originalsTo} onChange={setOriginalsTo} error={form.errors.originalsTo} hint="Only if the package carries original evidence: a new folder they are written to." />
        <FormActions busy={form.busy} label="Import case" busyLabel="Checking and importing…" onCancel={onClose} />
      </Form>
    </Dialog>
  );
}

/** What an export wrote, in the words of its record. */
export const exportedNotice = (d: CaseExport) =>
  `Wrote ${d.file} (${formatBytes(d.bytes)}), SHA-256 ${d.sha256}: the case to audit record ${d.chain.records}${d.report ? ', its report' : ''} and ${d.originals.included} of ${d.originals.referenced} originals. Recorded on this case's audit chain and the workstation's.`;

export const importedNotice = (d: CaseImport) =>
  `Imported case ${d.reference}, exported by ${d.exportedBy} at ${d.exportedAt}: every entry matched its hash and the audit chain is intact (${d.head.records} records with this import).${d.originals.folder ? ` ${d.originals.written} originals written to ${d.originals.folder}.` : ''} Open it with your new passphrase.`;
