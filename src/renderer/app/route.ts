/** Where the app is, kept in the URL's hash so Back and reload keep the user's place. */
export interface Route {
  path: string;
  params: URLSearchParams;
}

export const HOME = '/cases';

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', query = ''] = raw.split('?', 2);
  const path = `/${pathPart.split('/').filter(Boolean).join('/')}`;
  return { path: path === '/' ? HOME : path, params: new URLSearchParams(query) };
}
