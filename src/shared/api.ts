import { z } from 'zod';
import { channel, type Policy } from './channel';
import {
  AuditChain,
  AuditRecord,
  AuditVerification,
  CaseAuthority,
  CaseDetails,
  CaseSummary,
  DisplayName,
  Id,
  IsoDate,
  Secret,
  SessionStatus,
  RestoreAcceptance,
  User,
  UserAccount,
  Username,
} from './domain';
import { PackName } from './model-pack';
import { Role } from './roles';
import { AssessmentBody, BlindMode, REVIEW_REFUSAL, ConclusionScale, ReviewItemId, ReviewItemSummary, ReviewOrigin, ReviewQueue, ReviewView } from './review';
import { BatchId, ExhibitCheck, ExhibitDetails, ExhibitId, ExhibitSummary, FaceId, FaceSummary, ImportBatch, ImportOptions, ImportProgress } from './evidence';
import { PackInfo } from './model-pack';
import { PersonId, PersonsView } from './persons';
import { ProbeImport } from './probes';
import { Comparison, Purpose, SearchId, SearchListItem, SearchRequest, SearchResult } from './search';
import { EntryId, NewWatchlistEntry, Watchlist, WatchlistEntry, WatchlistId } from './watchlists';
import { CaseRetention, PurgeProof, PurgeReceipt, RetentionQueue, RetentionReason } from './retention';
import { AuthorisationId, AuthorisationRequest, DecisionReason, OWN_REQUEST, SearchAuthorisation, SearchSettings } from './search-authorisation';
import { ReportFile, ReportPreview, ReportPreviewRequest, ReportRequest, ReportVerification, ReportVerifyInput } from './report';
import { ValidationId, ValidationProgress, ValidationRecord, ValidationRequest, ValidationSummary } from './validation';
import { CaseExport, CaseExportRequest, CaseImport, CaseImportRequest } from './disclosure';
import { PackChange, PackChangeProgress, PackChangeRequest } from './pack-change';

const ALL = ['analyst', 'reviewer', 'supervisor', 'auditor'] as const;
const EXAMINERS = ['analyst', 'reviewer', 'supervisor'] as const;
const Empty = z.object({}).strict();
const Done = z.object({ done: z.literal(true) });

/** The workstation chain holds every user's sign-ins and refusals: only these roles read it. */
const WORKSTATION_AUDIT_READERS: readonly Role[] = ['supervisor', 'auditor'];
/** The verifier is not the first examiner; the supervisor who resolves took no part. */
const verifierPolicy: Policy<{ itemId: number }> = ({ user, input, facts }) =>
  facts.reviewParticipants(input.itemId).examiners.includes(user.username) ? REVIEW_REFUSAL.selfVerification : null;
const resolverPolicy: Policy<{ itemId: number }> = ({ user, input, facts }) => {
  const p = facts.reviewParticipants(input.itemId);
  return p.examiners.includes(user.username) || p.verifiers.includes(user.username) ? REVIEW_REFUSAL.resolverTookPart : null;
};
/** The supervisor who decides a search authorisation is not the one who asked for it. */
const deciderPolicy: Policy<{ requestId: number }> = ({ user, input, facts }) => (facts.authorisationRequester(input.requestId) === user.username ? OWN_REQUEST : null);
/** The audit object of a call about one comparison: the audit screen follows a candidate's review by it. */
const reviewItem = (input: { itemId: number }) => `review-item:${input.itemId}`;
const auditChainPolicy: Policy<{ chain: AuditChain }> = ({ user, input }) =>
  input.chain === 'workstation' && !WORKSTATION_AUDIT_READERS.includes(user.role) ? 'Only supervisors and auditors may read the workstation audit record.' : null;

/**
 * The whole API of the workstation. Every request from the renderer, the CLI or a test
 * goes through one of these channels and is validated against its input schema.
 */
