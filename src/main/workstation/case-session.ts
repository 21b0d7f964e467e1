import { type ApiEvent, LoupeError } from '../../shared';
import type { AuditEntry } from '../audit';
import { ensureCasePack, type OpenCase, PackChangeService } from '../cases';
import { EvidenceImporter, EvidenceReader, type ImportProfile } from '../evidence';
import { PersonsService } from '../persons';
import { ReportService } from '../report';
import { ReviewService, type ScaleSetting } from '../review';
import { FaceIndexService, SearchAuthorisations, SearchService } from '../search';
import type { ValidationTables } from '../store';
import { WatchlistService } from '../watchlists';
import { PackInUse } from './pack-in-use';

/** What the case-scoped services are made with, besides the open case. */
export interface CaseSessionDeps {
  /** Where model packs are installed: the case's own pack is loaded from there. */
  modelsDir: string;
  /** The workstation's packs, for the manifests a report quotes. */
  packInUse: PackInUse;
  /** The workstation's conclusion scale setting. */
  scale: ScaleSetting;
  /** The workstation's validation records of model packs, which a report may attach. */
  validations: ValidationTables;
  now: () => Date;
  emit: (e: ApiEvent) => void;
  /** Where services (not the router) write audit records of the case. */
  audit: (open: OpenCase) => (entry: AuditEntry) => void;
  /** Times the stages of imports (bench:throughput). */
  importProfile?: ImportProfile;
}

type Step = { name: string; open: (session: Record<string, unknown>) => (() => Promise<void> | void) | undefined };

/**
 * An ordered list of case-scoped services, each with its open step (which sees the services
 * opened before it) and, where it holds work or files, its close step. `S` is the session
 * the steps so far make, so each service's type follows from its one entry.
 */
export class CaseServices<S extends OpenCase> {
  private constructor(private readonly steps: readonly Step[]) {}

  static list(): CaseServices<OpenCase> {
    return new CaseServices([]);
  }

  add<K extends string, T>(name: K, open: (session: S) => T, close?: (service: T) => Promise<void> | void): CaseServices<S & Record<K, T>> {
    const step: Step = {
      name,
      open: (session) => {
        const service = open(session as unknown as S);
        session[name] = service;
        return close && (() => close(service));
      },
    };
    return new CaseServices([...this.steps, step]);
  }

  /**
   * Opens every service on the open case, in order. The session's close() closes them in
   * reverse order, then the store; a step that fails to close is logged and the rest still
   * close. If a service fails to open, those already open are closed again, and the store.
   */
  open(opened: OpenCase): S & { close(): Promise<void> } {
    const closers: { name: string; close: () => Promise<void> | void }[] = [];
    const close = async () => {
      for (const c of closers.reverse()) {
        try {
          await c.close();
        } catch (err) {
          console.error(`[loupe] closing the case's ${c.name} failed`, err);
        }
      }
      opened.store.close();
    };
    const session: Record<string, unknown> = { ...opened };
    try {
      for (const step of this.steps) {
        const closer = step.open(session);
        if (closer) closers.push({ name: step.name, close: closer });
      }
    } catch (err) {
      void close();
      throw err;
    }
    return Object.assign(session, { close }) as unknown as S & { close(): Promise<void> };
  }
}

/**
 * The services that live as long as a case is open, in the order they open (they close in
 * reverse). A new case-scoped service is one entry here.
 */
export const caseServices = (deps: CaseSessionDeps) =>
  CaseServices.list()
    .add(
      // The case's own pack, as recorded in the case: installing another pack does not change it.
      'pack',
      (c) =>
        new PackInUse(deps.modelsDir, async (by) => {
          const record = await ensureCasePack(c.store, deps.modelsDir, by, deps.now);
          if (!record) throw new LoupeError('not_found', `No model pack is installed in ${deps.modelsDir}; install one with "loupe models install default".`);
          return record;
        }),
      (pack) => pack.reset(),
    )
    .add(
      'index',
      (c) => {
        const index = new FaceIndexService(c.store, () => c.pack.pack(), deps.emit);
        // A case with faces opens its index at once, so imports keep it current and closing saves it.
        if (c.store.reads.counts().faces > 0) index.openInBackground();
        return index;
      },
      (index) => index.close(),
    )
    .add(
      'evidence',
      (c) => {
        const importer = new EvidenceImporter({
          store: c.store,
          runningPack: () => c.pack.start(),
          audit: deps.audit(c),
          emit: deps.emit,
          onFaces: (faces) => c.index.add(faces),
          now: deps.now,
          blocked: () => c.pack.changing,
          ...(deps.importProfile ? { profile: deps.importProfile } : {}),
        });
        importer.markCutOffBatches();
        return importer;
      },
      // A running import stops before the index is saved and the store closes; it can be resumed later.
      (importer) => importer.stop(),
    )
    .add(
      'packChange',
      (c) => {
        const change = new PackChangeService({
          store: c.store,
          modelsDir: deps.modelsDir,
          now: deps.now,
          emit: deps.emit,
          audit: deps.audit(c),
          busy: () => c.evidence.busy(),
          changing: (what) => (c.pack.changing = what),
          beforeSwap: () => c.index.discard(),
          afterSwap: () => {
            void c.pack.reset();
            c.index.openInBackground();
          },
        });
        change.markCutOff();
        return change;
      },
      // A running change stops before the index and the store close; it resumes when asked for again.
      (change) => change.stop(),
    )
    .add('exhibits', (c) => new EvidenceReader(c.store.reads))
    .add('authorisations', (c) => new SearchAuthorisations(c.store, deps.now))
    .add('search', (c) => new SearchService(c.store, () => c.index.get(), () => c.pack.pack(), deps.now))
    .add('watchlists', (c) => {
      const watchlists = new WatchlistService(c.store, deps.now, c.audit);
      watchlists.expire();
      return watchlists;
    })
    .add('persons', (c) => new PersonsService(c.store, deps.now))
    .add('review', (c) => new ReviewService({ store: c.store, now: deps.now, scale: () => deps.scale.current(), search: (id) => c.search.get(id), compare: (l, r) => c.search.compare(l, r) }))
    .add(
      'report',
      (c) =>
        new ReportService({
          store: c.store,
          exhibits: c.exhibits,
          search: c.search,
          review: c.review,
          audit: c.audit,
          manifest: (name) => deps.packInUse.manifest(name),
          validation: (id) => {
            const record = deps.validations.get(id);
            return record && { record, pngs: deps.validations.pngs(id) };
          },
        }),
    );

/** An open case with the services that live as long as it is open; close() stops them and closes the store. */
export type CaseSession = ReturnType<ReturnType<typeof caseServices>['open']>;
