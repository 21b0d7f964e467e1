/** The part of pdfkit's API the report uses (pdfkit ships no type declarations). */
declare module 'pdfkit' {
  interface TextOptions {
    width?: number;
    align?: 'left' | 'center' | 'right' | 'justify';
    lineGap?: number;
    continued?: boolean;
    lineBreak?: boolean;
  }
  interface DocumentOptions {
    size?: string;
    margins?: { top: number; bottom: number; left: number; right: number };
    info?: Record<string, string | Date>;
    font?: string;
    autoFirstPage?: boolean;
    bufferPages?: boolean;
    lang?: string;
    displayTitle?: boolean;
    pdfVersion?: string;
  }
  class PDFDocument {
    constructor(options?: DocumentOptions);
    x: number;
    y: number;
    page: { width: number; height: number; margins: { top: number; bottom: number; left: number; right: number } };
    registerFont(name: string, src: string): this;
    font(name: string): this;
    fontSize(size: number): this;
    fillColor(colour: string): this;
    strokeColor(colour: string): this;
    lineWidth(w: number): this;
    text(text: string, x?: number, y?: number, options?: TextOptions): this;
    heightOfString(text: string, options?: TextOptions): number;
    widthOfString(text: string, options?: TextOptions): number;
    addPage(): this;
    image(src: Buffer, x: number, y: number, options?: { width?: number; height?: number }): this;
    rect(x: number, y: number, w: number, h: number): this;
    circle(x: number, y: number, r: number): this;
    moveTo(x: number, y: number): this;
    lineTo(x: number, y: number): this;
    stroke(): this;
    fill(colour?: string): this;
    save(): this;
    restore(): this;
    clip(): this;
    bufferedPageRange(): { start: number; count: number };
    switchToPage(n: number): this;
    on(event: 'data', listener: (chunk: Buffer) => void): this;
    on(event: 'end' | 'error', listener: (err?: Error) => void): this;
    end(): void;
  }
  export default PDFDocument;
}
