import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { LoupeError } from '../../shared';
import { sourceFromBytes } from './source-path';

/**
 * The files an import covers: each path given, and every file under each folder given,
 * in a stable order. Links are followed once; a folder reached twice is walked once.
 * Entries that are not regular files (named pipes, sockets, devices, links that loop or lead
 * nowhere) are listed too: the import records each as a failed exhibit saying what it is,
 * rather than leaving it out unseen.
 * Folders are read as bytes, so names that are not UTF-8 keep them (see source-path.ts).
 */
export async function listSourceFiles(paths: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  const seenDirs = new Set<string>();
  for (const [i, p] of paths.entries()) {
    const abs = path.resolve(p);
    const s = await stat(abs).catch(() => null);
    if (!s) throw new LoupeError('not_found', `No such file or folder: ${abs}. Check the path; nothing was imported.`, `paths.${i}`);
    if (s.isDirectory()) await walk(Buffer.from(abs), files, seenDirs);
    else if (s.isFile()) files.add(abs);
    else throw new LoupeError('unsupported_file', `${abs} is neither a file nor a folder.`, `paths.${i}`);
  }
  return [...files];
}

async function walk(dir: Buffer, files: Set<string>, seenDirs: Set<string>): Promise<void> {
  const real = (await realpath(dir, { encoding: 'buffer' })).toString('latin1');
  if (seenDirs.has(real)) return;
  seenDirs.add(real);
  const entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' }).catch((err: NodeJS.ErrnoException) => {
    throw new LoupeError('unavailable', `The folder ${sourceFromBytes(dir)} cannot be read (${err.code ?? err.message}); check its permissions.`);
  });
  const name = (e: (typeof entries)[number]) => e.name as unknown as Buffer;
  entries.sort((a, b) => Buffer.compare(name(a), name(b)));
  const sep = Buffer.from(path.sep);
  for (const e of entries) {
    const full = Buffer.concat([dir, ...(dir.at(-1) === sep[0] ? [] : [sep]), name(e)]);
    if (e.isDirectory()) await walk(full, files, seenDirs);
    else if (e.isSymbolicLink() && (await stat(full).catch(() => null))?.isDirectory()) await walk(full, files, seenDirs);
    else files.add(sourceFromBytes(full));
  }
}
