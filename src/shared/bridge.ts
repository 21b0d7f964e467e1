import type { ApiEvent, ChannelInput, ChannelName, ChannelOutput } from './api';
import type { ApiResult } from './errors';

/**
 * What the renderer sees as `window.loupe`. The Electron preload, and the end-to-end
 * harness in a plain Chromium page, both provide exactly this and nothing else.
 */
export interface LoupeBridge {
  invoke<K extends ChannelName>(channel: K, input: ChannelInput<K>): Promise<ApiResult<ChannelOutput<K>>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** URL of an image of the open case, e.g. mediaUrl('case/<case id>/face/12/crop'); served only while that case is open. */
  mediaUrl(ref: string): string;
  /** Desktop only: the native file chooser; absent where there is none (the test harness). */
  choosePaths?(kind: 'files' | 'folder'): Promise<string[]>;
  /** Desktop only: the path of a file dropped on the window. */
  pathForFile?(file: File): string;
}

/**
 * Media references the renderer may ask for: case/<case id>/kind/id/variant, nothing else.
 * The case id is part of the reference so an image asked for while one case was open is never
 * answered from another case whose face or exhibit has the same number.
 */
const CASE_ITEM = String.raw`(exhibit|face|frame)\/[A-Za-z0-9_-]{1,64}\/(thumb|display|crop|aligned)`;
export const MEDIA_REF = new RegExp(String.raw`^case\/[A-Za-z0-9_-]{6,64}\/` + CASE_ITEM + '$');
/** The part of a media reference after the case: kind/id/variant. */
export const CASE_MEDIA_REF = new RegExp(`^${CASE_ITEM}$`);

/** The reference of an image of the case `caseId`, e.g. mediaRef(id, 'face/12/crop'). */
export const mediaRef = (caseId: string, ref: string): string => `case/${caseId}/${ref}`;
