import type { ReactNode } from 'react';
import type { SessionStatus, User } from '../../shared';
import { may, refusal } from '../api';
import { AuditScreen } from '../audit';
import { CaseHomeScreen } from '../case-home';
import { CasesScreen, CreateCaseScreen } from '../cases';
import { CompareScreen } from '../compare';
import { EvidenceScreen, ExhibitScreen } from '../evidence';
import { ModelsScreen } from '../models';
import { PersonsScreen } from '../persons';
import { ReportScreen } from '../report';
import { RetentionScreen } from '../retention';
import { ReviewScreen } from '../review';
import { ScaleScreen } from '../scale';
import { SearchResultScreen, SearchScreen } from '../search';
import { UsersScreen } from '../users';
import { ValidationScreen } from '../validation';
import { WatchlistsScreen } from '../watchlists';
import type { Route } from './route';

/**
 * Every screen behind sign-in. To add one: write it in its own folder and list it here
 * with its path, its label, which navigation bar it sits in (the main one, the open
 * case's, or none), and when it is blocked. A screen outside the bars names the entry it
 * belongs under (`under`), which is then shown as current.
 */
export interface Screen {
  path: string;
  label: string;
  nav: 'main' | 'case' | false;
  under?: string;
  /** Why the signed-in user cannot use this screen now, or null when they can. */
  blocked(user: User, status: SessionStatus): string | null;
  render(route: Route): ReactNode;
}

const needsCase = (_user: User, status: SessionStatus) => (status.openCase ? null : 'No case is open. Open one from the case list.');

export const SCREENS: readonly Screen[] = [
  { path: '/cases', label: 'Cases', nav: 'main', blocked: () => null, render: () => <CasesScreen /> },
  {
    path: '/cases/new',
    label: 'New case',
    nav: false,
    under: '/cases',
    blocked: (user, status) =>
      !may(user.role, 'cases.create') ? refusal(user.role, 'cases.create') : status.openCase ? `Case ${status.openCase.reference} is open; close it before creating another.` : null,
    render: () => <CreateCaseScreen />,
  },
  { path: '/audit', label: 'Audit', nav: 'main', blocked: () => null, render: (route) => <AuditScreen params={route.params} /> },
  { path: '/users', label: 'Users', nav: 'main', blocked: (user) => (may(user.role, 'users.list') ? null : refusal(user.role, 'users.list')), render: () => <UsersScreen /> },
  { path: '/models', label: 'Model packs', nav: 'main', blocked: () => null, render: () => <ModelsScreen /> },
  { path: '/validation', label: 'Validation', nav: false, under: '/models', blocked: () => null, render: (route) => <ValidationScreen params={route.params} /> },
  { path: '/scale', label: 'Conclusion scale', nav: 'main', blocked: () => null, render: () => <ScaleScreen /> },
  { path: '/retention', label: 'Retention', nav: 'main', blocked: (user) => (may(user.role, 'retention.queue') ? null : refusal(user.role, 'retention.queue')), render: () => <RetentionScreen /> },

  { path: '/case', label: 'Overview', nav: 'case', blocked: needsCase, render: () => <CaseHomeScreen /> },
  { path: '/evidence', label: 'Evidence', nav: 'case', blocked: needsCase, render: () => <EvidenceScreen /> },
  { path: '/exhibit', label: 'Exhibit', nav: false, under: '/evidence', blocked: needsCase, render: (route) => <ExhibitScreen params={route.params} /> },
  { path: '/search', label: 'Search', nav: 'case', blocked: needsCase, render: (route) => <SearchScreen params={route.params} /> },
  { path: '/search/result', label: 'Search result', nav: false, under: '/search', blocked: needsCase, render: (route) => <SearchResultScreen params={route.params} /> },
  { path: '/review', label: 'Examine side by side', nav: false, under: '/case', blocked: needsCase, render: (route) => <ReviewScreen params={route.params} /> },
  { path: '/compare', label: 'Compare 1:1', nav: 'case', blocked: needsCase, render: (route) => <CompareScreen params={route.params} /> },
  { path: '/watchlists', label: 'Watch lists', nav: 'case', blocked: needsCase, render: (route) => <WatchlistsScreen params={route.params} /> },
  { path: '/persons', label: 'Persons', nav: 'case', blocked: needsCase, render: () => <PersonsScreen /> },
  { path: '/report', label: 'Report', nav: 'case', blocked: needsCase, render: () => <ReportScreen /> },
];
