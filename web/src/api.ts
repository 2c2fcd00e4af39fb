// The one door to the certkeeper REST API. Same-origin fetch with the session cookie;
// every unsafe request carries X-CSRFToken (kept in memory only, refreshed from
// /api/auth/me/ after a reload). Errors become ApiError with the API's own body.

export interface User {
  id: number;
  username: string;
  is_superuser: boolean;
}

export interface Brief {
  id: number;
  url?: string;
  display?: string;
  name?: string;
  [k: string]: unknown;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export type Obj = Record<string, any>;

/** Field errors as the API sends them: {"field": ["msg"]} or {"detail": "msg"}. */
export type ErrorBody = Record<string, unknown>;

export class ApiError extends Error {
  status: number;
  body: ErrorBody | null;

  constructor(status: number, body: ErrorBody | null, fallback: string) {
    super(ApiError.summary(status, body, fallback));
    this.status = status;
    this.body = body;
  }

  static summary(status: number, body: ErrorBody | null, fallback: string): string {
    if (body) {
      if (typeof body.detail === 'string') return body.detail;
      const nfe = body.non_field_errors;
      if (Array.isArray(nfe) && nfe.length) return nfe.map(String).join(' ');
      for (const v of Object.values(body)) {
        if (typeof v === 'string') return v;
        if (Array.isArray(v) && v.length && typeof v[0] === 'string') return v.join(' ');
      }
    }
    if (status === 429) return 'Too many attempts. Please wait a moment and try again.';
    if (status === 0) return 'The server could not be reached.';
    return fallback;
  }

  /** Messages for one field ("detail"/"non_field_errors" are not fields). */
  field(name: string): string[] {
    const v = this.body?.[name];
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
    if (typeof v === 'string') return [v];
    return [];
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request comes back 401 (the session ended): the app shows sign-in. */
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Do not treat 401 as "session ended" (the login and me calls). */
  quiet401?: boolean;
  signal?: AbortSignal;
}

export async function request<T = any>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = (opts.method || 'GET').toUpperCase();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken) headers['X-CSRFToken'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, null, 'The server could not be reached.');
  }
  const text = res.status === 204 ? '' : await res.text();
  let data: any = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401 && onUnauthorized) onUnauthorized();
    const body = data && typeof data === 'object' && !Array.isArray(data) ? data : null;
    throw new ApiError(res.status, body, `${res.status} ${res.statusText || 'error'}`);
  }
  return data as T;
}

export const get = <T = any>(path: string, signal?: AbortSignal) => request<T>(path, { signal });
export const post = <T = any>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body });
export const patch = <T = any>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body });
export const del = <T = any>(path: string, body?: unknown) => request<T>(path, { method: 'DELETE', body });

/** Builds a query string; arrays repeat the parameter (the API ORs them). */
export function qs(params: Record<string, string | number | boolean | (string | number)[] | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => sp.append(k, String(x)));
    else sp.append(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

/** The API path of a resource URL (absolute `url` fields → same-origin path). */
export function apiPath(url: string): string {
  try {
    const u = new URL(url, location.origin);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

export const PLUGIN = '/api/plugins/netbox-ssl';
