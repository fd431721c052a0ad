/**
 * Client-side routing on the history API (no library): `usePath()` re-renders on navigation,
 * `navigate(path)` pushes a new entry, `match(pattern, path)` reads `:params`. Links are plain
 * `<a href>`s: the app's click handler turns same-origin left clicks into `navigate`.
 */
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

/** The current location's path and query (`/jobs?status=FAILED`). */
export const currentPath = (): string => `${location.pathname}${location.search}`;

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === currentPath()) return;
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  if (!opts.replace) window.scrollTo(0, 0);
  notify();
}

/** The path (with query) now, re-rendering the caller on every navigation. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const l = () => setPath(currentPath());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return path;
}

/** `match('/jobs/:id', '/jobs/abc')` → `{ id: 'abc' }`; null when the path does not fit. Query strings are ignored. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('?')[0]!.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) {
      try {
        params[seg.slice(1)] = decodeURIComponent(s[i]!);
      } catch {
        return null;
      }
    } else if (seg !== s[i]) return null;
  }
  return params;
}

/** The query parameters of a path (`/jobs?status=FAILED` → status=FAILED). */
export const queryOf = (path: string): URLSearchParams => new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?')) : '');

/** Makes in-app links (`<a href="/…">`) navigate without a reload; modified clicks, new tabs and downloads behave as usual. */
export function interceptLinks(root: HTMLElement): () => void {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download') || a.dataset.external !== undefined) return;
    const href = a.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('//')) return;
    // The API's own pages and file links are not the app's.
    if (/^\/(v1|files|uploads|docs|openapi\.json)(\/|$|\?)/.test(href)) return;
    e.preventDefault();
    navigate(href);
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}
