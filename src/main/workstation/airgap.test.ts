import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FACES_DIR, FACES_MISSING, facesAvailable, packInstalled } from '../testing';

const ready = facesAvailable && packInstalled('default');
if (!ready) console.warn(`air-gap test: ${facesAvailable ? 'the default model pack is not installed in models/packs' : FACES_MISSING}: skipped`);
const hasStrace = !spawnSync('strace', ['-V']).error;
if (!hasStrace) console.warn('air-gap test: strace not found; only Node-level network hooks and the file checks run (.ci/run installs strace)');

/** Every file under dir, relative to it. */
const filesUnder = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => path.relative(dir, path.join(e.parentPath, e.name))) : []);

/** The system calls of a trace that reach for the network: anything but a local (AF_UNIX) socket. */
function outboundCalls(trace: string): string[] {
  return trace
    .split('\n')
    .filter((l) => /\b(socket|connect|sendto|sendmsg|sendmmsg|bind)\(/.test(l) && !/AF_UNIX|AF_LOCAL/.test(l))
    .filter((l) => !/\b(sendto|sendmsg|sendmmsg)\(\d+, [^,]+, \d+, [^,]+, NULL, 0\)/.test(l));
}

/** Files the traced processes created or opened for writing outside the allowed folders. */
function writesOutside(trace: string, cwd: string, allowed: readonly string[]): string[] {
  const out = new Set<string>();
  for (const line of trace.split('\n')) {
    const open = /\bopenat\((?:AT_FDCWD|\d+)(?:<[^>]*>)?, "([^"]+)", ([A-Z_|]+)/.exec(line);
    const other = /\b(?:mkdir|mkdirat|rename|renameat2?|link|linkat|symlink|symlinkat|creat)\((?:(?:AT_FDCWD|\d+)(?:<[^>]*>)?, )?"([^"]+)"/.exec(line);
    const file = open && /O_CREAT|O_WRONLY|O_RDWR|O_TRUNC/.test(open[2]!) ? open[1]! : other?.[1];
    if (!file || / = -1 /.test(line)) continue;
    const full = path.resolve(cwd, file);
    if (!allowed.some((a) => full === a || full.startsWith(`${a}/`))) out.add(full);
  }
  return [...out];
}

describe.skipIf(!ready)('air gap', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'loupe-airgap-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('imports, searches and checks the audit record without one attempt to reach the network or a file written outside LOUPE_HOME', async () => {
    const dirs = { home: path.join(root, 'home'), tmp: path.join(root, 'tmp'), loupe: path.join(root, 'loupe') };
    for (const d of Object.values(dirs)) mkdirSync(d, { mode: 0o700 });
    const networkLog = path.join(root, 'network.log');
    const traceFile = path.join(root, 'trace');
    // Photos and a short video: ffmpeg, which can open URLs, runs under the trace too.
    const images = [...['obama.jpg', 'obama1.jpg', 'obama2.jpg'].map((f) => path.join(FACES_DIR, 'identities/Barack_Obama', f)), path.join(FACES_DIR, 'video/faceapijs/video.mp4')];

    // ONNX Runtime sends nothing when CI is set, and the test runner switches telemetry off for its own processes: the child has neither.
    const { CI: _ci, ORT_DISABLE_TELEMETRY: _ort, XDG_CACHE_HOME: _cache, ...inherited } = process.env;
    const env = { ...inherited, HOME: dirs.home, TMPDIR: dirs.tmp, LOUPE_HOME: dirs.loupe, LOUPE_NETWORK_LOG: networkLog, TSX_DISABLE_CACHE: '1' };
    const node = [process.execPath, '--import', 'tsx', '--import', './src/main/testing/network-guard.mjs', 'src/main/testing/airgap-scenario.ts', ...images];
    const command = hasStrace ? ['strace', '-f', '-qq', '-e', 'trace=%network,%file', '-o', traceFile, ...node] : node;
    const child = spawn(command[0]!, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr.slice(-2000)).toBe(0);

    const outcome = JSON.parse(stdout.trim().split('\n').at(-1)!) as { exhibits: number; caseChain: { ok: boolean }; workstationChain: { ok: boolean } };
    expect(outcome).toMatchObject({ exhibits: images.length, caseChain: { ok: true }, workstationChain: { ok: true } });

    expect(existsSync(networkLog) ? readFileSync(networkLog, 'utf8').trim().split('\n') : []).toEqual([]);
    // ONNX Runtime's telemetry keeps its queue under ~/.cache/Microsoft and leaves mat-debug-PID.log in the temp folder.
    expect(filesUnder(dirs.home)).toEqual([]);
    expect(filesUnder(dirs.tmp)).toEqual([]);
    expect(filesUnder(dirs.loupe)).toContain('workstation.db');
    if (hasStrace) {
      const trace = readFileSync(traceFile, 'utf8');
      // The trace follows child processes (ffmpeg) and is read right: it sees the workstation's own writes.
      expect(trace).toMatch(/execve\("[^"]*ffmpeg"/);
      expect(writesOutside(trace, process.cwd(), [])).toContain(path.join(dirs.loupe, 'workstation.db'));
      expect(outboundCalls(trace)).toEqual([]);
      // The index's plaintext passes through /dev/shm only (removed as soon as read, which the face index tests check).
      expect(writesOutside(trace, process.cwd(), [dirs.loupe, '/dev/null', '/dev/shm'])).toEqual([]);
    }
  });
});
