// The page's path (HTML5 history; the server answers index.html for any
// non-API path). "/" is the live dashboard, "/admin/<section>" the admin area.
export const adminSections = ['users', 'sessions', 'tokens', 'audit'] as const;
export type AdminSection = (typeof adminSections)[number];

export function isAdminPath(path: string): boolean {
  return path === '/admin' || path.startsWith('/admin/');
}

/** The admin section a path names; users when none or an unknown one. */
export function adminSection(path: string): AdminSection {
  const s = path.split('/')[2] ?? '';
  return (adminSections as readonly string[]).includes(s) ? (s as AdminSection) : 'users';
}

class Route {
  path = $state(location.pathname);

  constructor() {
    addEventListener('popstate', () => (this.path = location.pathname));
  }

  go(path: string, replace = false) {
    if (path === this.path && !replace) return;
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    this.path = path;
    scrollTo(0, 0);
  }

  /** For <a href> links: plain clicks navigate in-page; modified clicks open a tab as usual. */
  link(e: MouseEvent, path: string) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    this.go(path);
  }
}

export const route = new Route();
