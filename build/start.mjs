// `npm start`: launches the workstation in Electron, or says in one line why it cannot.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let electron;
try {
  // The electron package exports the path of its binary, and throws when the binary is absent.
  electron = createRequire(import.meta.url)('electron');
} catch {
  electron = null;
}
if (typeof electron !== 'string') {
  process.stderr.write(
    'loupe: the Electron binary is missing (it could not be downloaded during npm install): on a machine with internet access run `npm install --no-save electron@44.4.1`, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron 44; meanwhile the command line works: `npx loupe --help`\n',
  );
  process.exit(1);
}
const child = spawn(electron, [root], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
