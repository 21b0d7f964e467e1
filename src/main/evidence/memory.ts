import { LoupeError } from '../../shared';

/**
 * Bytes of decoded pixels an import may hold at once (frames and images on their way to
 * the face engine and back), whatever the number of workers: with a budget counted in
 * workers, a 16-core machine would hold 48 frames of 8K video (about 9 GB) at a time.
 */
export const IMPORT_MEMORY_BYTES = 512 * 2 ** 20;

/**
 * A budget of bytes shared by the imports of one case. Takers are served in order; one
 * that asks for more than the whole budget is served alone, once nothing else is held,
 * so an 8K frame is analysed rather than refused.
 */
export class ByteBudget {
  private held = 0;
  /** The most bytes held at once since the budget was made. */
  peak = 0;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  constructor(readonly limit: number = IMPORT_MEMORY_BYTES) {}

  /** Resolves with a release function once `bytes` fit; rejects if the signal aborts first. */
  async acquire(bytes: number, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new LoupeError('cancelled', 'The import was cancelled.');
    if (this.waiting.length > 0 || !this.fits(bytes)) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i < 0) return;
          this.waiting.splice(i, 1);
          reject(new LoupeError('cancelled', 'The import was cancelled.'));
          this.grant();
        };
        const entry = {
          bytes,
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        this.waiting.push(entry);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } else this.take(bytes);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
      this.grant();
    };
  }

  private fits(bytes: number): boolean {
    return this.held === 0 || this.held + bytes <= this.limit;
  }

  private take(bytes: number): void {
    this.held += bytes;
    this.peak = Math.max(this.peak, this.held);
  }

  private grant(): void {
    for (let next = this.waiting[0]; next && this.fits(next.bytes); next = this.waiting[0]) {
      this.waiting.shift();
      this.take(next.bytes);
      next.grant();
    }
  }
}
