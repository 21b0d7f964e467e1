/**
 * Video tracks and fused templates (issue 13, points 3 and 4), on clips composed with ffmpeg
 * from identities/ photos and on the shared video/ clips.
 *   tracks: per clip, faces, tracks, tracks per person and people per track (composed clips,
 *     where whose face is where is known), and for the shared clips (no labels) how many
 *     tracks hold a good face far from their own template (a sign of two people in one track).
 *   consolidation: rank-1 and the same-person / different-person score distributions of
 *     track templates, the track's single best frame (by quality) and every frame (each
 *     frame scored alone, a track by its best frame as the frame-by-frame search folds it),
 *     with identities/ photos as probes against the clips' tracks, and the tracks as probes
 *     against identities/ photos.
 *   rolled: every photo of the colour identities/ people not in the clips, turned with sharp
 *     by 0, 45, 90, -90 and 180 degrees: photos with a face found, photos where a face found
 *     is "right" (scores above RIGHT with the upright photo's main face: a face aligned
 *     wrongly scores as a stranger, near 0), the wall time per photo through the pool and
 *     the landmarks stage's share of it; and the dlib group photos upright.
 *   node dist/bench-tracks.js [--pack NAME] [--data DIR] [--json FILE] [--workers N] [--part tracks|rolled|all]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { fuseTemplate, similarity, TEMPLATE_METHOD, type AnalysedFace } from '../src/shared';
import { buildTracks, trackOptions, type Track } from '../src/main/evidence/tracking';
import { sampleVideo } from '../src/main/evidence/video';
import type { FacePool } from '../src/main/face-pool';
import { loadPack } from '../src/main/models';
import { type Appearance, faceTile, makeSceneVideo, personAt, trackPurity } from '../src/main/testing/video';
import { trackThreshold } from '../src/main/workstation/pack-in-use';
import { analyseAll, IMAGE_EXT, machine, mainFace, openPool, parseArgs, readInput, writeJson } from './_lib';

const USAGE = 'usage: tracks [--pack NAME] [--data DIR] [--models-dir DIR] [--json FILE] [--workers N] [--part tracks|rolled|all]';

/** People with at least four photos: two are shown in the clips, the rest are probes. */
const PEOPLE = ['Angelina_Jolie', 'Barack_Obama', 'George_Clooney', 'Jack_Dorsey', 'Jennifer_Aniston', 'Katy_Perry', 'Leonardo_DiCaprio', 'Mark_Zuckerberg', 'Matt_Damon', 'Scarlett_Johansson'];
const FPS = 2;
const W = 640;
const H = 360;

interface Face extends AnalysedFace {
  timeMs: number;
}

async function analyseClip(pool: FacePool, file: string): Promise<Face[]> {
  const out: Promise<Face[]>[] = [];
  for await (const frame of sampleVideo(file, { framesPerSecond: FPS, sceneChange: 0.35 })) {
    await pool.whenReady();
    out.push(pool.analyse({ width: frame.width, height: frame.height, data: frame.data }, { smallFaces: true, thumbnail: false }).then((a) => a.faces.map((f) => ({ ...f, timeMs: frame.timeMs }))));
  }
  return (await Promise.all(out)).flat();
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function summary(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] ?? NaN;
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (s.length || 1));
  return { n: s.length, mean: round(mean), sd: round(sd), p5: round(at(0.05)), p50: round(at(0.5)), p95: round(at(0.95)), max: round(at(1)) };
}

/** Separation of two score distributions: (mean same - mean different) / pooled sd. */
const dPrime = (same: number[], diff: number[]) => {
  const a = summary(same), b = summary(diff);
  return round((a.mean - b.mean) / Math.sqrt((a.sd ** 2 + b.sd ** 2) / 2), 2);
};

interface GalleryTrack {
  clip: string;
  person: string | null;
  template: Float32Array;
  best: Float32Array;
  frames: Float32Array[];
}

type Method = 'template' | 'bestFrame' | 'everyFrame';
const METHODS: Method[] = ['template', 'bestFrame', 'everyFrame'];
const scoreOf = (m: Method, probe: Float32Array, t: GalleryTrack) =>
  m === 'template' ? similarity(probe, t.template) : m === 'bestFrame' ? similarity(probe, t.best) : Math.max(...t.frames.map((f) => similarity(probe, f)));

