import type { ReactNode } from 'react';
import type { SessionStatus, User } from '../../shared';
import { may, refusal } from '../api';
import { AuditScreen } from '../audit';
import { CaseHomeScreen } from '../case-home';
import { CasesScreen, CreateCaseScreen } from '../cases';
import { UsersScreen } from '../users';
import type { Route } from './route';

/**
 * Every screen behind sign-in. To add one: write it in its own folder and list it here
 * with its path, its label, whether it sits in the navigation bar, and when it is blocked.
 */
export interface Screen {
  path: string;
  label: string;
  nav: boolean;
  /** Why the signed-in user cannot use this screen now, or null when they can. */
  blocked(user: User, status: SessionStatus): string | null;
  render(route: Route): ReactNode;
}

export const SCREENS: readonly Screen[] = [
  { path: '/cases', label: 'Cases', nav: true, blocked: () => null, render: () => <CasesScreen /> },
  {
    path: '/cases/new',
    label: 'New case',
    nav: false,
    blocked: (user, status) =>
      !may(user.role, 'cases.create') ? refusal(user.role, 'cases.create') : status.openCase ? `Case ${status.openCase.reference} is open; close it before creating another.` : null,
    render: () => <CreateCaseScreen />,
  },
  { path: '/case', label: 'Case', nav: true, blocked: (_user, status) => (status.openCase ? null : 'No case is open. Open one from the case list.'), render: () => <CaseHomeScreen /> },
  { path: '/audit', label: 'Audit', nav: true, blocked: () => null, render: (route) => <AuditScreen params={route.params} /> },
  { path: '/users', label: 'Users', nav: true, blocked: (user) => (may(user.role, 'users.list') ? null : refusal(user.role, 'users.list')), render: () => <UsersScreen /> },
];
