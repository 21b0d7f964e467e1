import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatEstimate, formatRate, metricLabel, VALIDATION_METRICS, visibleText as t, type ValidationRecord } from '../shared';
import { chartPng } from '../main/validation';
import { optionalString, options, print, required, UsageError, wholeNumber, type Command } from './args';
import { withSession } from './session';

export function describeValidation(r: ValidationRecord): string {
  const sets = [r.figures.overall, ...r.figures.groups];
  const th = r.figures.thresholds;
  const score = (x: number | null) => (x === null ? 'none' : x.toFixed(4));
  return [
    `validation ${r.id} of ${r.pack} ${r.packVersion} by ${t(r.createdBy)} at ${r.createdAt} (${r.seconds.toFixed(0)} s)`,
    `data: ${t(r.dataset.description)}; ${r.dataset.people} people, ${r.dataset.images} images (${r.dataset.imagesWithoutFace} without a face) in ${r.dataset.folders.map(t).join(', ')}; sha256 ${r.dataset.sha256}`,
    ...(r.dataset.groups ? [`groups: ${t(r.dataset.groups.grouping)} by ${r.dataset.groups.by} from ${t(r.dataset.groups.file)} (${r.dataset.groups.labels.map(t).join(', ')})`] : []),
    `thresholds: FMR 1e-3 ${score(th['fnmrAtFmr1e-3'])}, FMR 1e-4 ${score(th['fnmrAtFmr1e-4'])}, operating ${score(th.operating)}`,
    ...sets.flatMap((s) => [
      `${s.label === 'All' ? 'All' : `${t(r.grouping ?? 'group')} ${t(s.label)}`}: ${s.people} people, ${s.genuinePairs.toLocaleString('en-GB')} same-person and ${s.impostorPairs.toLocaleString('en-GB')} different-people pairs, ${s.probes} probes; smallest FMR its impostor pairs support: ${s.smallestFmr === null ? 'none' : formatRate(s.smallestFmr)}`,
      ...VALIDATION_METRICS.map((m) => `  ${metricLabel(m, r.rank).padEnd(34)} ${formatEstimate(s.metrics[m]!)}${s.metrics[m]!.note ? `  [${s.metrics[m]!.note}]` : ''}`),
    ]),
    ...(r.figures.differentials.length > 0
      ? ['worst group / best group:', ...r.figures.differentials.map((d) => `  ${metricLabel(d.metric, r.rank).padEnd(34)} ${formatEstimate(d.ratio, 'ratio')}${d.worst ? ` (${t(d.worst)} / ${t(d.best ?? '')})` : ''}${d.ratio.note ? `  [${d.ratio.note}]` : ''}`)]
      : []),
    ...r.notes.map((n) => `note: ${n}`),
    `charts: ${r.charts.map((c) => c.name).join(', ')}`,
  ].join('\n');
}

/** Writes each chart as SVG and as PNG (rendered from the SVG) into a folder. */
async function writeCharts(r: ValidationRecord, out: string): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  for (const c of r.charts) {
    const base = path.join(out, `${r.pack}-${c.name}`);
    writeFileSync(`${base}.svg`, c.svg);
    writeFileSync(`${base}.png`, await chartPng(c));
    files.push(`${base}.svg`, `${base}.png`);
  }
  return files;
}

export const VALIDATE: Command = {
  words: ['validate'],
  usage: 'validate --data DIR [--data DIR] [--groups FILE] --description TEXT [--pack NAME] [--replicates N] [--seed N] [--out DIR] | validate --list | validate --show ID [--out DIR]',
  summary: "validate a model pack on the agency's labelled photos (a folder per person), overall and per group (supervisor)",
  async run(ctx) {
    const { values } = options(ctx, {
      data: { type: 'string', multiple: true },
      groups: { type: 'string' },
      description: { type: 'string' },
      pack: { type: 'string' },
      replicates: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      list: { type: 'boolean' },
      show: { type: 'string' },
    });
    if (values.list) {
      const list = await withSession(ctx, (c) => c.must('validation.list', {}));
      print(ctx, list, () => (list.length === 0 ? 'no validation records' : list.map((v) => `${v.id}  ${v.createdAt}  ${v.pack} ${v.packVersion}  ${v.people} people, ${v.images} images${v.grouping ? `, by ${t(v.grouping)}` : ''}  ${t(v.description)}`).join('\n')));
      return;
    }
    const show = optionalString(values.show);
    const out = optionalString(values.out);
    let record: ValidationRecord;
    if (show) {
      record = await withSession(ctx, (c) => c.must('validation.get', { id: show }));
    } else {
      const dataDirs = (values.data as string[] | undefined) ?? [];
      if (dataDirs.length === 0) throw new UsageError('Give the labelled photos: loupe validate --data DIR (a folder per person) --description TEXT');
      const replicates = wholeNumber(values.replicates, 'replicates');
      const seed = wholeNumber(values.seed, 'seed');
      const groupsFile = optionalString(values.groups);
      const pack = optionalString(values.pack);
      record = await withSession(ctx, async (c, ws) => {
        let last = '';
        const off = ws.onEvent((e) => {
          if (e.type !== 'validation.progress' || ctx.json) return;
          const line = `\r${e.stage} ${e.done}/${e.total}`;
          if (line !== last) process.stderr.write(line.padEnd(last.length));
          last = line;
        });
        try {
          return await c.must('validation.run', {
            dataDirs,
            description: required(values, 'description'),
            ...(groupsFile ? { groupsFile } : {}),
            ...(pack ? { pack } : {}),
            ...(replicates !== undefined ? { replicates } : {}),
            ...(seed !== undefined ? { seed } : {}),
          });
        } finally {
          off();
          if (last) process.stderr.write('\n');
        }
      });
    }
    const files = out ? await writeCharts(record, out) : [];
    print(ctx, ctx.json ? { ...record, charts: record.charts.map(({ svg: _svg, ...c }) => c), files } : record, () => [describeValidation(record), ...(files.length ? [`wrote ${files.length} files to ${out}`] : [])].join('\n'));
  },
};
