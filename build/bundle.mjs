// Bundles every process of Loupe with esbuild into dist/.
// Node entries sit flat in dist/ so each one finds its workers (dist/worker.js, dist/worker-projection.js) beside itself.
import { build } from 'esbuild';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const at = (...p) => path.join(root, ...p);

await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, 'renderer'), { recursive: true });

const node = {
  platform: 'node',
  target: 'node20',
  bundle: true,
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};

// A sandboxed preload is CommonJS and can require only electron (and a few polyfills),
// so everything else it uses, zod included, is bundled into it.
const { packages: _external, ...preload } = { ...node, external: ['electron'] };

const nodeEntries = {
  cli: 'src/cli/index.ts',
  worker: 'src/worker/index.ts',
  'worker-projection': 'src/worker/projection.ts',
  shell: 'src/main/shell/index.ts',
  // The real main process for the end-to-end harness (e2e/harness.ts), beside worker.js.
  'e2e-workstation': 'e2e/workstation.ts',
};
const benchDir = at('bench');
if (existsSync(benchDir)) {
  for (const f of await readdir(benchDir)) {
    if (f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('_')) {
      nodeEntries[`bench-${f.slice(0, -3)}`] = `bench/${f}`;
    }
  }
}
const entryPoints = Object.fromEntries(
  Object.entries(nodeEntries)
    .filter(([, src]) => existsSync(at(src)))
    .map(([name, src]) => [name, at(src)]),
);

await Promise.all([
  build({
    ...node,
    format: 'esm',
    entryPoints,
    outdir: dist,
    banner: { js: "import { createRequire as __loupeCreateRequire } from 'node:module'; const require = __loupeCreateRequire(import.meta.url);" },
  }),
  existsSync(at('src/preload/index.ts')) &&
    build({
      ...preload,
      format: 'cjs',
      entryPoints: [at('src/preload/index.ts')],
      outfile: path.join(dist, 'preload.cjs'),
    }),
  existsSync(at('src/renderer/index.tsx')) &&
    build({
      platform: 'browser',
      target: 'chrome120',
      bundle: true,
      format: 'esm',
      jsx: 'automatic',
      sourcemap: 'linked',
      minify: true,
      logLevel: 'warning',
      entryPoints: [at('src/renderer/index.tsx')],
      outfile: path.join(dist, 'renderer', 'app.js'),
      define: { 'process.env.NODE_ENV': '"production"' },
    }),
]);
if (existsSync(at('src/renderer/index.html'))) {
  await cp(at('src/renderer/index.html'), path.join(dist, 'renderer', 'index.html'));
}
