import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** The worker entries of src/worker, by the name of their file there; build/bundle.mjs emits each beside the main bundle. */
const BUNDLED = { index: 'worker.js', projection: 'worker-projection.js' } as const;
export type WorkerEntry = keyof typeof BUNDLED;

/**
 * The script a worker thread starts from. A bundle finds its worker beside itself. Source
 * runs (vitest, tsx) start the TypeScript entry through a two-line bootstrap that registers
 * tsx inside the new thread, because loader flags given to a worker's execArgv do not
 * reach its entry module.
 */
export function workerScript(entry: WorkerEntry): URL {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new URL(`./${BUNDLED[entry]}`, here);
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href;
  const source = new URL(`../../worker/${entry}.ts`, here).href;
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(source)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}
