// Lint, including the layering rule of docs/architecture.md: each process may import only
// the layers below it, only src/main/shell and src/preload may import electron, native
// packages stay out of the processes that must not hold them, and inside src/main a layer
// never imports a higher one.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const electron = { name: 'electron', message: 'Only src/main/shell and src/preload may import electron.' };
const layer = (group, message) => ({ group, message });

// Every Node built-in (events, readline, https...), not a hand-kept few, matched by exact
// name so that a module of ours such as shared/domain.ts is not taken for one.
const noBuiltins = (message) => ({ paths: builtinModules.map((name) => ({ name, message })), pattern: layer(['node:*'], message) });
const sharedBuiltins = noBuiltins('src/shared is pure: no I/O, no Node built-ins.');
const rendererBuiltins = noBuiltins('The renderer has no Node: ask main through the typed API.');
const preloadBuiltins = noBuiltins('The preload runs sandboxed: it has no Node built-ins.');

// Native and Node-only packages, by the processes that may not load them.
const NODE_PACKAGES = ['sharp', 'better-sqlite3-multiple-ciphers', 'onnxruntime-node', 'hnswlib-node', '@ffmpeg-installer/ffmpeg', '@node-rs/argon2'];
const STORE_PACKAGES = ['better-sqlite3-multiple-ciphers', 'hnswlib-node'];
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const noPackages = (packages, message) => ({ regex: `^(${packages.map(escape).join('|')})(/|$)`, message });
const rendererPackages = noPackages(NODE_PACKAGES, 'The renderer has no Node: native packages run in main, reached through the typed API.');
const sharedPackages = noPackages(NODE_PACKAGES, 'src/shared is pure: no native or Node-only package.');
const preloadPackages = noPackages(NODE_PACKAGES, 'The preload runs sandboxed: no native or Node-only package.');
const workerPackages = noPackages(STORE_PACKAGES, 'The worker analyses bytes: the case database and the face index belong to main.');

/**
 * The layers inside src/main, lowest first; each folder may import its own layer and those
 * below, never one above (src/main/shell, above them all, has its own block below).
 * Test files may import any layer: they drive a module through the workstation.
 */
export const MAIN_LAYERS = [
  { name: 'modules', folders: ['files', 'crypto', 'calibration', 'threads', 'models', 'face-pool', 'calibration-measurement', 'face-index', 'grouping', 'validation-stats', 'validation'] },
  { name: 'store', folders: ['store'] },
  { name: 'services', folders: ['audit', 'users', 'cases', 'evidence', 'search', 'watchlists', 'persons', 'review', 'report', 'disclosure'] },
  { name: 'router', folders: ['router'] },
  { name: 'workstation', folders: ['workstation', 'testing'] },
];
const mainBase = [
  layer(['**/renderer/**', '**/preload/**', '**/cli/**', '**/shell/**'], 'src/main is plain Node below the shell and the CLI.'),
  layer(['**/worker/**', '!**/worker_threads'], 'src/main reaches the worker only through messages defined in src/shared.'),
];
const order = `${MAIN_LAYERS.map((m) => m.name).join(' < ')} < shell`;
const mainLayerBlocks = MAIN_LAYERS.slice(0, -1).flatMap((l, i) => {
  const higher = MAIN_LAYERS.slice(i + 1);
  const above = { regex: `^(\\.\\./)+(${higher.flatMap((h) => h.folders).map(escape).join('|')})(/|$)` };
  return l.folders.map((folder) => ({
    files: [`src/main/${folder}/**`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [...mainBase, { ...above, message: `src/main/${folder} is in the ${l.name} layer: it may not import ${higher.map((h) => h.name).join(', ')} (${order}).` }],
      }],
    },
  }));
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'models/packs/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', window: 'readonly', document: 'readonly', performance: 'readonly', structuredClone: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', queueMicrotask: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [electron] }],
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron, ...sharedBuiltins.paths],
        patterns: [
          layer(['**/main/**', '**/worker/**', '**/renderer/**', '**/preload/**', '**/cli/**'], 'src/shared is the bottom layer: it imports nothing of Loupe.'),
          sharedBuiltins.pattern,
          sharedPackages,
        ],
      }],
    },
  },
  {
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron, ...rendererBuiltins.paths],
        patterns: [
          layer(['**/main/**', '**/worker/**', '**/preload/**', '**/cli/**'], 'The renderer talks to main only through the typed API in src/shared.'),
          rendererBuiltins.pattern,
          rendererPackages,
        ],
      }],
    },
  },
  {
    files: ['src/worker/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [layer(['**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**'], 'The worker is pure functions of bytes: it imports only src/shared.'), workerPackages],
      }],
    },
  },
  {
    files: ['src/main/**'],
    ignores: ['src/main/shell/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: mainBase,
      }],
    },
  },
  ...mainLayerBlocks,
  {
    files: ['src/main/shell/**', 'src/preload/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [layer(['**/renderer/**', '**/cli/**'], 'The shell composes main; it does not import the renderer or the CLI.')],
      }],
    },
  },
  {
    files: ['src/preload/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: preloadBuiltins.paths,
        patterns: [
          layer(['**/main/**', '**/renderer/**', '**/worker/**', '**/cli/**'], 'The preload exposes the typed API and nothing else: it imports only src/shared.'),
          preloadBuiltins.pattern,
          preloadPackages,
        ],
      }],
    },
  },
);
