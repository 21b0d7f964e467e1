import * as ort from 'onnxruntime-node';
import { LoupeError } from '../../shared';

export type Outputs = Record<string, { data: Float32Array; dims: readonly number[] }>;

/** One ONNX Runtime session on one thread: the pool parallelises across workers instead. */
export class Model {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputName: string,
    readonly label: string,
  ) {}

  static async load(bytes: Uint8Array, label: string): Promise<Model> {
    // The pool switches ONNX Runtime's telemetry off before starting workers; a worker started any other way refuses rather than report home.
    if (process.env.ORT_DISABLE_TELEMETRY !== '1') throw new LoupeError('internal', 'ONNX Runtime telemetry is not switched off (ORT_DISABLE_TELEMETRY=1): start the face engine through its worker pool.');
    try {
      const session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      });
      const input = session.inputNames[0];
      if (!input) throw new Error('the model has no input');
      return new Model(session, input, label);
    } catch (e) {
      throw new LoupeError('integrity', `The ${label} model could not be loaded (${(e as Error).message}); reinstall the model pack.`);
    }
  }

  async run(data: Float32Array, dims: number[]): Promise<Outputs> {
    const result = await this.session.run({ [this.inputName]: new ort.Tensor('float32', data, dims) });
    const out: Outputs = {};
    for (const [name, t] of Object.entries(result)) out[name] = { data: t.data as Float32Array, dims: t.dims };
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
