// Client-side routing with real paths (the server falls back to index.html for them).
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;
const listeners = new Set<Listener>();

function notify(): void {
  listeners.forEach((l) => l());
}

window.addEventListener('popstate', notify);

export interface Loc {
  path: string;
  search: URLSearchParams;
  href: string;
}

function current(): Loc {
  return {
    path: location.pathname.replace(/\/+$/, '') || '/',
    search: new URLSearchParams(location.search),
    href: location.pathname + location.search,
  };
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const here = location.pathname + location.search;
  if (to === here) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  if (!opts.replace) window.scrollTo(0, 0);
  notify();
}

/** Replaces some query parameters of the current location (list filters, tabs). */
export function setQuery(changes: Record<string, string | string[] | null | undefined>, replace = false): void {
  const sp = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    sp.delete(k);
    if (Array.isArray(v)) v.forEach((x) => sp.append(k, x));
    else if (v !== null && v !== undefined && v !== '') sp.set(k, v);
  }
  const s = sp.toString();
  navigate(location.pathname + (s ? `?${s}` : ''), { replace });
}

export function useLocation(): Loc {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = () => setLoc(current());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return loc;
}

/** Matches "/certificates/:id" against a path; returns params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) out[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return out;
}

type AnchorProps = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; target?: string; children?: ComponentChildren };

/** An <a> that navigates client-side for plain left clicks. */
export function Link(props: AnchorProps) {
  const { href, onClick, ...rest } = props;
  return (
    <a
      href={href}
      {...rest}
      onClick={(e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
        if (onClick) (onClick as any)(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        if (props.target && props.target !== '_self') return;
        e.preventDefault();
        navigate(href);
      }}
    />
  );
}
