import type { Block, Panel } from './blocks';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const MARKER_COLOUR = { examination: '#d01c8b', verification: '#1b7837', resolution: '#e66101' } as const;

/** A face image with its markers and box over it, in the image's own pixels. */
function panelSvg(p: Panel): string {
  if (!p.jpeg) return `<figure><p>(image not stored)</p><figcaption>${esc(p.label)}</figcaption></figure>`;
  const r = Math.max(p.width, p.height) / 40;
  const marks = p.markers
    .map(
      (m) =>
        `<circle cx="${m.x}" cy="${m.y}" r="${r}" fill="none" stroke="${MARKER_COLOUR[m.kind]}" stroke-width="${r / 3}"/><text x="${m.x + r * 1.3}" y="${m.y - r * 1.3}" font-size="${r * 2.2}" fill="${MARKER_COLOUR[m.kind]}" font-family="sans-serif">${esc(m.label)}</text>`,
    )
    .join('');
  const box = p.box ? `<rect x="${p.box.x}" y="${p.box.y}" width="${p.box.w}" height="${p.box.h}" fill="none" stroke="#ffd400" stroke-width="${r / 3}"/>` : '';
  const data = `data:image/jpeg;base64,${Buffer.from(p.jpeg).toString('base64')}`;
  return `<figure><svg role="img" aria-label="${esc(p.label)}" viewBox="0 0 ${p.width} ${p.height}" width="320" height="${Math.round((320 * p.height) / p.width)}"><image href="${data}" width="${p.width}" height="${p.height}" image-rendering="optimizeSpeed"/>${box}${marks}</svg><figcaption>${esc(p.label)}</figcaption></figure>`;
}

function block(b: Block): string {
  switch (b.t) {
    case 'title':
      return `<header><h1>${esc(b.text)}</h1><p>${esc(b.sub)}</p></header>`;
    case 'h1':
      return `<h2>${esc(b.text)}</h2>`;
    case 'h2':
      return `<h3>${esc(b.text)}</h3>`;
    case 'h3':
      return `<h4>${esc(b.text)}</h4>`;
    case 'p':
      return b.tone === 'caveat' ? `<p class="caveat"><strong>${esc(b.text)}</strong></p>` : `<p>${esc(b.text)}</p>`;
    case 'kv':
      return `<table class="kv" border="1" cellpadding="4" cellspacing="0"><tbody>${b.rows.map(([k, v]) => `<tr><th scope="row" align="left" valign="top">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
    case 'table':
      return `<table border="1" cellpadding="4" cellspacing="0"><thead><tr>${b.head.map((h) => `<th align="left">${esc(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
        .map((r) => `<tr>${r.map((c, i) => (b.mono?.includes(i) ? `<td><code>${esc(c)}</code></td>` : `<td>${esc(c)}</td>`)).join('')}</tr>`)
        .join('')}</tbody></table>`;
    case 'figure':
      return `<section aria-label="${esc(b.caption)}"><p><em>${esc(b.caption)}</em></p><div class="pair">${b.panels.map(panelSvg).join('')}</div></section>`;
    case 'chart':
      return `<figure><p><em>${esc(b.caption)}</em></p><img src="data:image/png;base64,${Buffer.from(b.png).toString('base64')}" width="${Math.min(820, b.width)}" alt="${esc(b.alt)}"><figcaption>${esc(b.alt)}</figcaption></figure>`;
    case 'signature':
      return '<table class="kv" border="1" cellpadding="12" cellspacing="0"><tbody><tr><th scope="row" align="left">Examiner (name, signature)</th><td width="60%"></td></tr><tr><th scope="row" align="left">Date</th><td></td></tr></tbody></table>';
  }
}

/** Styles of the HTML file; the app's screen shows the body alone in a sandboxed frame, where the window's policy allows no inline style. */
const STYLE =
  'body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:13px;max-width:1100px;margin:24px auto;color:#111}table{border-collapse:collapse;width:100%;margin:6px 0 12px}th,td{border:1px solid #999;vertical-align:top;overflow-wrap:anywhere}.kv th{width:24%;background:#f2f2f2}.caveat{border:2px solid #b00;padding:8px}.pair{display:flex;gap:16px;flex-wrap:wrap}figure{margin:0}code{font-size:11px}';

/** The report's body, as the screen shows it. */
export function renderBody(blocks: readonly Block[]): string {
  return `<main>${blocks.map(block).join('\n')}</main>`;
}

/** The HTML report as a file: one self-contained document (images inline), deterministic for the same blocks. */
export function renderHtml(blocks: readonly Block[], title: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${renderBody(blocks)}</body></html>\n`;
}
