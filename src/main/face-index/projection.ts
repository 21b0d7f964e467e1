/*
 * The graph's subspace as the index uses it: projecting a face into it, and fitting it in a
 * worker thread (the maths is in src/shared/projection.ts), because a fit on a large sample
 * takes seconds of CPU that the process serving the UI must not spend.
 */
import { Worker } from 'node:worker_threads';
import { dotAt, LoupeError, type Projection, ProjectionFitReply, type ProjectionFitRequest } from '../../shared';
import { workerScript } from '../threads';

/** basis · x: the coordinates of x in the projection's subspace. */
export function project(p: Projection, x: Float32Array): Float32Array {
  const out = new Float32Array(p.d);
  for (let r = 0; r < p.d; r++) out[r] = dotAt(x, p.basis, r * p.dim);
  return out;
}

/** fitProjection (default options) on `sample` (n rows of `dim`), in a worker thread of its own; the sample is copied to it. */
export function fitProjectionOffThread(sample: Float32Array, dim: number): Promise<Projection | null> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerScript('projection'));
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.once('message', (raw: unknown) => {
      const parsed = ProjectionFitReply.safeParse(raw);
      if (!parsed.success) return settle(() => reject(new LoupeError('internal', `The projection worker answered something unexpected (${parsed.error.issues[0]?.message}).`)));
      const reply = parsed.data;
      if (reply.type === 'error') return settle(() => reject(new LoupeError(reply.error.code, reply.error.message)));
      if (reply.projection && reply.projection.basis.length !== reply.projection.d * dim) {
        return settle(() => reject(new LoupeError('internal', 'The projection worker answered a basis of the wrong size.')));
      }
      settle(() => resolve(reply.projection));
    });
    worker.once('error', (e) => settle(() => reject(new LoupeError('internal', `The projection worker failed: ${e.message}`))));
    worker.once('exit', (code) => settle(() => reject(new LoupeError('internal', `The projection worker ended (code ${code}) without an answer.`))));
    const request: ProjectionFitRequest = { sample, dim };
    worker.postMessage(request);
  });
}
