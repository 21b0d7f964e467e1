import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { Block, Panel } from './blocks';
import { MARKER_COLOUR } from './html';

/**
 * The PDF report, drawn headless by pdfkit with fonts shipped as an npm package (DejaVu:
 * Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic letters; no CJK). It is
 * deterministic: the creation date and so the document ID come from the case's records,
 * nothing reads the clock or a random source, so the same blocks give the same bytes.
 */
const fontFile = (name: string) => createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${name}`);
export const REPORT_FONTS = { body: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', mono: 'DejaVuSansMono.ttf' } as const;

const A4_MARGIN = 48;
const FOOTER = 28;
const SIZE = { title: 18, h1: 14, h2: 12, h3: 10.5, body: 9, table: 7.5, mono: 6.5 } as const;

type Doc = InstanceType<typeof PDFDocument>;
/** pdfkit's current font, whose fontkit face tells which characters it can draw. */
type WithFont = { _font?: { font?: { hasGlyphForCodePoint?: (cp: number) => boolean } } };

/**
 * A character the font has no glyph for would print as an empty box: it is written as its
 * code point instead ([U+4E2D]), so a name in a script the fonts lack is still given exactly.
 */
function drawable(doc: Doc, text: string): string {
  const has = (doc as unknown as WithFont)._font?.font?.hasGlyphForCodePoint;
  if (!has) return text;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    out += cp < 0x20 && ch !== '\n' ? ' ' : cp < 0x80 || has.call((doc as unknown as WithFont)._font?.font, cp) ? ch : `[U+${cp.toString(16).toUpperCase().padStart(4, '0')}]`;
  }
  return out;
}

export async function renderPdf(blocks: readonly Block[], meta: { title: string; subject: string; date: Date; footer: string }): Promise<Uint8Array> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: A4_MARGIN, bottom: A4_MARGIN + FOOTER, left: A4_MARGIN, right: A4_MARGIN },
    font: fontFile(REPORT_FONTS.body),
    bufferPages: true,
    lang: 'en-GB',
    displayTitle: true,
    info: { Title: meta.title, Subject: meta.subject, Creator: 'Loupe', Producer: 'Loupe (pdfkit)', CreationDate: meta.date, ModDate: meta.date },
  });
  doc.registerFont('body', fontFile(REPORT_FONTS.body)).registerFont('bold', fontFile(REPORT_FONTS.bold)).registerFont('mono', fontFile(REPORT_FONTS.mono));
  const chunks: Buffer[] = [];
  doc.on('data', (c) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', (err) => reject(err ?? new Error('PDF failed')));
  });

  const left = A4_MARGIN;
  const width = doc.page.width - 2 * A4_MARGIN;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const ensure = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  const write = (font: 'body' | 'bold' | 'mono', size: number, text: string, opts: { x?: number; width?: number; colour?: string; gap?: number } = {}) => {
    doc.font(font).fontSize(size).fillColor(opts.colour ?? '#000');
    doc.text(drawable(doc, text), opts.x ?? left, doc.y, { width: opts.width ?? width, lineGap: 1 });
    doc.y += opts.gap ?? 0;
  };
  const heading = (size: number, text: string, before: number) => {
    doc.y += before;
    doc.font('bold').fontSize(size);
    // Kept with what follows it: a heading never ends a page.
    ensure(doc.heightOfString(drawable(doc, text), { width }) + 90);
    write('bold', size, text, { gap: 4 });
  };

  const table = (head: string[] | null, rows: string[][], widths: number[], mono: readonly number[] = [], labels = false) => {
    const total = widths.reduce((a, b) => a + b, 0);
    const cols = widths.map((w) => (w / total) * width);
    const pad = 2.5;
    const cellFont = (i: number, header: boolean) => (header || (labels && i === 0) ? 'bold' : mono.includes(i) ? 'mono' : 'body');
    const cellSize = (i: number, header: boolean) => (!header && mono.includes(i) ? SIZE.mono : SIZE.table);
    const rowHeight = (cells: string[], header: boolean) =>
      Math.max(
        ...cells.map((c, i) => {
          doc.font(cellFont(i, header)).fontSize(cellSize(i, header));
          return doc.heightOfString(drawable(doc, c), { width: (cols[i] ?? 0) - 2 * pad, lineGap: 0.5 });
        }),
      ) +
      2 * pad;
    const drawRow = (cells: string[], header: boolean) => {
      const h = rowHeight(cells, header);
      if (doc.y + h > bottom()) {
        doc.addPage();
        if (!header && head) drawRow(head, true);
      }
      const y = doc.y;
      let x = left;
      if (header) doc.rect(left, y, width, h).fill('#eeeeee');
      cells.forEach((c, i) => {
        const w = cols[i] ?? 0;
        doc.font(cellFont(i, header)).fontSize(cellSize(i, header)).fillColor('#000');
        doc.text(drawable(doc, c), x + pad, y + pad, { width: w - 2 * pad, lineGap: 0.5 });
        doc.lineWidth(0.4).strokeColor('#888').rect(x, y, w, h).stroke();
        x += w;
      });
      doc.y = y + h;
    };
    // A header row never ends a page alone: it starts where its first row fits too.
    if (head) ensure(rowHeight(head, true) + (rows[0] ? rowHeight(rows[0], false) : 0));
    if (head) drawRow(head, true);
    for (const r of rows) drawRow(r, false);
    doc.y += 8;
  };

  const figure = (caption: string, panels: readonly Panel[]) => {
    const gap = 16;
    const panelW = (width - gap) / 2;
    const scaled = panels.map((p) => Math.min(Math.min(panelW, 220) / p.width, 240 / p.height));
    const h = Math.max(...panels.map((p, i) => p.height * (scaled[i] ?? 1)));
    ensure(h + 60);
    write('bold', SIZE.body, caption, { gap: 2 });
    const top = doc.y;
    panels.forEach((p, i) => {
      const s = scaled[i] ?? 1;
      const x = left + i * (panelW + gap);
      if (p.jpeg) {
        doc.image(Buffer.from(p.jpeg), x, top, { width: p.width * s, height: p.height * s });
        if (p.box) doc.lineWidth(1).strokeColor('#ffd400').rect(x + p.box.x * s, top + p.box.y * s, p.box.w * s, p.box.h * s).stroke();
        for (const m of p.markers) {
          doc.lineWidth(1.2).strokeColor(MARKER_COLOUR[m.kind]).circle(x + m.x * s, top + m.y * s, 5).stroke();
          doc.font('bold').fontSize(8).fillColor(MARKER_COLOUR[m.kind]).text(m.label, x + m.x * s + 6, top + m.y * s - 13, { lineBreak: false });
        }
      } else {
        doc.font('body').fontSize(SIZE.body).fillColor('#000').text('(image not stored)', x, top + 10, { width: panelW });
      }
      doc.font('body').fontSize(SIZE.table).fillColor('#000').text(drawable(doc, p.label), x, top + p.height * s + 3, { width: panelW });
    });
    doc.y = top + h + 24;
  };

  for (const b of blocks) {
    switch (b.t) {
      case 'title':
        write('bold', SIZE.title, b.text, { gap: 4 });
        write('body', SIZE.body, b.sub, { colour: '#333', gap: 8 });
        break;
      case 'h1':
        heading(SIZE.h1, b.text, 10);
        break;
      case 'h2':
        heading(SIZE.h2, b.text, 6);
        break;
      case 'h3':
        heading(SIZE.h3, b.text, 4);
        break;
      case 'p':
        if (b.tone === 'caveat') {
          doc.font('bold').fontSize(SIZE.body);
          const h = doc.heightOfString(drawable(doc, b.text), { width: width - 16 }) + 12;
          ensure(h);
          const y = doc.y;
          doc.lineWidth(1.5).strokeColor('#b00000').rect(left, y, width, h).stroke();
          doc.font('bold').fontSize(SIZE.body).fillColor('#000').text(drawable(doc, b.text), left + 8, y + 6, { width: width - 16 });
          doc.y = y + h + 8;
        } else {
          doc.font('body').fontSize(SIZE.body);
          ensure(Math.min(60, doc.heightOfString(drawable(doc, b.text), { width })));
          write('body', SIZE.body, b.text, { gap: 6 });
        }
        break;
      case 'kv':
        table(null, b.rows, [26, 74], [], true);
        break;
      case 'table':
        table(b.head, b.rows.length ? b.rows : [b.head.map((_, i) => (i === 0 ? 'none' : ''))], b.widths, b.mono);
        break;
      case 'figure':
        figure(b.caption, b.panels);
        break;
      case 'chart': {
        const h = (width * b.height) / b.width;
        ensure(h + 60);
        write('bold', SIZE.body, b.caption, { gap: 2 });
        const top = doc.y;
        doc.image(Buffer.from(b.png), left, top, { width, height: h });
        doc.y = top + h + 4;
        write('body', SIZE.table, b.alt, { colour: '#333', gap: 8 });
        break;
      }
      case 'signature':
        table(null, [['Examiner (name, signature)', '\n\n\n'], ['Date', '\n']], [26, 74], [], true);
        break;
    }
  }

  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    // Written in the bottom margin: without this pdfkit would start a new page for it.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('body').fontSize(7).fillColor('#555').text(drawable(doc, `${meta.footer}. Page ${i + 1} of ${range.count}.`), left, doc.page.height - A4_MARGIN, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = margin;
  }
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
