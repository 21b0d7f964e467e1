import type { ChannelInput, ChannelName, ChannelOutput } from './api';
import { LoupeError, type ApiResult } from './errors';

export type CallFn = (channel: ChannelName, input: unknown) => Promise<ApiResult<unknown>>;

/** A typed client over any transport: `must` throws the call's LoupeError, `invoke` returns the result. */
export function createClient(call: CallFn) {
  return {
    invoke: <K extends ChannelName>(channel: K, input: ChannelInput<K>) => call(channel, input) as Promise<ApiResult<ChannelOutput<K>>>,
    must: async <K extends ChannelName>(channel: K, input: ChannelInput<K>): Promise<ChannelOutput<K>> => {
      const r = (await call(channel, input)) as ApiResult<ChannelOutput<K>>;
      if (!r.ok) throw new LoupeError(r.error.code, r.error.message, r.error.field);
      return r.value;
    },
  };
}
export type Client = ReturnType<typeof createClient>;
