import { readdirSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { MAIN_LAYERS } from '../eslint.config.js';

/** The layering rule of docs/architecture.md is enforced by the lint configuration; this shows that it bites. */
const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** The file is refused this one import, for the reason `why` names. */
async function expectRefused(filePath: string, code: string, why: RegExp): Promise<void> {
  const messages = await restricted(filePath, code);
  expect(messages.length, `${filePath}: ${code}`).toBe(1);
  expect(messages[0]).toMatch(why);
}

describe('layering lint rule', () => {
  it.each([
    ['src/renderer/probe.ts', "import { createWorkstation } from '../main/workstation';\nvoid createWorkstation;", /only through the typed API/],
    ['src/renderer/probe.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;", /no Node/],
    ['src/shared/probe.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;", /pure/],
    ['src/shared/probe.ts', "import { Router } from '../main/router';\nvoid Router;", /bottom layer/],
    ['src/worker/probe.ts', "import { openCaseStore } from '../main/store';\nvoid openCaseStore;", /pure functions of bytes/],
    ['src/main/search/probe.ts', "import { app } from 'electron';\nvoid app;", /Only src\/main\/shell/],
    ['src/main/search/probe.ts', "import { App } from '../../renderer/app';\nvoid App;", /plain Node/],
    ['src/main/face-pool/probe.ts', "import { createFaceAnalyser } from '../../worker/face-analysis';\nvoid createFaceAnalyser;", /only through messages/],
    ['src/preload/probe.ts', "import { Router } from '../main/router';\nvoid Router;", /typed API and nothing else/],
    ['src/preload/probe.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;", /sandboxed/],
    ['src/shared/probe.ts', "import { EventEmitter } from 'events';\nvoid EventEmitter;", /pure/],
  ])('refuses %s importing across a layer', (file, code, why) => expectRefused(file, code, why));

  it.each([
    ['src/renderer/probe.ts', "import { api } from '../shared';\nvoid api;"],
    ['src/main/shell/probe.ts', "import { app } from 'electron';\nimport { createWorkstation } from '../workstation';\nvoid app; void createWorkstation;"],
    ['src/preload/probe.ts', "import { contextBridge } from 'electron';\nimport { api } from '../shared';\nvoid contextBridge; void api;"],
    ['src/cli/probe.ts', "import { createWorkstation } from '../main/workstation';\nvoid createWorkstation;"],
    ['src/worker/probe.ts', "import { LoupeError } from '../shared';\nvoid LoupeError;"],
    ['src/shared/probe.ts', "import { User } from './domain';\nvoid User;"],
    ['src/main/face-pool/probe.ts', "import { Worker } from 'node:worker_threads';\nvoid Worker;"],
  ])('allows %s to import what its layer may', async (file, code) => {
    expect(await restricted(file, code)).toEqual([]);
  });
});

const NATIVE = ['sharp', 'better-sqlite3-multiple-ciphers', 'onnxruntime-node', 'hnswlib-node', '@ffmpeg-installer/ffmpeg', '@node-rs/argon2'];

describe('package lists per layer', () => {
  it.each([
    ...NATIVE.flatMap((pkg) => [
      ['src/renderer/probe.ts', pkg, /renderer has no Node/],
      ['src/shared/probe.ts', pkg, /pure/],
      ['src/preload/probe.ts', pkg, /sandboxed/],
    ]),
    ['src/worker/probe.ts', 'better-sqlite3-multiple-ciphers', /belong to main/],
    ['src/worker/probe.ts', 'hnswlib-node', /belong to main/],
  ] as [string, string, RegExp][])('refuses %s importing %s', (file, pkg, why) => expectRefused(file, `import * as m from '${pkg}';\nvoid m;`, why));

  it.each([
    ['src/worker/probe.ts', 'sharp'],
    ['src/worker/probe.ts', 'onnxruntime-node'],
    ['src/main/store/probe.ts', 'better-sqlite3-multiple-ciphers'],
    ['src/main/face-index/probe.ts', 'hnswlib-node'],
    ['src/renderer/probe.ts', 'sharpen'],
  ])('allows %s to import %s', async (file, pkg) => {
    expect(await restricted(file, `import * as m from '${pkg}';\nvoid m;`)).toEqual([]);
  });
});

describe('order of layers inside src/main', () => {
  const pairs = MAIN_LAYERS.flatMap((low, i) => MAIN_LAYERS.slice(i + 1).map((high): [string, string, string, string] => [low.name, low.folders[0]!, high.name, high.folders[0]!]));

  it.each(pairs)('refuses the %s layer (%s) importing the %s layer (%s)', (_low, from, high, to) =>
    expectRefused(`src/main/${from}/probe.ts`, `import { x } from '../${to}';\nvoid x;`, new RegExp(`may not import .*${high}`)),
  );

  it.each(pairs)('allows the %s layer (%s) to be imported by the %s layer (%s)', async (_low, from, _high, to) => {
    expect(await restricted(`src/main/${to}/probe.ts`, `import { x } from '../${from}/index';\nvoid x;`)).toEqual([]);
  });

  it('lets a test import any layer, and a folder its own files', async () => {
    expect(await restricted('src/main/face-index/probe.test.ts', "import { x } from '../testing';\nvoid x;")).toEqual([]);
    expect(await restricted('src/main/store/probe.ts', "import { x } from './audit-table';\nvoid x;")).toEqual([]);
  });

  it('places every folder of src/main in exactly one layer (the shell above them all)', () => {
    const placed = MAIN_LAYERS.flatMap((l) => l.folders);
    expect(new Set(placed).size).toBe(placed.length);
    const folders = readdirSync('src/main', { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'shell').map((d) => d.name);
    expect(folders.filter((f) => !placed.includes(f)), 'folders of src/main not in MAIN_LAYERS (eslint.config.js)').toEqual([]);
  });
});
