import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import {
  embedderId, GROUPING_NOTE, isImageType, LoupeError, sniffFileType, type ValidationImage, type ValidationProgress, type ValidationRecord,
} from '../../shared';
import { thresholdFor } from '../calibration';
import { listLabelledImages } from '../calibration-measurement';
import { sha256Hex } from '../crypto';
import type { FacePool } from '../face-pool';
import type { LoadedPack } from '../models';
import { measure } from '../validation-stats';
import { chartPng, detChart, histogramChart } from './charts';
import { assignGroups, type Groups } from './groups';
import { scorePairs, type ScoredImage } from './scores';

export { chartPng } from './charts';
export { parseGroups } from './groups';

/** The operating threshold is the pack's score for the search's default false match rate (SearchRequest.maxFmr, 1 in 1,000). */
export const OPERATING_FMR = 1e-3;
/** R of FNIR at rank R. */
export const FNIR_RANK = 50;

export interface ValidationInput {
  dataDirs: readonly string[];
  groupsFile?: string | undefined;
  description: string;
  replicates: number;
  seed: number;
}

/** A validation's record before it is saved (the store gives id, date and who ran it), and its charts as PNG. */
export interface ValidationResult {
  record: Omit<ValidationRecord, 'id' | 'createdAt' | 'createdBy'>;
  pngs: { name: string; png: Buffer }[];
}

type Progress = (p: Omit<ValidationProgress, 'type'>) => void;

interface DataImage {
  person: string;
  /** Its path under its data folder, with forward slashes: how a groups file names it. */
  key: string;
  file: string;
  folder: string;
}

/** Enough of a file's start to tell an image by its bytes. */
const SNIFF_BYTES = 4096;

function isImageFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    return isImageType(sniffFileType(head.subarray(0, readSync(fd, head, 0, SNIFF_BYTES, 0))));
  } finally {
    closeSync(fd);
  }
}

