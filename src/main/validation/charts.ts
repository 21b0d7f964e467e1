import sharp from 'sharp';
import type { ValidationImage } from '../../shared';
import { detCurve, type ScoreHistogram } from '../validation-stats';

/*
 * Charts as plain SVG (no script, no external reference), drawn so a person can read them
 * unaided: titled, axes labelled with their scale, a legend, colours from the Okabe-Ito
 * palette (distinct to colour-blind readers) and a dash pattern per line as well.
 */

const W = 820;
const H = 500;
const M = { left: 78, right: 250, top: 56, bottom: 64 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';
const COLOURS = ['#000000', '#E69F00', '#0072B2', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442'];
const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 4', '12 6', '1 2', '6 2 2 2'];

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (x: number) => Number(x.toFixed(2));

export interface DetLine {
  label: string;
  genuine: ScoreHistogram;
  impostor: ScoreHistogram;
}

const superscript = (e: number) => `10${String(e).replace('-', '\u207B').replace(/\d/g, (d) => '\u2070\u00B9\u00B2\u00B3\u2074\u2075\u2076\u2077\u2078\u2079'[Number(d)]!)}`;

function frame(title: string, subtitle: string, xLabel: string, yLabel: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}" role="img">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="24" font-size="17" font-weight="bold" fill="#111">${esc(title)}</text>`,
    `<text x="${M.left}" y="44" font-size="12" fill="#444">${esc(subtitle)}</text>`,
    body,
    `<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="none" stroke="#333"/>`,
    `<text x="${M.left + PW / 2}" y="${H - 16}" font-size="13" text-anchor="middle" fill="#111">${esc(xLabel)}</text>`,
    `<text transform="translate(18 ${M.top + PH / 2}) rotate(-90)" font-size="13" text-anchor="middle" fill="#111">${esc(yLabel)}</text>`,
    '</svg>',
  ].join('\n');
}

interface LegendItem {
  label: string;
  colour: string;
  dash: string;
  width: number;
  marker?: boolean;
}

function legend(items: readonly LegendItem[]): string {
  const x = M.left + PW + 16;
  return items
    .map((it, i) => {
      const y = M.top + 14 + i * 22;
      const line = it.marker
        ? `<circle cx="${x + 14}" cy="${y - 4}" r="4.5" fill="#fff" stroke="#111" stroke-width="1.6"/>`
        : `<line x1="${x}" y1="${y - 4}" x2="${x + 28}" y2="${y - 4}" stroke="${it.colour}" stroke-width="${it.width}"${it.dash ? ` stroke-dasharray="${it.dash}"` : ''}/>`;
      return `${line}<text x="${x + 34}" y="${y}" font-size="12" fill="#111">${esc(it.label.length > 30 ? `${it.label.slice(0, 29)}…` : it.label)}</text>`;
    })
    .join('\n');
}

/**
 * DET curves (FNMR against FMR, both on log scales, as NIST draws them), one line per set,
 * with the operating threshold marked on each and the 1 in 1,000 and 1 in 10,000 rates drawn.
 */
