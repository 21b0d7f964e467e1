/** How an embedding is kept in a BLOB column, and read back: the one place both directions live. */
export const embeddingBlob = (e: Float32Array): Buffer => Buffer.from(e.buffer, e.byteOffset, e.byteLength);

export const toEmbedding = (blob: Buffer): Float32Array => {
  // Copy: a Buffer from SQLite may not be 4-byte aligned.
  const copy = new Uint8Array(blob.length);
  copy.set(blob);
  return new Float32Array(copy.buffer);
};
