import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** Bytes of one case image, as main hands them to the Electron shell's media protocol. */
export type MediaSource = (ref: string) => Promise<{ bytes: Uint8Array; mime: string } | null>;

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

const notFound = (res: ServerResponse, why: string) => {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end(why);
};

/**
 * Serves the built renderer on 127.0.0.1, as the Electron shell serves it from its app
 * protocol, and case images under /media/<ref> from main.
 */
export async function serveRenderer(root: string, mediaRef: RegExp, media: MediaSource): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET') return notFound(res, 'GET only');
      if (url.pathname.startsWith('/media/')) {
        const ref = decodeURIComponent(url.pathname.slice('/media/'.length));
        const found = mediaRef.test(ref) ? await media(ref) : null;
        if (!found) return notFound(res, `No media ${ref}`);
        res.writeHead(200, { 'Content-Type': found.mime, 'Cache-Control': 'no-store' });
        return res.end(found.bytes);
      }
      const rel = path.normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html';
      const file = path.join(root, rel);
      if (!file.startsWith(root + path.sep)) return notFound(res, 'Outside the renderer');
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
        res.end(body);
      } catch {
        notFound(res, `No file ${rel}`);
      }
    })().catch((err: Error) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
