import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The layering rule of DESIGN.md is enforced by the lint configuration; this shows that it bites. */
const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
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
  ])('refuses %s importing across a layer', async (file, code, why) => {
    const messages = await restricted(file, code);
    expect(messages.length, `${file}: ${code}`).toBe(1);
    expect(messages[0]).toMatch(why);
  });

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
