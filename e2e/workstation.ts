/**
 * The main process as the harness loads it: bundled by build/bundle.mjs into
 * dist/e2e-workstation.js, beside dist/worker.js, as the Electron shell is, because
 * main imports JSON and other things Playwright's own TypeScript loader does not take.
 */
export { createWorkstation, type Workstation } from '../src/main/workstation';
export { MEDIA_REF } from '../src/shared';
