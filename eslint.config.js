// Lint, including the layering rule of DESIGN.md: each process may import only the
// layers below it, and only src/main/shell and src/preload may import electron.
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
        ],
      }],
    },
  },
  {
    files: ['src/worker/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [layer(['**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**'], 'The worker is pure functions of bytes: it imports only src/shared.')],
      }],
    },
  },
  {
    files: ['src/main/**'],
    ignores: ['src/main/shell/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [
          layer(['**/renderer/**', '**/preload/**', '**/cli/**', '**/shell/**'], 'src/main is plain Node below the shell and the CLI.'),
          layer(['**/worker/**', '!**/worker_threads'], 'src/main reaches the worker only through messages defined in src/shared.'),
        ],
      }],
    },
  },
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
        ],
      }],
    },
  },
);
