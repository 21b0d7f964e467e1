// `npm run test:e2e`: the end-to-end specs in Debian's Chromium, or one line saying why not.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.LOUPE_CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(chromium)) {
  console.log(`e2e: skipped, no Chromium at ${chromium} (apt-get install -y chromium, or set LOUPE_CHROMIUM)`);
  process.exit(0);
}
if (!existsSync(path.join(root, 'dist', 'renderer', 'app.js'))) {
  console.error('e2e: dist/renderer/app.js is missing; run `npm run build` first.');
  process.exit(1);
}

// Screenshots of an earlier run must not pass for this run's.
rmSync(path.join(root, 'test-results', 'screenshots'), { recursive: true, force: true });
const report = path.join(root, 'test-results', 'e2e-report.json');
rmSync(report, { force: true });

const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
const child = spawn(process.execPath, [cli, 'test', '-c', path.join('e2e', 'playwright.config.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => {
  if (existsSync(report)) {
    const { stats, suites } = JSON.parse(readFileSync(report, 'utf8'));
    // The list reporter names skipped tests but not why; the reason is what the reader needs.
    const reasons = new Map();
    const walk = (suite) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests) {
          if (t.status !== 'skipped') continue;
          const why = t.annotations.find((a) => a.type === 'skip')?.description ?? 'no reason given';
          reasons.set(why, (reasons.get(why) ?? 0) + 1);
        }
      }
      for (const child of suite.suites ?? []) walk(child);
    };
    for (const suite of suites ?? []) walk(suite);
    for (const [why, n] of reasons) console.log(`e2e: ${n} skipped: ${why}`);
    console.log(`e2e: ${stats.expected + stats.flaky} passed, ${stats.unexpected} failed, ${stats.skipped} skipped`);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