const TURNS = [0, 45, 90, -90, 180];
/** A face found in a turned photo is the upright photo's face, aligned upright, above this score. */
const RIGHT = 0.45;

/**
 * Rolled faces: photos found and aligned right at each turn, the time per photo, and the
 * share of analysis time in the landmarks stage, which holds the turned looks (YuNet's own
 * landmarks cost nothing), measured within each analysis so the machine's load cancels out.
 * The dlib group photos, upright, show what the looks cost where faces are many and small.
 */
async function rolledFaces(pool: FacePool, data: string): Promise<Record<string, unknown>> {
  const ids = path.join(data, 'identities');
  const people = readdirSync(ids).filter((d) => !d.startsWith('ORL_') && !d.startsWith('bbt_') && !d.includes('.') && !PEOPLE.includes(d)).sort();
  const files = people.flatMap((p) => readdirSync(path.join(ids, p)).filter((f) => IMAGE_EXT.test(f)).sort().map((f) => path.join(ids, p, f)));
  const groups = path.join(data, 'groups/dlib_examples_faces');
  const groupFiles = readdirSync(groups).filter((f) => IMAGE_EXT.test(f) && f !== 'dogs.jpg').sort().map((f) => path.join(groups, f));
  const upright = new Map<string, Float32Array>();
  const out: Record<string, unknown> = { photos: files.length, people: people.length, right: RIGHT };
  const run = async (label: string, list: string[], turn: number) => {
    const turned = await Promise.all(list.map(async (f) => new Uint8Array(await sharp(readFileSync(f)).rotate(turn).jpeg({ quality: 92 }).toBuffer())));
    const t0 = performance.now();
    const res = await analyseAll(pool, list, (f) => turned[list.indexOf(f)] as Uint8Array, (a, f) => {
      if (turn === 0 && list === files) {
        const main = mainFace(a);
        if (main) upright.set(f, main.embedding);
      }
      const mine = upright.get(f);
      return { faces: a.faces.length, right: !!mine && a.faces.some((x) => similarity(x.embedding, mine) > RIGHT), landmarksMs: a.stages?.landmarks ?? 0, totalMs: a.timings.totalMs };
    }, { thumbnail: false, profile: true });
    const ms = (performance.now() - t0) / list.length;
    const ok = res.filter((r): r is Exclude<(typeof res)[number], Error> => !(r instanceof Error));
    const sum = (f: (r: (typeof ok)[number]) => number) => ok.reduce((a, r) => a + f(r), 0);
    out[label] = {
      found: ok.filter((r) => r.faces > 0).length, faces: sum((r) => r.faces), right: ok.filter((r) => r.right).length, errors: res.length - ok.length,
      msPerPhoto: Math.round(ms), landmarksShare: round(sum((r) => r.landmarksMs) / sum((r) => r.totalMs), 4),
    };
    console.log(`rolled ${label}`, JSON.stringify(out[label]));
  };
  for (const turn of TURNS) await run(String(turn), files, turn);
  await run('groups, upright', groupFiles, 0);
  return out;
}

