import { open } from 'node:fs/promises';
import { LoupeError } from '../../shared';

/** hnswlib's header: six size_t, an int and a tableint, four size_t and a double (hnswalg.h saveIndex). */
const HEADER_BYTES = 96;
const COUNT_AT = 16;
const BYTES_PER_ELEMENT_AT = 24;
const READ_BYTES = 1 << 20;

/**
 * Checks that hnswlib wrote its whole file: its writer does not report a short write (a RAM
 * folder that filled up meanwhile), and a cut file sealed over the last good index would
 * only be found, and rebuilt, on the next open. Walks the layout as hnswlib's loader does:
 * header, `count` fixed-size level-0 records, then per face a length and its upper links.
 */
export async function checkHnswFile(file: string, expectedCount: number): Promise<void> {
  const cut = () => new LoupeError('unavailable', 'hnswlib wrote an incomplete face index (the RAM folder may have filled up); it was not saved, and will be rebuilt from the case when the case is opened.');
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(HEADER_BYTES);
    if ((await fh.read(head, 0, HEADER_BYTES, 0)).bytesRead < HEADER_BYTES) throw cut();
    const count = Number(head.readBigUInt64LE(COUNT_AT));
    if (count !== expectedCount) throw cut();
    let pos = HEADER_BYTES + count * Number(head.readBigUInt64LE(BYTES_PER_ELEMENT_AT));
    const buf = Buffer.alloc(READ_BYTES);
    let bufAt = 0;
    let bufEnd = 0;
    for (let i = 0; i < count; i++) {
      if (pos + 4 > size) throw cut();
      if (pos < bufAt || pos + 4 > bufEnd) {
        bufAt = pos;
        bufEnd = pos + (await fh.read(buf, 0, READ_BYTES, pos)).bytesRead;
        if (pos + 4 > bufEnd) throw cut();
      }
      pos += 4 + buf.readUInt32LE(pos - bufAt);
    }
    if (pos !== size) throw cut();
  } finally {
    await fh.close();
  }
}