export function detChart(title: string, subtitle: string, lines: readonly DetLine[], operatingThreshold: number | null): string {
  const curves = lines.map((l) => ({ ...l, points: detCurve(l.genuine, l.impostor) }));
  const smallestFmr = Math.min(1e-4, ...curves.flatMap((c) => c.points.filter((p) => p.fmr > 0).map((p) => p.fmr)));
  const smallestFnmr = Math.min(1e-2, ...curves.flatMap((c) => c.points.filter((p) => p.fnmr > 0).map((p) => p.fnmr)));
  const xMin = Math.floor(Math.log10(smallestFmr));
  const yMin = Math.floor(Math.log10(smallestFnmr));
  const x = (fmr: number) => M.left + ((Math.log10(fmr) - xMin) / -xMin) * PW;
  const y = (fnmr: number) => M.top + PH - ((Math.log10(fnmr) - yMin) / -yMin) * PH;
  const grid: string[] = [];
  for (let e = xMin; e <= 0; e++) {
    grid.push(`<line x1="${num(x(10 ** e))}" y1="${M.top}" x2="${num(x(10 ** e))}" y2="${M.top + PH}" stroke="#ddd"/>`);
    grid.push(`<text x="${num(x(10 ** e))}" y="${M.top + PH + 18}" font-size="12" text-anchor="middle" fill="#333">${superscript(e)}</text>`);
  }
  for (let e = yMin; e <= 0; e++) {
    grid.push(`<line x1="${M.left}" y1="${num(y(10 ** e))}" x2="${M.left + PW}" y2="${num(y(10 ** e))}" stroke="#ddd"/>`);
    grid.push(`<text x="${M.left - 8}" y="${num(y(10 ** e)) + 4}" font-size="12" text-anchor="end" fill="#333">${superscript(e)}</text>`);
  }
  [1e-3, 1e-4].forEach((fmr, k) => {
    if (Math.log10(fmr) < xMin) return;
    grid.push(`<line x1="${num(x(fmr))}" y1="${M.top}" x2="${num(x(fmr))}" y2="${M.top + PH}" stroke="#888" stroke-dasharray="3 3"/>`);
    grid.push(`<text x="${num(x(fmr)) + 3}" y="${M.top + 13 + k * 14}" font-size="11" fill="#555">FMR 1 in ${(1 / fmr).toLocaleString('en-GB')}</text>`);
  });
  const paths = curves.map((c, i) => {
    // An FNMR of 0 has no place on a log scale: the line ends where the set's misses run out.
    const pts = c.points.filter((p) => p.fmr > 0 && p.fnmr > 0 && Math.log10(p.fmr) >= xMin);
    const d = pts.map((p, k) => `${k === 0 ? 'M' : 'L'}${num(x(p.fmr))} ${num(y(p.fnmr))}`).join(' ');
    const op = operatingThreshold === null ? null : c.points.find((p) => p.threshold >= operatingThreshold - 1e-12);
    const marker = op && op.fmr > 0 && op.fnmr > 0 && Math.log10(op.fmr) >= xMin ? `<circle cx="${num(x(op.fmr))}" cy="${num(y(op.fnmr))}" r="4.5" fill="#fff" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="1.6"/>` : '';
    return `<path d="${d}" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="${i === 0 ? 2.6 : 1.8}"${DASHES[i % DASHES.length] ? ` stroke-dasharray="${DASHES[i % DASHES.length]}"` : ''}/>${marker}`;
  });
  // A set whose misses run out before its pairs can measure any false match rate has no line: say so, not leave it out silently.
  const undrawn = curves.filter((c) => !c.points.some((p) => p.fmr > 0 && p.fnmr > 0 && Math.log10(p.fmr) >= xMin)).map((c) => c.label);
  if (undrawn.length > 0) {
    paths.push(`<text x="${M.left + 8}" y="${M.top + PH - 8}" font-size="11" fill="#333">No line for ${esc(undrawn.join(', '))}: no misses at any false match rate its own pairs can measure.</text>`);
  }
  const items: LegendItem[] = curves.map((c, i) => ({ label: c.label, colour: COLOURS[i % COLOURS.length]!, dash: DASHES[i % DASHES.length]!, width: i === 0 ? 2.6 : 1.8 }));
  if (operatingThreshold !== null) items.push({ label: `operating threshold ${operatingThreshold.toFixed(3)}`, colour: '#111', dash: '', width: 1, marker: true });
  return frame(title, subtitle, 'False match rate (FMR), log scale', 'False non-match rate (FNMR), log scale', `${grid.join('\n')}\n${paths.join('\n')}\n${legend(items)}`);
}

