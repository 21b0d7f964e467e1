import { app, BrowserWindow, dialog, ipcMain, protocol, session, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkstation, defaultHome, type Workstation } from '../workstation';

/**
 * The Electron shell: the only code that touches Electron. It applies the security
 * baseline (docs/architecture.md, Processes) and adapts the router to ipcMain; everything
 * else is plain Node.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.join(here, 'renderer');
const APP_ORIGIN = 'loupe-app://app';
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: loupe-media:; font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

protocol.registerSchemesAsPrivileged([
  { scheme: 'loupe-app', privileges: { standard: true, secure: true } },
  { scheme: 'loupe-media', privileges: { standard: true, secure: true } },
]);

// No network at all: Loupe never needs it, and an air-gapped case must not try.
app.commandLine.appendSwitch('disable-background-networking');
app.commandLine.appendSwitch('disable-component-update');
app.commandLine.appendSwitch('disable-sync');
app.commandLine.appendSwitch('proxy-server', '127.0.0.1:9');
app.commandLine.appendSwitch('proxy-bypass-list', '<-loopback>');

let workstation: Workstation | null = null;
let mainWindow: BrowserWindow | null = null;

function lockDownSession(): void {
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.setDevicePermissionHandler(() => false);
  s.webRequest.onBeforeRequest((details, callback) => {
    const allowed = details.url.startsWith(`${APP_ORIGIN}/`) || details.url.startsWith('loupe-media://') || details.url.startsWith('data:') || details.url.startsWith('blob:') || details.url.startsWith('devtools://');
    callback({ cancel: !allowed });
  });
  s.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
}

/** A URL path with its escapes undone, or null when they are malformed (a lone "%"). */
function decodeUrlPath(p: string): string | null {
  try {
    return decodeURIComponent(p);
  } catch {
    return null;
  }
}

function registerProtocols(ws: Workstation): void {
  protocol.handle('loupe-app', async (request) => {
    const url = new URL(request.url);
    const pathname = decodeUrlPath(url.pathname);
    const rel = pathname === null ? null : path.normalize(pathname).replace(/^([/\\])+/, '') || 'index.html';
    const file = rel === null ? '' : path.join(RENDERER_DIR, rel);
    if (url.host !== 'app' || !file.startsWith(RENDERER_DIR + path.sep)) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, { headers: { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP } });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
  protocol.handle('loupe-media', async (request) => {
    const url = new URL(request.url);
    const ref = url.host === 'image' ? decodeUrlPath(url.pathname.slice(1)) : null;
    const media = ref === null ? null : await ws.media(ref);
    if (!media) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(media.bytes), { headers: { 'Content-Type': media.mime, 'Cache-Control': 'no-store' } });
  });
}

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 680,
    title: 'Loupe',
    backgroundColor: '#f4f5f7',
    show: false,
    webPreferences: {
      preload: path.join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      devTools: process.env.LOUPE_DEVTOOLS === '1',
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.on('web-contents-created', (_event, contents) => hardenContents(contents));

app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore();
  mainWindow?.focus();
});

async function start(): Promise<void> {
  lockDownSession();
  const ws = await createWorkstation({ home: process.env.LOUPE_HOME ?? (app.isPackaged ? app.getPath('userData') : defaultHome()) });
  workstation = ws;
  registerProtocols(ws);

  // Only our own page, in its top frame, may call the API.
  const fromApp = (event: IpcMainInvokeEvent) => {
    const frame = event.senderFrame;
    return Boolean(mainWindow && frame && frame === mainWindow.webContents.mainFrame && frame.url.startsWith(`${APP_ORIGIN}/`));
  };
  ipcMain.handle('loupe:call', (event, channel: unknown, input: unknown) => {
    if (!fromApp(event)) return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted only from the Loupe window.' } };
    return ws.call(channel, input, 'ipc');
  });
  ipcMain.handle('loupe:choose-paths', async (event, kind: unknown) => {
    if (!fromApp(event) || !mainWindow) return [];
    const result = await dialog.showOpenDialog(mainWindow, {
      title: kind === 'folder' ? 'Choose folders to import' : 'Choose files to import',
      properties: kind === 'folder' ? ['openDirectory', 'multiSelections'] : ['openFile', 'multiSelections'],
    });
    return result.canceled ? [] : result.filePaths;
  });
  ws.onEvent((e) => mainWindow?.webContents.send('loupe:event', e));

  mainWindow = createWindow();
  mainWindow.on('closed', () => (mainWindow = null));
}

// One Loupe per user: a second process would open the same workstation and cases beside this one.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.whenReady().then(start).catch((err: unknown) => {
    // Without this the process would sit with no window and no word (a damaged or newer workstation database, a full disk).
    dialog.showErrorBox('Loupe cannot start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}

app.on('window-all-closed', () => app.quit());

// Closing the open case stops its import, saves its face index and checkpoints its
// database: quitting waits for that instead of cutting it off.
let closed = false;
app.on('will-quit', (event) => {
  if (closed || !workstation) return;
  event.preventDefault();
  const ws = workstation;
  workstation = null;
  ws.close()
    .catch((err: unknown) => console.error('[loupe] closing the workstation failed', err))
    .finally(() => {
      closed = true;
      app.quit();
    });
});
