import { afterEach, describe, expect, it } from 'vitest';
import { Model } from './session';

describe('ONNX session', () => {
  const set = process.env.ORT_DISABLE_TELEMETRY;
  afterEach(() => {
    process.env.ORT_DISABLE_TELEMETRY = set;
  });

  it('refuses to load a model unless ONNX Runtime telemetry was switched off first', async () => {
    delete process.env.ORT_DISABLE_TELEMETRY;
    await expect(Model.load(new Uint8Array(16), 'detector')).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('ORT_DISABLE_TELEMETRY=1') });
    process.env.ORT_DISABLE_TELEMETRY = '1';
    // Past the check, the same bytes reach the runtime, which finds they are no model.
    await expect(Model.load(new Uint8Array(16), 'detector')).rejects.toMatchObject({ code: 'integrity' });
  });
});