/** Genuine and impostor score distributions of one set, each as its share of pairs per bin. */
export function histogramChart(title: string, subtitle: string, genuine: ScoreHistogram, impostor: ScoreHistogram, operatingThreshold: number | null): string {
  const BIN = 0.02;
  const per = Math.round(BIN / genuine.width);
  const bins = Math.ceil(genuine.counts.length / per);
  const rebin = (h: ScoreHistogram) => {
    const out = new Array<number>(bins).fill(0);
    h.counts.forEach((c, i) => (out[Math.floor(i / per)]! += c));
    const total = out.reduce((a, b) => a + b, 0);
    return total > 0 ? out.map((c) => c / total) : out;
  };
  const g = rebin(genuine);
  const m = rebin(impostor);
  const used = (xs: number[]) => xs.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0);
  const usedBins = [...used(g), ...used(m)];
  const first = usedBins.length > 0 ? Math.max(0, Math.min(...usedBins) - 2) : 0;
  const last = usedBins.length > 0 ? Math.min(bins - 1, Math.max(...usedBins) + 2) : bins - 1;
  const lo = genuine.min + first * BIN;
  const hi = genuine.min + (last + 1) * BIN;
  const top = Math.max(0.01, ...g, ...m) * 1.08;
  const x = (s: number) => M.left + ((s - lo) / (hi - lo)) * PW;
  const y = (v: number) => M.top + PH - (v / top) * PH;
  const grid: string[] = [];
  const step = hi - lo > 1 ? 0.2 : 0.1;
  for (let s = Math.ceil(lo / step) * step; s <= hi + 1e-9; s += step) {
    grid.push(`<line x1="${num(x(s))}" y1="${M.top}" x2="${num(x(s))}" y2="${M.top + PH}" stroke="#eee"/>`);
    grid.push(`<text x="${num(x(s))}" y="${M.top + PH + 18}" font-size="12" text-anchor="middle" fill="#333">${s.toFixed(1)}</text>`);
  }
  const yStep = top > 0.25 ? 0.1 : top > 0.1 ? 0.05 : 0.02;
  for (let v = 0; v <= top; v += yStep) {
    grid.push(`<line x1="${M.left}" y1="${num(y(v))}" x2="${M.left + PW}" y2="${num(y(v))}" stroke="#eee"/>`);
    grid.push(`<text x="${M.left - 8}" y="${num(y(v)) + 4}" font-size="12" text-anchor="end" fill="#333">${Math.round(v * 100)}%</text>`);
  }
  const bars = (shares: number[], colour: string, pattern: string) =>
    shares
      .map((v, i) => (i < first || i > last || v === 0 ? '' : `<rect x="${num(x(genuine.min + i * BIN))}" y="${num(y(v))}" width="${num(x(BIN) - x(0))}" height="${num(y(0) - y(v))}" fill="${colour}" fill-opacity="0.45" stroke="${colour}" stroke-width="1"${pattern ? ` stroke-dasharray="${pattern}"` : ''}/>`))
      .join('');
  const body = [grid.join('\n'), bars(m, COLOURS[1]!, ''), bars(g, COLOURS[2]!, '3 2')];
  const items = [
    { label: 'different people', colour: COLOURS[1]!, dash: '', width: 8 },
    { label: 'same person', colour: COLOURS[2]!, dash: '3 2', width: 8 },
  ];
  if (operatingThreshold !== null && operatingThreshold > lo && operatingThreshold < hi) {
    body.push(`<line x1="${num(x(operatingThreshold))}" y1="${M.top}" x2="${num(x(operatingThreshold))}" y2="${M.top + PH}" stroke="#111" stroke-width="1.6" stroke-dasharray="6 3"/>`);
    items.push({ label: `operating threshold ${operatingThreshold.toFixed(3)}`, colour: '#111', dash: '6 3', width: 1.6 });
  }
  body.push(legend(items));
  return frame(title, subtitle, 'Similarity score (cosine)', `Share of pairs per ${BIN} of score`, body.join('\n'));
}

/** A PNG of an SVG chart (sharp renders it with librsvg), for reports and readers without SVG. */
export async function chartPng(image: Pick<ValidationImage, 'svg'>): Promise<Buffer> {
  return sharp(Buffer.from(image.svg), { density: 144 }).png({ compressionLevel: 9 }).toBuffer();
}
