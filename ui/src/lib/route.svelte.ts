// The page's path (HTML5 history; the server answers index.html for any
// non-API path). "/" is the live dashboard, "/admin/<section>" the admin area,
// "/history" the call history (its filters in the query string) and
// "/history/<node>/<call>" one call's page.
export const adminSections = ['users', 'sessions', 'tokens', 'audit', 'alerts'] as const;
export type AdminSection = (typeof adminSections)[number];

export function isAdminPath(path: string): boolean {
  return path === '/admin' || path.startsWith('/admin/');
}

/** The admin section a path names; users when none or an unknown one. */
export function adminSection(path: string): AdminSection {
  const s = path.split('/')[2] ?? '';
  return (adminSections as readonly string[]).includes(s) ? (s as AdminSection) : 'users';
}

/** The wallboard: "/wallboard", and its TV mode "/wallboard/tv". */
export function isWallboardPath(path: string): boolean {
  return path === '/wallboard' || path.startsWith('/wallboard/');
}

export function isHistoryPath(path: string): boolean {
  return path === '/history' || path.startsWith('/history/');
}

/** The call a "/history/<node>/<call>" path names; null for the list (or anything else). */
export function historyCallOf(path: string): { node: string; call: string } | null {
  if (!path.startsWith('/history/')) return null;
  const parts = path.slice('/history/'.length).split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  try {
    return { node: decodeURIComponent(parts[0]), call: decodeURIComponent(parts[1]) };
  } catch {
    return null; // a malformed escape
  }
}

export const historyCallPath = (node: string, call: string) =>
  `/history/${encodeURIComponent(node)}/${encodeURIComponent(call)}`;

class Route {
  path = $state(location.pathname);
  /** The query string ("?q=…" or ''), e.g. the history list's filters. */
  search = $state(location.search);

  constructor() {
    addEventListener('popstate', () => {
      this.path = location.pathname;
      this.search = location.search;
    });
  }

  /** Goes to path (which may carry a query string). */
  go(path: string, replace = false) {
    const q = path.indexOf('?');
    const pathname = q < 0 ? path : path.slice(0, q);
    const search = q < 0 ? '' : path.slice(q);
    if (pathname === this.path && search === this.search && !replace) return;
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    const moved = pathname !== this.path;
    this.path = pathname;
    this.search = search;
    if (moved) scrollTo(0, 0);
  }

  /** For <a href> links: plain clicks navigate in-page; modified clicks open a tab as usual. */
  link(e: MouseEvent, path: string) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    this.go(path);
  }
}

export const route = new Route();
