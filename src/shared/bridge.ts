import type { ApiEvent, ChannelInput, ChannelName, ChannelOutput } from './api';
import type { ApiResult } from './errors';

/**
 * What the renderer sees as `window.loupe`. The Electron preload, and the end-to-end
 * harness in a plain Chromium page, both provide exactly this and nothing else.
 */
export interface LoupeBridge {
  invoke<K extends ChannelName>(channel: K, input: ChannelInput<K>): Promise<ApiResult<ChannelOutput<K>>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** URL of an image of the open case, e.g. mediaUrl('face/12/crop'); served only while that case is open. */
  mediaUrl(ref: string): string;
  /** Desktop only: the native file chooser; absent where there is none (the test harness). */
  choosePaths?(kind: 'files' | 'folder'): Promise<string[]>;
  /** Desktop only: the path of a file dropped on the window. */
  pathForFile?(file: File): string;
}

/** Media references the renderer may ask for: kind/id/variant, nothing else. */
export const MEDIA_REF = /^(exhibit|face|frame)\/[A-Za-z0-9_-]{1,64}\/(thumb|display|crop|aligned)$/;
