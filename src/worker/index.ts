/**
 * Entry of one face-engine worker thread: builds the engine from the pack bytes it is
 * given, then analyses one input at a time for the pool in the main process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createFaceAnalyser, type FaceAnalyser } from './face-analysis';
import { FromWorker, LoupeError, ToWorker, type WireError, WorkerInit } from '../shared';

const port = parentPort;
if (!port) throw new Error('src/worker/index.ts runs only as a worker thread of the face pool');

const send = (m: FromWorker) => {
  const transfer: ArrayBuffer[] = [];
  if (m.type === 'embedding') transfer.push(m.embedding.buffer as ArrayBuffer);
  if (m.type === 'result') {
    // Hand the encoded crops and embeddings over instead of copying them.
    for (const f of m.analysis.faces) transfer.push(f.embedding.buffer as ArrayBuffer, f.alignedJpeg.buffer as ArrayBuffer, f.faceJpeg.buffer as ArrayBuffer);
    transfer.push(m.analysis.thumbnailJpeg.buffer as ArrayBuffer);
  }
  port.postMessage(m, [...new Set(transfer)]);
};

const wire = (e: unknown): WireError =>
  e instanceof LoupeError ? { code: e.code, message: e.message } : { code: 'internal', message: `The face engine failed: ${(e as Error)?.message ?? String(e)}` };

let engine: FaceAnalyser;
try {
  engine = await createFaceAnalyser(WorkerInit.parse(workerData));
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'failed', error: wire(e) });
  process.exit(1);
}

port.on('message', async (raw: unknown) => {
  const parsed = ToWorker.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { id?: unknown })?.id;
    if (typeof id === 'number') send({ type: 'error', id, error: { code: 'invalid_input', message: `Bad request to the face engine: ${parsed.error.issues[0]?.message}` } });
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'simulate-crash') process.exit(msg.exitCode);
  try {
    if (msg.type === 'reembed') send({ type: 'embedding', id: msg.id, embedding: await engine.reembed(msg.face) });
    else send({ type: 'result', id: msg.id, analysis: await engine.analyse(msg.input, msg.options) });
  } catch (e) {
    send({ type: 'error', id: msg.id, error: wire(e) });
  }
});
