/**
 * Entry of a projection worker thread: fits the face index's projection on one sample
 * (principal components: seconds of CPU for 20,000 faces), answers once, and ends.
 */
import { parentPort } from 'node:worker_threads';
import { LoupeError, ProjectionFitRequest, type ProjectionFitReply, fitProjection } from '../shared';

const port = parentPort;
if (!port) throw new Error('src/worker/projection.ts runs only as a worker thread');

port.once('message', (raw: unknown) => {
  let reply: ProjectionFitReply;
  try {
    const parsed = ProjectionFitRequest.safeParse(raw);
    if (!parsed.success) throw new LoupeError('invalid_input', `Bad request to the projection worker: ${parsed.error.issues[0]?.message}`);
    reply = { type: 'fitted', projection: fitProjection(parsed.data.sample, parsed.data.dim) };
  } catch (e) {
    reply = { type: 'error', error: e instanceof LoupeError ? { code: e.code, message: e.message } : { code: 'internal', message: `The projection fit failed: ${(e as Error)?.message ?? String(e)}` } };
  }
  port.postMessage(reply, reply.type === 'fitted' && reply.projection ? [reply.projection.basis.buffer as ArrayBuffer] : []);
  port.close();
});
