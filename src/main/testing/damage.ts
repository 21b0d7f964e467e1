import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';

/** Flips one bit of the byte at `fraction` of the file, as a failing disk or a careless copy would. */
export function flipByte(file: string, fraction: number): void {
  const fd = openSync(file, 'r+');
  try {
    const at = Math.floor(statSync(file).size * fraction);
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] = (b[0] as number) ^ 0x10;
    writeSync(fd, b, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}
