import { ConclusionScale, DEFAULT_SCALE, LoupeError } from '../../shared';
import type { WorkstationStore } from '../store';

const KEY = 'conclusion_scale';

/**
 * The conclusion scale is a workstation setting: every case on the workstation concludes on
 * the same scale, each conclusion keeps a copy of the version it was made on, and each new
 * version is a supervisor's audited decision (the router records it with its reason).
 */
export class ScaleSetting {
  constructor(private readonly ws: WorkstationStore) {}

  current(): ConclusionScale {
    const raw = this.ws.reads.meta(KEY);
    if (!raw) return DEFAULT_SCALE;
    const parsed = ConclusionScale.safeParse(JSON.parse(raw));
    if (!parsed.success) throw new LoupeError('integrity', 'The conclusion scale stored on this workstation is damaged. A supervisor must declare it again (Settings).');
    return parsed.data;
  }

  declare(scale: ConclusionScale): ConclusionScale {
    const now = this.current();
    if (scale.version !== now.version + 1) throw new LoupeError('invalid_input', `The scale in force is version ${now.version}: a new declaration is version ${now.version + 1}.`, 'scale.version');
    this.ws.writes.setMeta(KEY, JSON.stringify(scale));
    return scale;
  }
}
