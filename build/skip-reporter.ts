import path from 'node:path';

/** The part of vitest's task tree this reporter reads. */
interface Task {
  type: string;
  name: string;
  mode: string;
  result?: { state?: string; note?: string };
  tasks?: Task[];
  filepath?: string;
}

/**
 * Lists every skipped test at the end of the run with why it was skipped: the note given
 * to `skip(note)`, else the names of its suites, which say when they are skipped (for
 * example "skipped when the default pack is not installed"). The default reporter only counts them.
 */
export default class SkipReporter {
  onFinished(files: Task[] = []): void {
    const reasons = new Map<string, number>();
    const walk = (t: Task, file: string, names: string[]) => {
      const here = t.type === 'suite' && t.name ? [...names, t.name] : names;
      if (t.type === 'test' && (t.mode === 'skip' || t.result?.state === 'skip')) {
        const why = `${file}: ${t.result?.note ?? (here.join(' > ') || t.name)}`;
        reasons.set(why, (reasons.get(why) ?? 0) + 1);
      }
      for (const c of t.tasks ?? []) walk(c, file, here);
    };
    for (const f of files) walk({ ...f, type: 'file' }, path.relative(process.cwd(), f.filepath ?? f.name), []);
    if (reasons.size === 0) return;
    const total = [...reasons.values()].reduce((a, b) => a + b, 0);
    console.log(`\n${total} skipped test(s), and why:`);
    for (const [why, n] of reasons) console.log(`  ${n} in ${why}`);
  }
}
