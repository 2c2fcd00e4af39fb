// Light/dark theme: follows the system until the user picks one, then remembers it.
import { useEffect, useState } from 'preact/hooks';

export type Theme = 'light' | 'dark';
const KEY = 'ck-theme';
const listeners = new Set<(t: Theme) => void>();

function stored(): Theme | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

function system(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

let current: Theme = stored() ?? system();

export function applyTheme(): void {
  document.documentElement.dataset.theme = current;
}

export function getTheme(): Theme {
  return current;
}

export function setTheme(t: Theme): void {
  current = t;
  try {
    localStorage.setItem(KEY, t);
  } catch {
    /* private mode: not remembered */
  }
  applyTheme();
  listeners.forEach((l) => l(t));
}

export function useTheme(): Theme {
  const [t, setT] = useState(current);
  useEffect(() => {
    listeners.add(setT);
    return () => {
      listeners.delete(setT);
    };
  }, []);
  return t;
}

window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => {
  if (stored()) return;
  current = system();
  applyTheme();
  listeners.forEach((l) => l(current));
});