/** The images of the labelled folders (typed by their bytes), and how many other files were passed over. */
function listData(dirs: readonly string[]): { images: DataImage[]; others: number } {
  const files = dirs.flatMap((dir) =>
    listLabelledImages(dir).map((i) => ({ person: i.identity, key: path.relative(dir, i.file).split(path.sep).join('/'), file: i.file, folder: path.basename(path.resolve(dir)) })),
  );
  const images = files.filter((f) => isImageFile(f.file));
  return { images, others: files.length - images.length };
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'group';

/**
 * Validates a pack on labelled photos: every image is analysed in the face pool (its
 * largest face), every pair and every image as a 1:N probe is scored, and the figures of
 * validation-stats are measured overall and per group, with charts.
 */
export async function runValidation(input: ValidationInput, pack: LoadedPack, pool: FacePool, onProgress: Progress): Promise<ValidationResult> {
  const started = performance.now();
  onProgress({ stage: 'reading', done: 0, total: input.dataDirs.length });
  const { images: listed, others } = listData(input.dataDirs);
  const personNames = [...new Set(listed.map((i) => i.person))].sort();
  if (personNames.length < 2) throw new LoupeError('invalid_input', 'The data holds images of fewer than two people; validation needs a folder per person, for many people.');
  let groupsText: string | null = null;
  if (input.groupsFile) {
    try {
      groupsText = readFileSync(input.groupsFile, 'utf8');
    } catch {
      throw new LoupeError('not_found', `No groups file can be read at ${input.groupsFile}; give the path of a CSV or JSON groups file, or leave it out.`);
    }
  }
  // Checked before any analysis, so a mistake in the file costs seconds, not the whole run.
  const groups: Groups | null = groupsText === null ? null : assignGroups(input.groupsFile!, groupsText, listed);

  // Analysis: one image at a time into the pool (whenReady holds us while its queue is full); bytes are hashed as they are read.
  const hashes: string[] = new Array<string>(listed.length);
  const embeddings: (Float32Array | null)[] = new Array<Float32Array | null>(listed.length).fill(null);
  let done = 0;
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < listed.length; i++) {
    await pool.whenReady();
    const bytes = new Uint8Array(readFileSync(listed[i]!.file));
    hashes[i] = sha256Hex(bytes);
    jobs.push(
      pool
        .analyse(bytes, { smallFaces: false, thumbnail: false })
        .then((a) => {
          const largest = a.faces.reduce<(typeof a.faces)[number] | null>((b, f) => (!b || f.box.w * f.box.h > b.box.w * b.box.h ? f : b), null);
          embeddings[i] = largest?.embedding ?? null;
        })
        // An image the engine cannot read is an image without a face: it counts against the pack.
        .catch(() => undefined)
        .then(() => onProgress({ stage: 'analysing', done: ++done, total: listed.length })),
    );
  }
  await Promise.all(jobs);

  const kept = listed.map((img, i) => ({ ...img, sha256: hashes[i]!, embedding: embeddings[i] ?? null }));
  const personIndex = new Map(personNames.map((p, i) => [p, i]));
  const scored: ScoredImage[] = kept.map((img, i) => ({ person: personIndex.get(img.person)!, group: groups ? groups.ofImage[i]! : -1, embedding: img.embedding }));

  const calibration = pack.manifest.calibration ?? null;
  const operatingThreshold = calibration ? thresholdFor(calibration, OPERATING_FMR) : null;
  const { set, all, byGroup } = await scorePairs(scored, personNames.length, groups?.labels.length ?? 0, operatingThreshold, (d, t) => onProgress({ stage: 'scoring', done: d, total: t }));
  onProgress({ stage: 'resampling', done: 0, total: input.replicates });
  const figures = measure({ ...set, groups: groups?.labels ?? [] }, { operatingThreshold, rank: FNIR_RANK, replicates: input.replicates, seed: input.seed });
  onProgress({ stage: 'resampling', done: input.replicates, total: input.replicates });

  const datasetSha256 = sha256Hex(
    kept
      .map((i) => `${i.folder}/${i.key}\t${i.sha256}\n`)
      .sort()
      .join(''),
  );
  const withoutFace = kept.filter((i) => !i.embedding).length;
  const packName = `${pack.manifest.name} ${pack.manifest.version}`;
  const charts: ValidationImage[] = [];
  const sub = (n: { people: number; genuinePairs: number; impostorPairs: number }) =>
    `${packName}; ${n.people.toLocaleString('en-GB')} people, ${n.genuinePairs.toLocaleString('en-GB')} same-person and ${n.impostorPairs.toLocaleString('en-GB')} different-people pairs`;
  charts.push({
    name: 'det',
    title: groups ? `DET curves: all and by ${groups.grouping}` : 'DET curve',
    description: `False non-match rate against false match rate, both on log scales; lower is better. ${groups ? `One line for all pairs and one per ${groups.grouping} group.` : ''} A circle marks the operating threshold. Each group's line uses its own pairs (the table's FNMR at FMR is measured at the thresholds of all pairs). A line ends where its set has no more misses (an FNMR of 0 has no place on a log scale).`,
    svg: detChart(groups ? `DET curves: all and by ${groups.grouping}` : 'DET curve', sub(figures.overall), [{ label: 'All', ...all }, ...(groups?.labels ?? []).map((label, g) => ({ label, ...byGroup[g]! }))], operatingThreshold),
  });
  const sets = [{ label: 'All', figures: figures.overall, d: all }, ...figures.groups.map((f, g) => ({ label: f.label, figures: f, d: byGroup[g]! }))];
  sets.forEach((s, k) => {
    const title = k === 0 ? 'Score distributions: all pairs' : `Score distributions: ${groups!.grouping} ${s.label}`;
    charts.push({
      name: k === 0 ? 'scores-all' : `scores-${k}-${slug(s.label)}`,
      title,
      description: 'The share of same-person and of different-people pairs at each similarity score; the further apart the two, the fewer errors at any threshold.',
      svg: histogramChart(title, sub(s.figures), s.d.genuine, s.d.impostor, operatingThreshold),
    });
  });
  onProgress({ stage: 'drawing', done: 0, total: charts.length });
  const pngs: { name: string; png: Buffer }[] = [];
  for (const img of charts) pngs.push({ name: img.name, png: await chartPng(img) });
  onProgress({ stage: 'drawing', done: charts.length, total: charts.length });

  const notes = [
    ...(groups ? [GROUPING_NOTE] : []),
    `Intervals are 95% bootstrap intervals over ${input.replicates.toLocaleString('en-GB')} resamplings of people (seed ${input.seed}; people drawn within ${figures.strata} strata of the same groups), so pairs that share a person move together; the 1:N gallery is held fixed and its probes' people are resampled.`,
    'FNMR at FMR 1 in 1,000 and 1 in 10,000 is measured at thresholds set on all impostor pairs of this data; each group is measured at those same thresholds, as a workstation uses one threshold for everyone.',
    `The operating threshold is the pack's score for a false match rate of 1 in ${(1 / OPERATING_FMR).toLocaleString('en-GB')} (the search's default) by its calibration${calibration ? ` (${calibration.dataset})` : ''}; if the calibration data overlaps these photos, the FMR there is not an independent check.`,
    `Each image's largest face is used. ${withoutFace} of ${kept.length} images had no face found: their pairs count as non-matches and, as probes, as misses. 1:N: each image of a person with another image is a probe against all other images, ${personNames.length} people in the gallery.`,
    ...(others > 0 ? [`${others} files that are not images were left out.`] : []),
  ];
  return {
    record: {
      pack: pack.manifest.name,
      packVersion: pack.manifest.version,
      embedder: embedderId(pack.manifest),
      operatingFmr: calibration ? OPERATING_FMR : null,
      calibration: calibration?.dataset ?? null,
      description: input.description,
      datasetSha256,
      people: personNames.length,
      images: kept.length,
      grouping: groups?.grouping ?? null,
      dataset: {
        description: input.description,
        folders: input.dataDirs.map((d) => path.resolve(d)),
        people: personNames.length,
        images: kept.length,
        imagesWithoutFace: withoutFace,
        sha256: datasetSha256,
        groups: groups ? { file: path.resolve(input.groupsFile!), sha256: sha256Hex(groupsText!), grouping: groups.grouping, labels: groups.labels, by: groups.by } : null,
      },
      figures,
      rank: FNIR_RANK,
      galleryPeople: personNames.length,
      notes,
      seconds: (performance.now() - started) / 1000,
      charts,
    },
    pngs,
  };
}