async function main() {
  const args = await parseArgs(process.argv.slice(2), USAGE, ['part']);
  const part = args.extra.part ?? 'all';
  if (!['tracks', 'rolled', 'all'].includes(part)) throw new Error(`--part is tracks, rolled or all\n${USAGE}`);
  const pack = args.packs[0] as string;
  const loaded = await loadPack(args.modelsDir, pack);
  const options = trackOptions(trackThreshold(loaded.manifest.calibration), FPS);
  const ids = path.join(args.data, 'identities');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-bench-tracks-'));
  const pool = await openPool(args, pack);
  try {
    const rolled = part === 'tracks' ? null : await rolledFaces(pool, args.data);
    if (part === 'rolled') {
      writeJson(args.json, { bench: 'tracks', pack, machine: machine(), rolled });
      return;
    }
    // Face tiles of each person's first two photos; the other photos are probes.
    const photos = new Map(PEOPLE.map((p) => [p, readdirSync(path.join(ids, p)).filter((f) => IMAGE_EXT.test(f)).sort()]));
    const tiles = new Map<string, string[]>();
    for (const person of PEOPLE) {
      const mine: string[] = [];
      for (const f of (photos.get(person) as string[]).slice(0, 2)) {
        const file = path.join(ids, person, f);
        const face = mainFace(await pool.analyse(readInput(file), { thumbnail: false }));
        if (face) mine.push(await faceTile(file, face.box, path.join(dir, `${person}-${mine.length}.png`), 128));
      }
      tiles.set(person, mine);
    }
    const people = PEOPLE.filter((p) => (tiles.get(p) as string[]).length === 2);
    const views = (person: string, from: number, to: number, x0: number, x1: number, y: number, side: number): Appearance[] => {
      const [a, b] = tiles.get(person) as string[];
      const mid = (from + to) / 2;
      return [
        { person, tile: a as string, fromS: from, toS: mid, x0, x1: x0 + (x1 - x0) / 2, y, side },
        { person, tile: b as string, fromS: mid, toS: to, x0: x0 + (x1 - x0) / 2, x1, y, side },
      ];
    };
    const scenes: { name: string; seconds: number; appearances: Appearance[] }[] = [
      // One after another at the same place, each person in two photos, no pause between people.
      { name: 'sequence', seconds: people.length * 4, appearances: people.flatMap((p, i) => views(p, i * 4, (i + 1) * 4, 240, 280, 100, 128)) },
      // The same with faces about 12 px between the eyes, where embeddings say little.
      { name: 'sequence-small', seconds: people.length * 4, appearances: people.flatMap((p, i) => views(p, i * 4, (i + 1) * 4, 300, 320, 150, 48)) },
      // Five at once, moving, for 8 s; then the other five.
      {
        name: 'crowd',
        seconds: 16,
        appearances: people.flatMap((p, i) => views(p, i < 5 ? 0 : 8, i < 5 ? 8 : 16, 10 + (i % 5) * 125, 30 + (i % 5) * 125, 40 + (i % 2) * 150, 110)),
      },
    ];

    const trackResults: Record<string, unknown> = {};
    const gallery: GalleryTrack[] = [];
    const summariseTracks = (faces: Face[], tracks: Track[], clip: string, scene: Appearance[] | null) => {
      const contradicted = tracks.filter((t) => {
        const template = fuseTemplate(t.members.map((m) => ({ embedding: (faces[m] as Face).embedding, quality: (faces[m] as Face).quality.score }))).embedding;
        return t.members.some((m) => (faces[m] as Face).quality.score >= options.identityQuality && similarity((faces[m] as Face).embedding, template) < options.contradictThreshold);
      }).length;
      const out: Record<string, unknown> = { faces: faces.length, tracks: tracks.length, tracksWithAGoodFaceFarFromTheirTemplate: contradicted };
      if (scene) {
        const trackOf = new Map<number, number>();
        tracks.forEach((t) => t.members.forEach((m) => trackOf.set(m, t.key)));
        const labelled = faces.map((f, i) => ({ trackId: trackOf.get(i) ?? null, person: personAt(scene, f.timeMs, f.box) }));
        const p = trackPurity(labelled);
        const perPerson = Object.values(p.tracksPerPerson);
        const perTrack = Object.values(p.peoplePerTrack);
        Object.assign(out, {
          facesWithKnownPerson: labelled.filter((l) => l.person !== null).length,
          people: perPerson.length,
          tracksPerPerson: { mean: round(perPerson.reduce((a, b) => a + b, 0) / (perPerson.length || 1), 2), max: Math.max(...perPerson), each: p.tracksPerPerson },
          peoplePerTrack: { max: Math.max(...perTrack), tracksWithTwoOrMore: perTrack.filter((n) => n > 1).length },
        });
        for (const t of tracks) {
          const persons = t.members.map((m) => labelled[m]?.person).filter((x): x is string => !!x);
          const counts = new Map<string, number>();
          for (const x of persons) counts.set(x, (counts.get(x) ?? 0) + 1);
          const person = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
          const members = t.members.map((m) => faces[m] as Face);
          gallery.push({
            clip,
            person,
            template: fuseTemplate(members.map((f) => ({ embedding: f.embedding, quality: f.quality.score }))).embedding,
            best: (faces[t.best] as Face).embedding,
            frames: members.map((f) => f.embedding),
          });
        }
      }
      return out;
    };

    for (const s of scenes) {
      const file = await makeSceneVideo(path.join(dir, `${s.name}.mp4`), s.appearances, { seconds: s.seconds, width: W, height: H, fps: 10 });
      const t0 = performance.now();
      const faces = await analyseClip(pool, file);
      const t1 = performance.now();
      const { tracks } = buildTracks(faces.map((f) => ({ timeMs: f.timeMs, box: f.box, embedding: f.embedding, quality: f.quality.score })), options);
      trackResults[s.name] = { seconds: s.seconds, ...summariseTracks(faces, tracks, s.name, s.appearances), analyseMs: Math.round(t1 - t0), trackMs: round(performance.now() - t1, 1) };
      console.log(s.name, JSON.stringify(trackResults[s.name]));
    }
    for (const clip of ['face_recognition/short_hamilton_clip.mp4', 'faceapijs/video.mp4']) {
      const faces = await analyseClip(pool, path.join(args.data, 'video', clip));
      const { tracks } = buildTracks(faces.map((f) => ({ timeMs: f.timeMs, box: f.box, embedding: f.embedding, quality: f.quality.score })), options);
      trackResults[clip] = summariseTracks(faces, tracks, clip, null);
      console.log(clip, JSON.stringify(trackResults[clip]));
    }

    // Probes: each person's photos not shown in the clips. Searched by the tracks, the same photos
    // stand among every other colour photo of identities/ (the other public figures) as distractors.
    const probeFiles = people.flatMap((p) => (photos.get(p) as string[]).slice(2).map((f) => ({ person: p, file: `${p}/${f}` })));
    const distractors = readdirSync(ids)
      .filter((d) => !d.startsWith('ORL_') && !d.startsWith('bbt_') && !d.includes('.') && !PEOPLE.includes(d))
      .flatMap((p) => readdirSync(path.join(ids, p)).filter((f) => IMAGE_EXT.test(f)).map((f) => ({ person: p, file: `${p}/${f}` })));
    const embedAll = async (items: { person: string; file: string }[]) => {
      const res = await analyseAll(pool, items.map((i) => i.file), (f) => readInput(path.join(ids, f)), (a) => mainFace(a)?.embedding ?? null);
      return items.flatMap((it, i) => (res[i] instanceof Float32Array ? [{ ...it, embedding: res[i] as Float32Array }] : []));
    };
    const probes = await embedAll(probeFiles);
    const photoGallery = [...probes, ...(await embedAll(distractors))];
    const labelledTracks = gallery.filter((g) => g.person !== null);

    const consolidation: Record<string, unknown> = {};
    for (const m of METHODS) {
      // Photos as probes against the clips' tracks.
      let hits = 0;
      const same: number[] = [];
      const diff: number[] = [];
      for (const p of probes) {
        const scored = labelledTracks.map((t) => ({ t, s: scoreOf(m, p.embedding, t) }));
        const top = scored.reduce((a, b) => (b.s > a.s ? b : a));
        if (top.t.person === p.person) hits++;
        for (const { t, s } of scored) {
          if (m === 'everyFrame') for (const f of t.frames) (t.person === p.person ? same : diff).push(similarity(p.embedding, f));
          else (t.person === p.person ? same : diff).push(s);
        }
      }
      // Tracks as probes against the photos (a track is searched with its template, its best frame, or every frame with the best kept).
      let trackHits = 0;
      for (const t of labelledTracks) {
        const top = photoGallery.map((g) => ({ g, s: scoreOf(m, g.embedding, t) })).reduce((a, b) => (b.s > a.s ? b : a));
        if (top.g.person === t.person) trackHits++;
      }
      consolidation[m] = {
        photoProbes: { probes: probes.length, tracks: labelledTracks.length, rank1: round(hits / probes.length), same: summary(same), different: summary(diff), dPrime: dPrime(same, diff) },
        trackProbes: { probes: labelledTracks.length, gallery: photoGallery.length, rank1: round(trackHits / labelledTracks.length) },
      };
      console.log(m, JSON.stringify(consolidation[m]));
    }
    const result = { bench: 'tracks', pack, machine: machine(), options, tracks: trackResults, consolidation, templateMethod: TEMPLATE_METHOD, rolled };
    writeJson(args.json, result);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
