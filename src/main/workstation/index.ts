import os from 'node:os';
import path from 'node:path';
import { MEDIA_REF, type ApiEvent, type ApiResult } from '../../shared';
import { AuditLog, type AuditEntry } from '../audit';
import { CaseService, type OpenCase } from '../cases';
import { EvidenceImporter, EvidenceReader } from '../evidence';
import { removeOrphans } from '../face-index';
import { defaultModelsDir } from '../models';
import { PersonsService } from '../persons';
import { ReviewService, ScaleSetting } from '../review';
import { CaseFaceIndex, SearchService } from '../search';
import { WatchlistService } from '../watchlists';
import { randomId } from '../crypto';
import { Router, type Transport } from '../router';
import { openWorkstationStore } from '../store';
import { UserRegistry } from '../users';
import { registerAuditHandlers } from './audit-handlers';
import { registerCaseHandlers } from './case-handlers';
import { PackInUse } from './pack-in-use';
import { registerEvidenceHandlers } from './evidence-handlers';
import { registerModelHandlers } from './model-handlers';
import { registerPersonHandlers } from './person-handlers';
import { registerProbeHandlers } from './probe-handlers';
import { registerReviewHandlers } from './review-handlers';
import { registerSearchHandlers } from './search-handlers';
import { registerSessionHandlers } from './session-handlers';
import { registerWatchlistHandlers } from './watchlist-handlers';
import { SessionState, type CaseSession } from './state';

export interface WorkstationOptions {
  /** Where the workstation database and the cases live. */
  home: string;
  /** Where model packs are installed; LOUPE_MODELS or <home>/models by default. */
  modelsDir?: string;
  now?: () => Date;
}

export interface Workstation {
  readonly home: string;
  /** The one way in: every transport (IPC, CLI, test harness) calls this. */
  call(channel: unknown, input: unknown, transport: Transport): Promise<ApiResult<unknown>>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
  /** An image of the open case for the renderer (the custom protocol serves these), or null. */
  media(ref: string): Promise<{ mime: string; bytes: Uint8Array } | null>;
  /** Resolves when the open case's running import, if any, has finished (CLI and tests). */
  importSettled(): Promise<void>;
  close(): Promise<void>;
}

/** LOUPE_HOME, or ~/.loupe. */
export const defaultHome = (): string => process.env.LOUPE_HOME ?? path.join(os.homedir(), '.loupe');

/** Composes the main process: stores, services, the router and every channel's handler. */
export async function createWorkstation(opts: WorkstationOptions): Promise<Workstation> {
  const now = opts.now ?? (() => new Date());
  // A process killed while it held a face index in RAM left it there in plaintext: every Loupe command starts here, so it goes now.
  await removeOrphans();
  const ws = openWorkstationStore(path.join(opts.home, 'workstation.db'));
  let workstationId = ws.reads.meta('workstation_id');
  if (!workstationId) {
    workstationId = randomId();
    ws.writes.setMeta('workstation_id', workstationId);
  }
  const workstationAudit = new AuditLog(ws.audit, 'workstation', workstationId, now);
  const state = new SessionState();
  const users = new UserRegistry(ws, now, (entry) => void workstationAudit.append(entry));
  const cases = new CaseService(ws, path.join(opts.home, 'cases'), now, (store) => store.reads.counts());
  const modelsDir = opts.modelsDir ?? (process.env.LOUPE_MODELS ? defaultModelsDir() : path.join(opts.home, 'models'));
  const packInUse = new PackInUse(modelsDir);
  const scale = new ScaleSetting(ws);

  /** Records written by services (not the router) join the case chain the same way. */
  const caseAudit = (open: OpenCase) => (entry: AuditEntry) => {
    open.audit.append(entry);
    cases.recordAnchor(open);
  };
  const attach = (open: OpenCase): CaseSession => {
    let index: CaseFaceIndex | null = null;
    const openIndex = async () => {
      if (!index) {
        const pack = await packInUse.pack();
        index ??= new CaseFaceIndex(open.store, pack.model, pack.manifest.embedder.embeddingSize, (e) => state.emit(e));
      }
      return index;
    };
    const openIndexInBackground = () => void openIndex().catch((err: unknown) => console.error('[loupe] the face index could not be opened', err));
    // A case with faces opens its index at once, so imports keep it current and closing saves it.
    if (open.store.reads.counts().faces > 0) openIndexInBackground();
    const search = new SearchService(open.store, openIndex, () => packInUse.pack(), now);
    return {
      ...open,
      evidence: new EvidenceImporter({
        store: open.store,
        runningPack: () => packInUse.start(),
        audit: caseAudit(open),
        emit: (e) => state.emit(e),
        // Faces join the index as they are stored; the first ones open it (from the store, which already holds them).
        onFaces: (faces) => {
          if (index) index.add(faces);
          else openIndexInBackground();
        },
        now,
      }),
      exhibits: new EvidenceReader(open.store.reads),
      search,
      watchlists: new WatchlistService(open.store, now),
      persons: new PersonsService(open.store, now),
      review: new ReviewService({
        store: open.store,
        now,
        scale: () => scale.current(),
        search: (id) => search.get(id),
        compare: (l, r) => search.compare(l, r),
      }),
      index: openIndex,
      openedIndex: () => index,
    };
  };

  const router = new Router({
    user: () => state.user,
    facts: () => ({ reviewParticipants: (itemId) => state.open?.review.participants(itemId) ?? { examiners: [], verifiers: [] } }),
    caseAudit: () => state.open?.audit ?? null,
    workstationAudit: () => workstationAudit,
    onCaseAudited: () => state.open && cases.recordAnchor(state.open),
  });
  registerSessionHandlers(router, state, users);
  registerCaseHandlers(router, state, cases, attach);
  registerAuditHandlers(router, state, cases, workstationAudit, now);
  registerModelHandlers(router, modelsDir, packInUse, now);
  registerEvidenceHandlers(router, state);
  registerProbeHandlers(router, state);
  registerSearchHandlers(router, state);
  registerWatchlistHandlers(router, state);
  registerPersonHandlers(router, state, () => packInUse.pack());
  registerReviewHandlers(router, state, scale);
  router.assertComplete();

  return {
    home: opts.home,
    call: (channel, input, transport) => router.call(channel, input, transport),
    onEvent: (listener) => state.onEvent(listener),
    media: async (ref) => {
      const open = state.open;
      if (!open || !MEDIA_REF.test(ref)) return null;
      const [, caseId, ...rest] = ref.split('/');
      return caseId === open.store.id ? open.exhibits.media(rest.join('/')) : null;
    },
    importSettled: async () => state.open?.evidence.settled(),
    close: async () => {
      await state.closeCase();
      await packInUse.reset();
      ws.close();
    },
  };
}
