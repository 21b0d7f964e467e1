/**
 * Installs a model pack before the CLI exists (CI, fresh checkouts):
 *   npx tsx models/install.ts <pack> [--from DIR] [--models-dir DIR]
 * The same work as "loupe models install"; packs are described by the JSON files beside this one.
 */
import { defaultModelsDir, installPack, knownPacks } from '../src/main/models';

const USAGE = `usage: npx tsx models/install.ts <${knownPacks().join('|')}> [--from DIR] [--models-dir DIR]`;

function parse(argv: string[]): { name: string; from?: string; modelsDir: string } {
  let name: string | undefined;
  let from: string | undefined;
  let modelsDir = defaultModelsDir();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--from' || a === '--models-dir') {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a folder\n${USAGE}`);
      if (a === '--from') from = v;
      else modelsDir = v;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (name) throw new Error(`one pack at a time\n${USAGE}`);
    else name = a;
  }
  if (!name) throw new Error(USAGE);
  return from ? { name, from, modelsDir } : { name, modelsDir };
}

try {
  const args = parse(process.argv.slice(2));
  const pack = await installPack(args.name, { ...args, log: (l) => console.log(l) });
  console.log(`ok: ${pack.name} ${pack.version} (${pack.detector} detector) in ${pack.dir}`);
} catch (e) {
  console.error(`models install failed: ${(e as Error).message}`);
  process.exit(1);
}
