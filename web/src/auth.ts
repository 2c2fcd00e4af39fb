// Session state: who is signed in. The CSRF token lives in api.ts memory only.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, post, request, setCsrfToken, type User } from './api';

interface AuthResponse {
  user: User;
  csrf_token: string;
}

export type AuthState = { status: 'loading' } | { status: 'anonymous'; expired?: boolean } | { status: 'signed-in'; user: User };

let state: AuthState = { status: 'loading' };
const listeners = new Set<(s: AuthState) => void>();

function set(s: AuthState): void {
  state = s;
  listeners.forEach((l) => l(s));
}

export function useAuth(): AuthState {
  const [s, setS] = useState(state);
  useEffect(() => {
    listeners.add(setS);
    setS(state);
    return () => {
      listeners.delete(setS);
    };
  }, []);
  return s;
}

/** After a reload: ask the server who we are (and get a fresh CSRF token). */
export async function restoreSession(): Promise<void> {
  try {
    const r = await request<AuthResponse>('/api/auth/me/', { quiet401: true });
    setCsrfToken(r.csrf_token);
    set({ status: 'signed-in', user: r.user });
  } catch (e) {
    setCsrfToken(null);
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) set({ status: 'anonymous' });
    else set({ status: 'anonymous' });
  }
}

export async function login(username: string, password: string): Promise<void> {
  const r = await request<AuthResponse>('/api/auth/login/', { method: 'POST', body: { username, password }, quiet401: true });
  setCsrfToken(r.csrf_token);
  set({ status: 'signed-in', user: r.user });
}

export async function logout(): Promise<void> {
  try {
    await post('/api/auth/logout/');
  } finally {
    setCsrfToken(null);
    set({ status: 'anonymous' });
  }
}

/** A request came back 401: the session is gone. */
export function sessionExpired(): void {
  if (state.status === 'signed-in') {
    setCsrfToken(null);
    set({ status: 'anonymous', expired: true });
  }
}