export const api = {
  'session.status': channel({ input: Empty, output: SessionStatus, roles: 'public', scope: 'workstation', summary: 'Who is signed in and which case is open' }),
  'session.createFirstSupervisor': channel({
    input: z.object({ username: Username, displayName: DisplayName, password: Secret('Password') }).strict(),
    output: User,
    roles: 'public',
    scope: 'workstation',
    secret: ['password'],
    summary: 'First run only: create the first supervisor account',
  }),
  'session.signIn': channel({
    input: z.object({ username: Username, password: z.string().min(1, 'Password is required').max(1024) }).strict(),
    output: User,
    roles: 'public',
    scope: 'workstation',
    secret: ['password'],
    summary: 'Sign in to the workstation',
  }),
  'session.signOut': channel({ input: Empty, output: Done, roles: ALL, scope: 'workstation', summary: 'Sign out (closes any open case)' }),

  'users.list': channel({ input: Empty, output: z.array(UserAccount), roles: ['supervisor'], scope: 'workstation', summary: 'List workstation users' }),
  'users.add': channel({
    input: z.object({ username: Username, displayName: DisplayName, role: Role, password: Secret('Password') }).strict(),
    output: User,
    roles: ['supervisor'],
    scope: 'workstation',
    secret: ['password'],
    summary: 'Add a workstation user with a role',
  }),
  'users.setDisabled': channel({
    input: z.object({ username: Username, disabled: z.boolean() }).strict(),
    output: User,
    roles: ['supervisor'],
    scope: 'workstation',
    summary: 'Disable or re-enable a user',
  }),
  'users.changePassword': channel({
    input: z.object({ current: z.string().min(1).max(1024), next: Secret('New password') }).strict(),
    output: Done,
    roles: ALL,
    scope: 'workstation',
    secret: ['current', 'next'],
    summary: 'Change your own sign-in password',
  }),

  'cases.list': channel({ input: Empty, output: z.array(CaseSummary), roles: ALL, scope: 'workstation', summary: 'Cases registered on this workstation' }),
  'cases.create': channel({
    input: CaseAuthority.extend({ passphrase: Secret('Case passphrase') }).strict(),
    output: CaseDetails,
    roles: ['analyst', 'supervisor'],
    scope: 'workstation',
    secret: ['passphrase'],
    caseContent: ['title', 'offenceCategory', 'purpose', 'legalBasis', 'authorisedBy', 'retentionDate'],
    summary: 'Create an encrypted case and open it',
  }),
  'cases.open': channel({
    input: z.object({ caseId: Id, passphrase: z.string().min(1, 'Passphrase is required').max(1024) }).strict(),
    output: CaseDetails,
    roles: ALL,
    scope: 'workstation',
    secret: ['passphrase'],
    summary: 'Open a case with your passphrase',
  }),
  'cases.close': channel({ input: Empty, output: Done, roles: ALL, scope: 'case', summary: 'Close the open case' }),
  'cases.info': channel({ input: Empty, output: CaseDetails, roles: ALL, scope: 'case', summary: 'Details of the open case' }),
  'cases.check': channel({
    input: z.object({ full: z.boolean().default(true) }).strict(),
    output: z.object({ ok: z.boolean(), problems: z.array(z.string()), pagesChecked: z.number().int(), ms: z.number() }),
    roles: ALL,
    scope: 'case',
    summary: 'Check every page of the open case database (decryption, HMAC, b-trees, and with full the indexes)',
  }),
  'cases.changePassphrase': channel({
    input: z.object({ current: z.string().min(1).max(1024), next: Secret('New passphrase') }).strict(),
    output: Done,
    roles: ALL,
    scope: 'case',
    secret: ['current', 'next'],
    summary: 'Change your passphrase for the open case',
  }),
  'cases.grantAccess': channel({
    input: z.object({ username: Username, passphrase: Secret('Passphrase for the new member') }).strict(),
    output: CaseDetails,
    roles: ['supervisor'],
    scope: 'case',
    secret: ['passphrase'],
    summary: 'Give a user a key slot on the open case',
  }),
  'cases.revokeAccess': channel({
    input: z.object({ username: Username }).strict(),
    output: CaseDetails,
    roles: ['supervisor'],
    scope: 'case',
    summary: "Remove a user's key slot from the open case (never the last one)",
  }),

  'audit.list': channel({
    input: z
      .object({
        chain: AuditChain,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(200),
        /** Only the records about one object, as the record names it (review-item:7 follows one comparison). */
        object: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
    output: z.object({ total: z.number().int(), records: z.array(AuditRecord) }),
    roles: ALL,
    policy: auditChainPolicy,
    scope: 'workstation',
    summary: 'Read the audit record (newest first)',
  }),
  'audit.verify': channel({
    input: z.object({ chain: AuditChain }).strict(),
    output: AuditVerification,
    roles: ALL,
    policy: auditChainPolicy,
    scope: 'workstation',
    summary: 'Check the hash chain of the audit record',
  }),
  'audit.export': channel({
    input: z.object({ chain: AuditChain }).strict(),
    output: z.object({ fileName: z.string(), jsonl: z.string(), headHash: z.string(), records: z.number().int() }),
    roles: ['supervisor', 'auditor'],
    scope: 'workstation',
    summary: 'Export the audit record as JSON lines with its head hash',
  }),

  'models.list': channel({ input: Empty, output: z.array(PackInfo), roles: ALL, scope: 'workstation', summary: 'Model packs known and installed, with their model cards' }),
  'models.install': channel({
    input: z.object({ pack: PackName, from: z.string().min(1).max(4096).optional() }).strict(),
    output: PackInfo,
    roles: ['supervisor'],
    scope: 'workstation',
    summary: 'Install a model pack (from the package registry, or from a folder on an air-gapped machine)',
  }),
  'models.calibrate': channel({
    input: z
      .object({
        pack: PackName,
        dataDirs: z.array(z.string().min(1).max(4096)).min(1, 'Give at least one labelled folder').max(20),
        description: z.string().trim().min(10, 'Describe the data set (at least 10 characters)').max(1000),
      })
      .strict(),
    output: z.object({
      pack: PackInfo,
      images: z.number().int(),
      people: z.number().int(),
      skipped: z.number().int(),
      impostorPairs: z.number().int(),
      genuinePairs: z.number().int(),
      tar: z.array(z.object({ fmr: z.number(), score: z.number(), tar: z.number() })),
      /** Degraded copies encoded to populate the quality bands, and those that could not be made or lost their face. */
      degraded: z.object({ encoded: z.number().int(), lost: z.number().int() }),
      /** Each quality band measured: its pairs and the lowest rate its data supports (null: too few pairs, no rate stated). */
      bands: z.array(
        z.object({
          band: z.string(),
          impostorPairs: z.number().int(),
          genuinePairs: z.number().int(),
          calibrated: z.boolean(),
          lowestSupportedRate: z.string().nullable(),
          tar: z.array(z.object({ fmr: z.number(), score: z.number(), tar: z.number() })),
        }),
      ),
    }),
    roles: ['supervisor'],
    scope: 'workstation',
    summary: "Measure a pack's score-to-false-match-rate tables, overall and per quality band (with degraded copies of the photos), on labelled photos (one folder per person) and write them into the pack",
  }),

  'evidence.import': channel({
    input: z.object({ paths: z.array(z.string().min(1).max(4096)).min(1, 'Choose at least one file or folder').max(1000), options: ImportOptions.prefault({}) }).strict(),
    output: z.object({ batchId: BatchId, filesTotal: z.number().int() }),
    roles: EXAMINERS,
    scope: 'case',
    summary: 'Import image and video files or folders as exhibits (hashed, never modified)',
  }),
  'evidence.cancelImport': channel({ input: z.object({ batchId: BatchId }).strict(), output: ImportBatch, roles: EXAMINERS, scope: 'case', summary: 'Stop an import; what is done stays' }),
  'evidence.resumeImport': channel({
    input: z.object({ batchId: BatchId }).strict(),
    output: z.object({ batchId: BatchId, filesTotal: z.number().int() }),
    roles: EXAMINERS,
    scope: 'case',
    summary: 'Resume an interrupted or cancelled import without duplicating what is done',
  }),
  'evidence.batches': channel({ input: Empty, output: z.array(ImportBatch), roles: ALL, scope: 'case', summary: 'Import batches of the case' }),
  'evidence.list': channel({
    input: z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100), status: z.enum(['done', 'failed', 'duplicate']).optional() }).strict(),
    output: z.object({ total: z.number().int(), exhibits: z.array(ExhibitSummary) }),
    roles: ALL,
    scope: 'case',
    summary: 'Exhibits of the case',
  }),
  'evidence.get': channel({ input: z.object({ exhibitId: ExhibitId }).strict(), output: ExhibitDetails, roles: ALL, scope: 'case', summary: 'One exhibit with its faces, frames and tracks' }),
  'faces.get': channel({
    input: z.object({ faceIds: z.array(FaceId).min(1).max(500) }).strict(),
    output: z.array(z.object({ face: FaceSummary, exhibit: ExhibitSummary })),
    roles: ALL,
    scope: 'case',
    summary: 'Faces by id, each with its exhibit (ids not in the case are left out)',
  }),
  'evidence.verify': channel({
    input: z.object({ exhibitId: ExhibitId.optional() }).strict(),
    output: z.array(ExhibitCheck),
    roles: ALL,
    scope: 'case',
    summary: 'Re-hash original files and compare with the hashes taken at import',
  }),
  'evidence.importProbe': channel({
    input: ProbeImport,
    output: ExhibitDetails,
    roles: EXAMINERS,
    scope: 'case',
    summary: 'Import one probe image as an exhibit and return its faces to choose from',
  }),

  'search.run': channel({
    input: SearchRequest,
    output: SearchResult,
    roles: EXAMINERS,
    scope: 'case',
    summary: 'Search a probe face against the case and/or watch lists (1:N); candidates are leads, not identifications',
  }),
  'search.list': channel({ input: Empty, output: z.array(SearchListItem), roles: ALL, scope: 'case', summary: 'Searches made in this case' }),
  'search.get': channel({ input: z.object({ searchId: SearchId }).strict(), output: SearchResult, roles: ALL, scope: 'case', summary: 'One recorded search with its candidates' }),
  'compare.faces': channel({
    input: z.object({ faceA: FaceId, faceB: FaceId, purpose: Purpose }).strict(),
    output: Comparison,
    roles: EXAMINERS,
    scope: 'case',
    summary: 'Compare two faces (1:1): score, estimated false match rate and both qualities',
  }),

  'watchlists.list': channel({ input: Empty, output: z.array(Watchlist), roles: ALL, scope: 'case', summary: 'Watch lists of this case' }),
  'watchlists.create': channel({
    input: z.object({ name: z.string().trim().min(1).max(200), description: z.string().trim().min(10, 'Describe what the list is for (at least 10 characters)').max(2000) }).strict(),
    output: Watchlist,
    roles: ['analyst', 'supervisor'],
    scope: 'case',
    summary: 'Create a watch list',
  }),
  'watchlists.entries': channel({ input: z.object({ watchlistId: WatchlistId }).strict(), output: z.array(WatchlistEntry), roles: ALL, scope: 'case', summary: 'Entries of a watch list' }),
  'watchlists.addEntry': channel({ input: NewWatchlistEntry, output: WatchlistEntry, roles: ['analyst', 'supervisor'], scope: 'case', summary: 'Add a reference face to a watch list, with its provenance' }),
  'watchlists.removeEntry': channel({
    input: z.object({ entryId: EntryId, reason: z.string().trim().min(10, 'Say why the entry is removed (at least 10 characters)').max(2000) }).strict(),
    output: Done,
    roles: ['analyst', 'supervisor'],
    scope: 'case',
    summary: 'Remove an entry from a watch list',
  }),

  'persons.group': channel({
    /** Without maxFmr the rate falls as the case grows, as measured on real faces (grouping/groupingThresholds). */
    input: z.object({ maxFmr: z.number().min(1e-9).max(0.1).optional() }).strict(),
    output: PersonsView,
    roles: EXAMINERS,
    scope: 'case',
    summary: "Group the case's unknown faces into putative persons (replaces the current grouping)",
  }),
  'persons.view': channel({ input: Empty, output: PersonsView, roles: ALL, scope: 'case', summary: 'The current grouping of faces into putative persons' }),
  'persons.merge': channel({ input: z.object({ into: PersonId, from: PersonId }).strict(), output: PersonsView, roles: EXAMINERS, scope: 'case', summary: 'Merge two groups' }),
  'persons.split': channel({
    input: z.object({ personId: PersonId, faceIds: z.array(FaceId).min(1).max(10000) }).strict(),
    output: PersonsView,
    roles: EXAMINERS,
    scope: 'case',
    summary: 'Split faces off a group into a new group',
  }),
  'persons.moveFace': channel({
    input: z.object({ faceId: FaceId, to: PersonId.nullable() }).strict(),
    output: PersonsView,
    roles: EXAMINERS,
    scope: 'case',
    summary: 'Move a face to another group, or to unassigned',
  }),
  'persons.name': channel({ input: z.object({ personId: PersonId, name: z.string().trim().max(200) }).strict(), output: PersonsView, roles: EXAMINERS, scope: 'case', summary: 'Name a group' }),
  'persons.undo': channel({ input: Empty, output: PersonsView, roles: EXAMINERS, scope: 'case', summary: 'Undo the last edit of the grouping' }),

  'users.unlock': channel({
    input: z.object({ username: Username }).strict(),
    output: UserAccount,
    roles: ['supervisor'],
    scope: 'workstation',
    summary: 'Unlock a user locked by wrong passwords (or end their wait)',
  }),
  'cases.acceptRestored': channel({
    input: z.object({ reason: z.string().trim().min(10, 'Say why the restored copy is accepted (at least 10 characters)').max(2000) }).strict(),
    output: RestoreAcceptance,
    roles: ['supervisor'],
    scope: 'case',
    summary: 'Accept the open case as restored from an older copy, recording what was lost, and anchor its chain again',
  }),

  'review.open': channel({
    input: z.object({ leftFaceId: FaceId, rightFaceId: FaceId, origin: ReviewOrigin }).strict(),
    output: ReviewView,
    roles: EXAMINERS,
    scope: 'case',
    summary: 'Open two faces in the comparison view for examination',
  }),
  'review.get': channel({ input: z.object({ itemId: ReviewItemId }).strict(), output: ReviewView, roles: ALL, object: reviewItem, scope: 'case', summary: 'One comparison under review, as much of it as you may see' }),
  'review.assess': channel({
    input: z.object({ itemId: ReviewItemId, body: AssessmentBody, correctionReason: z.string().trim().min(10, 'Say why you revise your assessment (at least 10 characters)').max(2000).optional() }).strict(),
    output: ReviewView,
    roles: EXAMINERS,
    object: reviewItem,
    scope: 'case',
    summary: 'Record your analysis, feature comparison and conclusion (a revision names the record it corrects)',
  }),
  'review.submit': channel({ input: z.object({ itemId: ReviewItemId }).strict(), output: ReviewView, roles: EXAMINERS, object: reviewItem, scope: 'case', summary: 'Submit your assessment for verification by a second examiner' }),
  'review.reveal': channel({ input: z.object({ itemId: ReviewItemId }).strict(), output: ReviewView, roles: EXAMINERS, object: reviewItem, scope: 'case', summary: 'Reveal the score after saving your own assessment (blind mode)' }),
  'review.verify': channel({
    input: z.object({ itemId: ReviewItemId, body: AssessmentBody }).strict(),
    output: ReviewView,
    roles: ['reviewer'],
    policy: verifierPolicy,
    object: reviewItem,
    scope: 'case',
    summary: 'Verify a comparison with your own independent assessment (reviewers who did not examine it)',
  }),
  'review.resolve': channel({
    input: z.object({ itemId: ReviewItemId, body: AssessmentBody }).strict(),
    output: ReviewView,
    roles: ['supervisor'],
    policy: resolverPolicy,
    object: reviewItem,
    scope: 'case',
    summary: 'Resolve a disagreement between examiners (supervisors who took no part)',
  }),
  'review.next': channel({ input: Empty, output: ReviewView.nullable(), roles: ['reviewer'], scope: 'case', summary: 'Take the next comparison awaiting your verification' }),
  'review.queue': channel({ input: Empty, output: ReviewQueue, roles: ALL, scope: 'case', summary: 'Comparisons awaiting your assessment, verification or resolution' }),
  'review.states': channel({
    input: z.object({ leftFaceId: FaceId, rightFaceIds: z.array(FaceId).max(500) }).strict(),
    output: z.array(ReviewItemSummary),
    roles: ALL,
    scope: 'case',
    summary: 'The review state of candidates against their probe',
  }),
  'review.blindMode': channel({ input: Empty, output: BlindMode, roles: ALL, scope: 'case', summary: "This case's blind-mode setting" }),
  'review.setBlindMode': channel({
    input: z.object({ on: z.boolean(), reason: z.string().trim().min(10, 'Give a reason (at least 10 characters)').max(2000) }).strict(),
    output: BlindMode,
    roles: ['supervisor'],
    scope: 'case',
    summary: 'Turn blind mode on or off for this case, with a reason',
  }),
  'review.scale': channel({ input: Empty, output: ConclusionScale, roles: ALL, scope: 'workstation', summary: 'The conclusion scale in force on this workstation' }),
  'review.setScale': channel({
    input: z.object({ scale: ConclusionScale, reason: z.string().trim().min(10, 'Give a reason (at least 10 characters)').max(2000) }).strict(),
    output: ConclusionScale,
    roles: ['supervisor'],
    scope: 'workstation',
    summary: 'Declare a new version of the conclusion scale, with a reason',
  }),

  'search.settings': channel({ input: Empty, output: SearchSettings, roles: ALL, scope: 'case', summary: "How this case's searches are held: default threshold, watch-list authorisation, the case's authority" }),
  'search.setDefaultThreshold': channel({
    input: z.object({ maxFmr: z.number().min(1e-9).max(1).nullable(), reason: DecisionReason }).strict(),
    output: SearchSettings,
    roles: ['supervisor'],
    scope: 'case',
    summary: "Change the case's default search threshold (false match rate), with a reason",
  }),
  'search.setAuthorisationRequired': channel({
    input: z.object({ required: z.boolean(), reason: DecisionReason }).strict(),
    output: SearchSettings,
    roles: ['supervisor'],
    scope: 'case',
    summary: "Require (or no longer require) a supervisor's authorisation before watch-list searches of this case run, with a reason",
  }),
  'search.authorisations': channel({ input: Empty, output: z.array(SearchAuthorisation), roles: ALL, scope: 'case', summary: 'Requests to search watch lists and their decisions' }),
  'search.requestAuthorisation': channel({
    input: AuthorisationRequest,
    output: SearchAuthorisation,
    roles: EXAMINERS,
    scope: 'case',
    summary: "Ask a supervisor's authorisation to search a probe against watch lists, with the purpose",
  }),
  'search.decideAuthorisation': channel({
    input: z.object({ requestId: AuthorisationId, approve: z.boolean(), reason: DecisionReason }).strict(),
    output: SearchAuthorisation,
    roles: ['supervisor'],
    policy: deciderPolicy,
    object: (input) => `search-authorisation:${input.requestId}`,
    scope: 'case',
    summary: 'Approve or refuse a request to search watch lists, with a reason (supervisors other than the requester)',
  }),

  'retention.queue': channel({ input: Empty, output: RetentionQueue, roles: ['supervisor', 'auditor'], scope: 'workstation', summary: 'Cases by retention: overdue, due, held, kept and purged' }),
  'retention.case': channel({ input: Empty, output: CaseRetention, roles: ALL, scope: 'case', summary: "The open case's retention date and legal hold" }),
  'retention.setDate': channel({
    input: z.object({ retentionDate: IsoDate, reason: RetentionReason }).strict(),
    output: CaseRetention,
    roles: ['supervisor'],
    scope: 'case',
    summary: 'Change how long the open case is kept, with a reason',
  }),
  'retention.setHold': channel({
    input: z.object({ held: z.boolean(), reason: RetentionReason }).strict(),
    output: CaseRetention,
    roles: ['supervisor'],
    scope: 'case',
    summary: 'Place or lift a legal hold on the open case, with a reason',
  }),
  'retention.purge': channel({
    input: z.object({ caseId: Id, confirmReference: z.string().trim().min(1, 'Type the case reference to confirm').max(64) }).strict(),
    output: PurgeReceipt,
    roles: ['supervisor'],
    object: (input) => `case:${input.caseId}`,
    scope: 'workstation',
    summary: 'Purge a case past its retention date: destroy its keys, then its folder (never a held case)',
  }),
  'retention.verify': channel({
    input: z.object({ caseId: Id }).strict(),
    output: PurgeProof,
    roles: ['supervisor', 'auditor'],
    object: (input) => `case:${input.caseId}`,
    scope: 'workstation',
    summary: 'Show that a purged case can no longer be opened: no key slot anywhere, no files',
  }),
  'watchlists.setEntryRetention': channel({
    input: z.object({ entryId: EntryId, retentionDate: IsoDate, reason: RetentionReason }).strict(),
    output: WatchlistEntry,
    roles: ['supervisor'],
    object: (input) => `watchlist-entry:${input.entryId}`,
    scope: 'case',
    summary: "Change how long a watch-list entry is kept, with a reason",
  }),

  /**
   * The report: examiners produce it (the file's hash and what it covers go on the case's chain);
   * anyone with the case, auditors included, may read it on screen and check a report file against the case.
   */
  'report.preview': channel({ input: ReportPreviewRequest, output: ReportPreview, roles: ALL, scope: 'case', summary: "Read the case's report on screen (HTML), with any validation records of its pack attached" }),
  'report.create': channel({
    input: ReportRequest,
    output: ReportFile,
    roles: EXAMINERS,
    scope: 'case',
    summary: 'Write the case report (PDF for disclosure, or HTML), with any validation records of its pack attached, recording its SHA-256 and what it covers',
  }),
  'report.verify': channel({
    input: ReportVerifyInput,
    output: ReportVerification,
    roles: ALL,
    scope: 'case',
    summary: 'Check a report file against the open case: its hash on the audit chain, and the records it covered unchanged',
  }),

  'validation.run': channel({
    input: ValidationRequest,
    output: ValidationRecord,
    roles: ['supervisor'],
    scope: 'workstation',
    summary: "Validate a model pack on the agency's labelled photos (a folder per person), overall and per group, and keep the record",
  }),
  'validation.list': channel({ input: Empty, output: z.array(ValidationSummary), roles: ALL, scope: 'workstation', summary: 'Validation records of the model packs, newest first' }),
  'validation.get': channel({
    input: z.object({ id: ValidationId }).strict(),
    output: ValidationRecord,
    roles: ALL,
    scope: 'workstation',
    object: (input) => `validation:${input.id}`,
    summary: 'One validation record: data set, figures with intervals, charts',
  }),

  /**
   * Disclosure takes the whole case, and the evidence, outside this workstation's access
   * control, and an import adds a case to it: both are the supervisor's decision, as granting
   * access to a case is.
   */
  'cases.export': channel({
    input: CaseExportRequest,
    output: CaseExport,
    roles: ['supervisor'],
    scope: 'case',
    secret: ['passphrase'],
    summary: 'Write the open case (data, audit chain, report, and the originals if asked) to one encrypted disclosure package',
  }),
  'cases.import': channel({
    input: CaseImportRequest,
    output: CaseImport,
    roles: ['supervisor'],
    scope: 'workstation',
    secret: ['packagePassphrase', 'passphrase'],
    summary: 'Bring a case from a disclosure package onto this workstation, checking every hash and its audit chain',
  }),

  'cases.changePack': channel({
    input: PackChangeRequest,
    output: PackChange,
    roles: ['supervisor'],
    scope: 'case',
    summary: "Change the open case's model pack: its faces are encoded again with the new pack (with progress) and swapped in at the end; earlier searches keep their scores and pack",
  }),
  'cases.packChanges': channel({ input: Empty, output: z.array(PackChange), roles: ALL, scope: 'case', summary: "Changes of the open case's model pack, the latest first" }),
} as const;

export type Api = typeof api;
export type ChannelName = keyof Api;
export type ChannelInput<K extends ChannelName> = z.input<Api[K]['input']>;
export type ChannelParsedInput<K extends ChannelName> = z.output<Api[K]['input']>;
export type ChannelOutput<K extends ChannelName> = z.output<Api[K]['output']>;

export const isChannelName = (name: unknown): name is ChannelName => typeof name === 'string' && Object.hasOwn(api, name);

/** Push messages from main to the renderer (progress of long work). */
export const IndexProgress = z.object({ type: z.literal('index.progress'), done: z.number().int(), total: z.number().int().nullable(), stage: z.enum(['loading', 'rebuilding', 'ready']) });
export type IndexProgress = z.infer<typeof IndexProgress>;
export const ApiEvent = z.discriminatedUnion('type', [z.object({ type: z.literal('session.changed') }), ImportProgress, IndexProgress, ValidationProgress, PackChangeProgress]);
export type ApiEvent = z.infer<typeof ApiEvent>;
