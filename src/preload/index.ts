import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { ApiEvent, MEDIA_REF, type LoupeBridge } from '../shared';

/**
 * The only thing the sandboxed renderer gets: the typed API of src/shared, nothing of
 * Node or Electron. Inputs are validated again in main; this side only shapes the calls.
 */
const bridge: LoupeBridge = {
  invoke: (channel, input) => ipcRenderer.invoke('loupe:call', channel, input),
  onEvent: (listener) => {
    const handler = (_e: unknown, event: unknown) => {
      const parsed = ApiEvent.safeParse(event);
      if (parsed.success) listener(parsed.data);
    };
    ipcRenderer.on('loupe:event', handler);
    return () => void ipcRenderer.off('loupe:event', handler);
  },
  mediaUrl: (ref) => {
    if (!MEDIA_REF.test(ref)) throw new Error(`Not a media reference: ${ref}`);
    return `loupe-media://image/${ref}`;
  },
  choosePaths: async (kind) => {
    const paths: unknown = await ipcRenderer.invoke('loupe:choose-paths', kind === 'folder' ? 'folder' : 'files');
    return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string') : [];
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('loupe', bridge);
