import { CasePack, embedderId, LoupeError, type ModelPack, packFiles } from '../../shared';
import { bestPack, installedManifest, knownPacks, sourceManifest } from '../models';
import type { CaseStore } from '../store';

/**
 * The model pack a case is made with, kept in the case (case_meta 'pack'). A case records
 * the pack at creation; a case made before packs were recorded gets the pack its exhibits
 * were analysed with when it is next opened; only a supervisor's recorded decision changes it.
 */
const KEY = 'pack';

export function casePack(store: Pick<CaseStore, 'reads'>): CasePack | null {
  const raw = store.reads.caseMeta(KEY);
  return raw === null ? null : CasePack.parse(JSON.parse(raw));
}

export function packRecord(manifest: ModelPack, how: CasePack['how'], by: string | null, reason: string | null, at: Date): CasePack {
  return {
    name: manifest.name,
    version: manifest.version,
    embedder: embedderId(manifest),
    files: packFiles(manifest).map(({ role, file, sha256 }) => ({ role, file, sha256 })),
    recordedAt: at.toISOString(),
    recordedBy: by,
    how,
    reason,
  };
}

export function recordCasePack(store: CaseStore, record: CasePack): void {
  store.transaction(() => store.writes.setCaseMeta(KEY, JSON.stringify(CasePack.parse(record))));
}

/** The manifest of pack `name` at `version`: as installed if that is the version, else as this build ships it, else null. */
export async function manifestAt(modelsDir: string, name: string, version: string): Promise<ModelPack | null> {
  const installed = await installedManifest(modelsDir, name).catch(() => null);
  if (installed?.version === version) return installed;
  const shipped = knownPacks().includes(name) ? sourceManifest(name) : null;
  return shipped?.version === version ? shipped : null;
}

/**
 * The case's pack, recording it first when the case has none: the pack of its most recently
 * imported exhibit (the pack that encoded its faces), or for a case without exhibits the
 * best installed pack. Null when nothing can be recorded (no pack installed yet).
 */
export async function ensureCasePack(store: CaseStore, modelsDir: string, by: string | null, now: () => Date): Promise<CasePack | null> {
  const have = casePack(store);
  if (have) return have;
  const used = store.reads.exhibitPacks()[0];
  let record: CasePack;
  if (used) {
    const at = used.lastIndexOf('@');
    const name = used.slice(0, at);
    const version = used.slice(at + 1);
    const manifest = await manifestAt(modelsDir, name, version);
    record = manifest
      ? packRecord(manifest, 'migrated', by, 'the pack its exhibits were analysed with', now())
      : // A version neither installed nor shipped: its files cannot be named, and it will not load until installed.
        { name, version, embedder: 'unknown', files: [], recordedAt: now().toISOString(), recordedBy: by, how: 'migrated', reason: 'the pack its exhibits were analysed with (its files are not known here)' };
  } else {
    let name: string;
    try {
      name = await bestPack(modelsDir);
    } catch (err) {
      if (err instanceof LoupeError && err.code === 'not_found') return null;
      throw err;
    }
    record = packRecord(await installedManifest(modelsDir, name), 'created', by, null, now());
  }
  recordCasePack(store, record);
  return record;
}

/** Refuses an installed pack whose version or files are not the ones the case recorded. */
export function checkCasePack(record: CasePack, manifest: ModelPack): void {
  const files = packFiles(manifest).map(({ role, file, sha256 }) => ({ role, file, sha256 }));
  if (manifest.version !== record.version || JSON.stringify(files) !== JSON.stringify(record.files)) {
    throw new LoupeError(
      'conflict',
      `This case was made with model pack ${record.name} ${record.version}; the installed ${manifest.name} is version ${manifest.version}${manifest.version === record.version ? ' with other model files' : ''}. Install ${record.name} ${record.version} again, or have a supervisor change the case's pack (its faces are encoded again).`,
    );
  }
}
