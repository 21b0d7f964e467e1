import { createInterface } from 'node:readline';

/** Reads a secret from the terminal without echoing it; from an env var in batch use. */
export async function readSecret(label: string, envVar: string): Promise<string> {
  const fromEnv = process.env[envVar];
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) throw new Error(`${label} needed: set ${envVar} or run in a terminal`);
  process.stderr.write(`${label}: `);
  const rl = createInterface({ input: process.stdin, terminal: true });
  const { stdin } = process;
  stdin.setRawMode?.(true);
  return new Promise((resolve) => {
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.off('data', onData);
          stdin.setRawMode?.(false);
          rl.close();
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') process.exit(130);
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}
