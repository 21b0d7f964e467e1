import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256File } from '../crypto';
import { displayName, fsPath, sourceFromBytes } from './source-path';
import { listSourceFiles } from './sources';
import { sampleVideo } from './video';

const dir = mkdtempSync(path.join(os.tmpdir(), 'loupe-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bytesOf = (name: string) => Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(name, 'latin1')]);

describe('paths whose names are not UTF-8 (Latin-1 names from seized media)', () => {
  it('are recorded so that the exact bytes come back, and UTF-8 paths are recorded as they are', () => {
    const latin = bytesOf('caf\xe9 100%.jpg');
    const source = sourceFromBytes(latin);
    expect(source).toBe(`bytes:${dir}/caf%E9%20100%25.jpg`);
    expect(Buffer.compare(fsPath(source) as Buffer, latin)).toBe(0);
    expect(sourceFromBytes(Buffer.from('/media/usb/café 100%.jpg'))).toBe('/media/usb/café 100%.jpg');
    expect(fsPath('/media/usb/café 100%.jpg')).toBe('/media/usb/café 100%.jpg');
  });

  it('are shown as Latin-1 text', () => {
    expect(displayName(sourceFromBytes(bytesOf('r\xe9sum\xe9 \xc0 \xfc.jpg')))).toBe('résumé À ü.jpg');
    expect(displayName('/media/usb/Zoë.jpg')).toBe('Zoë.jpg');
  });

  it('are listed from folders (also a folder whose own name is not UTF-8), hashed and read', async () => {
    mkdirSync(bytesOf('d\xe9p\xf4t'));
    writeFileSync(bytesOf('d\xe9p\xf4t/\xe9t\xe9.jpg'), 'summer');
    writeFileSync(bytesOf('plain.jpg'), 'plain');
    const files = await listSourceFiles([dir]);
    expect(files).toEqual([`bytes:${dir}/d%E9p%F4t/%E9t%E9.jpg`, `${dir}/plain.jpg`]);
    expect(readFileSync(fsPath(files[0]!)).toString()).toBe('summer');
    expect((await sha256File(fsPath(files[0]!))).bytes).toBe(6);
  });

  it.skipIf(spawnSync('ffmpeg', ['-version']).error !== undefined)('are sampled by ffmpeg, which is given the open file rather than the name', async () => {
    const made = path.join(dir, 'clip.ts');
    expect(spawnSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '1', '-c:v', 'mpeg2video', made]).status).toBe(0);
    const latin = bytesOf('vid\xe9o.ts');
    writeFileSync(latin, readFileSync(made));
    let frames = 0;
    for await (const f of sampleVideo(fsPath(sourceFromBytes(latin)), { framesPerSecond: 2, sceneChange: 0 })) frames += f.width === 160 ? 1 : 0;
    expect(frames).toBe(2);
  });
});
