import { test as base, expect, type Page } from '@playwright/test';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ApiEvent } from '../src/shared';
import { serveRenderer } from './server';
import type * as Main from './workstation';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RENDERER = path.join(ROOT, 'dist', 'renderer');
const MAIN_BUNDLE = path.join(ROOT, 'dist', 'e2e-workstation.js');
type Workstation = Main.Workstation;
const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');
/** Model packs as the unit tests use them (installed by .ci/run into models/packs), or LOUPE_MODELS. */
export const MODELS_DIR = path.resolve(process.env.LOUPE_MODELS ?? path.join(ROOT, 'models', 'packs'));
/** The shared face data, never committed; specs that need it skip, saying so, when it is absent. */
export const FACES_DIR = path.resolve(process.env.LOUPE_FACES_DATA ?? path.join(ROOT, '..', 'shared', 'data', 'faces'));
export const facesAvailable = existsSync(path.join(FACES_DIR, 'identities'));
export const FACES_MISSING = `face data not found at ${FACES_DIR} (set LOUPE_FACES_DATA): skipped`;
export const modelsAvailable = existsSync(MODELS_DIR) && readdirSync(MODELS_DIR).some((name) => existsSync(path.join(MODELS_DIR, name, 'manifest.json')));
export const MODELS_MISSING = `no model pack installed in ${MODELS_DIR} (run .ci/run, or set LOUPE_MODELS): skipped`;

export interface Loupe {
  /** The real workstation behind the page, in its own temp home. */
  ws: Workstation;
  home: string;
  url: string;
  modelsDir: string;
  /** Moves the workstation's clock on, so a spec need not sleep through a wait. */
  later(seconds: number): void;
}

/**
 * What the Electron preload gives the page, rebuilt over a Playwright binding: invoke goes
 * to the real router, events come back through __loupeEvent, media through /media/<ref>.
 * Runs in the page before the app's own script; it is serialised, so it closes over nothing.
 */
function installBridge(mediaRefSource: string): void {
  type Listener = (event: unknown) => void;
  const w = window as unknown as {
    __loupeCall(channel: string, input: unknown): Promise<unknown>;
    __loupeEvent?: (event: unknown) => void;
    loupe?: unknown;
  };
  const listeners = new Set<Listener>();
  const mediaRef = new RegExp(mediaRefSource);
  Object.defineProperty(w, '__loupeEvent', { value: (event: unknown) => listeners.forEach((l) => l(event)) });
  w.loupe = Object.freeze({
    invoke: (channel: string, input: unknown) => w.__loupeCall(channel, input),
    onEvent: (listener: Listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    mediaUrl: (ref: string) => {
      if (!mediaRef.test(ref)) throw new Error(`Not a media reference: ${ref}`);
      return `/media/${ref}`;
    },
  });
}

/**
 * A models folder of the test's own, for specs that install or calibrate: each named pack's
 * manifest copied (so a calibration written into it stays here) and its ONNX files linked.
 */
async function privateModels(home: string, packs: readonly string[]): Promise<string> {
  const dir = path.join(home, 'models');
  for (const name of packs) {
    const from = path.join(MODELS_DIR, name);
    await mkdir(path.join(dir, name), { recursive: true });
    await copyFile(path.join(from, 'manifest.json'), path.join(dir, name, 'manifest.json'));
    for (const f of readdirSync(from).filter((n) => n.endsWith('.onnx'))) await symlink(path.join(from, f), path.join(dir, name, f));
  }
  return dir;
}

export const test = base.extend<{ loupe: Loupe; ownModels: readonly string[] | null }>({
  /** Packs to give the test a models folder of its own with; null shares MODELS_DIR, read only. */
  ownModels: [null, { option: true }],
  // auto: every test's page is bound to a workstation, whether or not the test names it.
  loupe: [
    async ({ page, ownModels }, use) => {
      for (const built of [path.join(RENDERER, 'app.js'), MAIN_BUNDLE]) {
        if (!existsSync(built)) throw new Error(`${path.relative(ROOT, built)} is missing: run \`npm run build\` first.`);
      }
      const { createWorkstation, MEDIA_REF } = (await import(pathToFileURL(MAIN_BUNDLE).href)) as typeof Main;
      const home = await mkdtemp(path.join(os.tmpdir(), 'loupe-e2e-'));
      const modelsDir = ownModels ? await privateModels(home, ownModels) : MODELS_DIR;
      let skewMs = 0;
      const ws = await createWorkstation({ home, modelsDir, now: () => new Date(Date.now() + skewMs) });
      // Case images come from main exactly as the Electron shell's media protocol gets them.
      const server = await serveRenderer(RENDERER, MEDIA_REF, (ref) => ws.media(ref));

      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });

      // Calls still arriving while the test ends are answered as a closed workstation would be, and
      // those under way are let finish, so none reaches a store that has been closed.
      let closing = false;
      const inFlight = new Set<Promise<unknown>>();
      await page.exposeBinding('__loupeCall', (_source, channel: unknown, input: unknown) => {
        if (closing) return { ok: false, error: { code: 'unavailable', message: 'The workstation has closed.' } };
        const call = ws.call(channel, input, 'harness');
        inFlight.add(call);
        return call.finally(() => inFlight.delete(call));
      });
      await page.addInitScript(installBridge, MEDIA_REF.source);
      const stopEvents = ws.onEvent((event: ApiEvent) => {
        // The page may be navigating or closing; an event it misses is one it would have had no one to give to.
        page.evaluate((e) => (window as unknown as { __loupeEvent?: (e: unknown) => void }).__loupeEvent?.(e), event).catch(() => undefined);
      });

      await page.goto(server.url);
      await use({ ws, home, url: server.url, modelsDir, later: (seconds) => void (skewMs += seconds * 1000) });

      closing = true;
      stopEvents();
      // Leave the page before its server goes, so an image still loading cannot fail a test that passed.
      await page.goto('about:blank').catch(() => undefined);
      await Promise.allSettled([...inFlight]);
      await server.close();
      await ws.close();
      await rm(home, { recursive: true, force: true });
      // A CSP violation, a React error or an uncaught rejection fails the test that caused it.
      expect(problems, 'errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** A picture of what the user sees now, kept in test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  // From the top: a sticky table header scrolled with the page would be drawn over a row of the full-page picture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
