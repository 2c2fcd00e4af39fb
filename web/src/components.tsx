// Building blocks shared by the pages.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, qs, type Obj, type Page } from './api';
import { cssRef } from './format';
import { Icon } from './icons';
import { byKey, plural } from './resources';

/* ---------- toasts ---------- */

export interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'info';
  text: string;
}
let toastSeq = 0;
let toastSink: ((t: Toast[]) => void) | null = null;
let toasts: Toast[] = [];

export function toast(text: string, kind: Toast['kind'] = 'ok'): void {
  const t = { id: ++toastSeq, kind, text };
  toasts = [...toasts, t];
  toastSink?.(toasts);
  setTimeout(() => {
    toasts = toasts.filter((x) => x.id !== t.id);
    toastSink?.(toasts);
  }, kind === 'error' ? 8000 : 4000);
}

export function Toasts() {
  const [list, setList] = useState<Toast[]>(toasts);
  useEffect(() => {
    toastSink = setList;
    return () => {
      toastSink = null;
    };
  }, []);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`}>
          <Icon name={t.kind === 'error' ? 'alert' : 'check'} />
          <span>{t.text}</span>
        </div>
      ))}
    </div>
  );
}

/* ---------- clipboard ---------- */

/** Copies text; falls back to a hidden textarea where the Clipboard API is unavailable. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'offscreen';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

/* ---------- layout pieces ---------- */

export function PageHeader(props: { title: ComponentChildren; subtitle?: ComponentChildren; actions?: ComponentChildren; crumbs?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div class="page-title">
        {props.crumbs && <nav class="crumbs" aria-label="Breadcrumb">{props.crumbs}</nav>}
        <h1>{props.title}</h1>
        {props.subtitle && <p class="subtitle">{props.subtitle}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

export function Card(props: { title?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; class?: string; flush?: boolean }) {
  return (
    <section class={`card ${props.flush ? 'card-flush' : ''} ${props.class ?? ''}`}>
      {(props.title || props.actions) && (
        <div class="card-head">
          {props.title && <h2>{props.title}</h2>}
          {props.actions && <div class="card-actions">{props.actions}</div>}
        </div>
      )}
      <div class="card-body">{props.children}</div>
    </section>
  );
}

export function Spinner(props: { label?: string }) {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>{props.label ?? 'Loading…'}</span>
    </div>
  );
}

export function ErrorBox(props: { error: unknown; onRetry?: () => void }) {
  if (!props.error) return null;
  const e = props.error;
  const msg = e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e);
  return (
    <div class="alert alert-error" role="alert">
      <Icon name="alert" />
      <span>{msg}</span>
      {props.onRetry && (
        <button type="button" class="btn btn-small" onClick={props.onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <div class="empty">{props.children}</div>;
}

/** Key/value rows of a detail card. */
export function KV(props: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="kv">
      {props.rows.map(([k, v]) => (
        <div class="kv-row" key={k}>
          <dt>{k}</dt>
          <dd>{v === null || v === undefined || v === '' ? <span class="muted">—</span> : v}</dd>
        </div>
      ))}
    </dl>
  );
}

/* ---------- dialog ---------- */

/** A modal <dialog>: focus is trapped by the browser, Escape closes it. */
export function Dialog(props: { open: boolean; title: ComponentChildren; onClose: () => void; children: ComponentChildren; wide?: boolean; labelId?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = props.labelId ?? 'dialog-title';
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      class={`dialog ${props.wide ? 'dialog-wide' : ''}`}
      aria-labelledby={id}
      onClose={() => props.open && props.onClose()}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      {props.open && (
        <div class="dialog-inner">
          <div class="dialog-head">
            <h2 id={id}>{props.title}</h2>
            <button type="button" class="btn btn-icon btn-ghost" aria-label="Close" onClick={props.onClose}>
              <Icon name="x" />
            </button>
          </div>
          {props.children}
        </div>
      )}
    </dialog>
  );
}

export function Confirm(props: { open: boolean; title: string; text: ComponentChildren; confirm: string; danger?: boolean; busy?: boolean; onConfirm: () => void; onClose: () => void }) {
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose} labelId="confirm-title">
      <div class="dialog-body">{props.text}</div>
      <div class="dialog-foot">
        <button type="button" class="btn" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class={`btn ${props.danger ? 'btn-danger' : 'btn-primary'}`} disabled={props.busy} onClick={props.onConfirm}>
          {props.confirm}
        </button>
      </div>
    </Dialog>
  );
}

/* ---------- tabs ---------- */

export function Tabs(props: { tabs: { key: string; label: ComponentChildren }[]; active: string; onSelect: (k: string) => void }) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const keys = props.tabs.map((t) => t.key);
  const onKey = (e: KeyboardEvent) => {
    const i = keys.indexOf(props.active);
    let n = -1;
    if (e.key === 'ArrowRight') n = (i + 1) % keys.length;
    else if (e.key === 'ArrowLeft') n = (i - 1 + keys.length) % keys.length;
    else if (e.key === 'Home') n = 0;
    else if (e.key === 'End') n = keys.length - 1;
    if (n < 0) return;
    e.preventDefault();
    props.onSelect(keys[n]);
    refs.current[keys[n]]?.focus();
  };
  return (
    <div class="tabs" role="tablist" onKeyDown={onKey}>
      {props.tabs.map((t) => (
        <button
          key={t.key}
          ref={(el) => {
            refs.current[t.key] = el;
          }}
          type="button"
          role="tab"
          id={`tab-${t.key}`}
          aria-selected={t.key === props.active}
          aria-controls={`panel-${t.key}`}
          tabIndex={t.key === props.active ? 0 : -1}
          class={`tab ${t.key === props.active ? 'active' : ''}`}
          onClick={() => props.onSelect(t.key)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

/* ---------- pagination ---------- */

export const PAGE_SIZES = [25, 50, 100, 250];

export function Pagination(props: { count: number; limit: number; offset: number; onChange: (offset: number, limit: number) => void }) {
  const { count, limit, offset } = props;
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(count / limit));
  const from = count === 0 ? 0 : offset + 1;
  const to = Math.min(count, offset + limit);
  return (
    <nav class="pagination" aria-label="Pagination">
      <span class="muted">
        {from}–{to} of {count}
      </span>
      <div class="pager">
        <button type="button" class="btn btn-small" disabled={page <= 1} onClick={() => props.onChange(0, limit)} aria-label="First page">
          «
        </button>
        <button type="button" class="btn btn-small" disabled={page <= 1} onClick={() => props.onChange(Math.max(0, offset - limit), limit)} aria-label="Previous page">
          ‹ Prev
        </button>
        <span class="page-no" aria-current="page">
          Page {page} / {pages}
        </span>
        <button type="button" class="btn btn-small" disabled={page >= pages} onClick={() => props.onChange(offset + limit, limit)} aria-label="Next page">
          Next ›
        </button>
        <button type="button" class="btn btn-small" disabled={page >= pages} onClick={() => props.onChange((pages - 1) * limit, limit)} aria-label="Last page">
          »
        </button>
      </div>
      <label class="per-page">
        <span>Per page</span>
        <select value={String(limit)} onChange={(e) => props.onChange(0, Number((e.target as HTMLSelectElement).value))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}

/* ---------- foreign-key select ---------- */

const FK_LIMIT = 100;

/** Options of a foreign-key <select>, loaded from the target's list endpoint; a search box
 *  appears when there are more than fit. */
export function FkSelect(props: {
  id?: string;
  resource: string;
  value: string;
  onChange: (v: string) => void;
  valueKey?: string;
  required?: boolean;
  emptyLabel?: string;
  invalid?: boolean;
  describedBy?: string;
  /** Extra filter params for the options (e.g. device_id). */
  params?: Record<string, string>;
  /** The current value's label when it is not among the loaded options. */
  currentLabel?: string;
}) {
  const r = byKey[props.resource];
  const [opts, setOpts] = useState<Obj[]>([]);
  const [count, setCount] = useState(0);
  const [q, setQ] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const key = props.valueKey ?? 'id';
  useEffect(() => {
    const ac = new AbortController();
    const t = setTimeout(() => {
      get<Page<Obj>>(r.api + qs({ limit: FK_LIMIT, q: q || undefined, ...(props.params || {}) }), ac.signal)
        .then((p) => {
          setOpts(p.results);
          setCount(p.count);
          setErr(null);
        })
        .catch((e) => {
          if (e.name !== 'AbortError') setErr(e.message);
        });
    }, q ? 250 : 0);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
  }, [props.resource, q, JSON.stringify(props.params || {})]);
  const hasCurrent = !props.value || opts.some((o) => String(o[key]) === props.value);
  return (
    <div class="fk">
      {(count > FK_LIMIT || q) && (
        <input
          type="search"
          class="fk-search"
          placeholder={`Search ${plural(r)}…`}
          aria-label={`Search ${plural(r)}`}
          value={q}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        />
      )}
      <select
        id={props.id}
        value={props.value}
        required={props.required}
        aria-invalid={props.invalid ? 'true' : undefined}
        aria-describedby={props.describedBy}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        <option value="">{props.emptyLabel ?? '—'}</option>
        {!hasCurrent && <option value={props.value}>{props.currentLabel || `#${props.value}`}</option>}
        {opts.map((o) => (
          <option key={o.id} value={String(o[key])}>
            {r.label(o)}
          </option>
        ))}
      </select>
      {err && <span class="field-error">{err}</span>}
    </div>
  );
}

/** Tag chooser: every tag as a toggle chip. */
export function TagPicker(props: { value: number[]; onChange: (v: number[]) => void; id?: string }) {
  const [tags, setTags] = useState<Obj[] | null>(null);
  useEffect(() => {
    get<Page<Obj>>(byKey.tags.api + qs({ limit: 250 }))
      .then((p) => setTags(p.results))
      .catch(() => setTags([]));
  }, []);
  if (!tags) return <span class="muted">Loading tags…</span>;
  if (!tags.length) return <span class="muted">No tags defined yet.</span>;
  return (
    <div class="tag-picker" id={props.id} role="group" aria-label="Tags">
      {tags.map((t) => {
        const on = props.value.includes(t.id);
        return (
          <button
            type="button"
            key={t.id}
            class={`chip ${on ? 'on' : ''}`}
            aria-pressed={on}
            onClick={() => props.onChange(on ? props.value.filter((x) => x !== t.id) : [...props.value, t.id])}
          >
            <span class="tag-dot" ref={cssRef('background', `#${t.color || '9e9e9e'}`)} />
            {t.name}
          </button>
        );
      })}
    </div>
  );
}

/** Loads data for a page; reloads when deps change. */
export function useLoad<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { data: T | null; error: unknown; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    fn(ac.signal)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e) => {
        if (e?.name !== 'AbortError') setError(e);
      })
      .finally(() => {
        if (!ac.signal.aborted) setLoading(false);
      });
    return () => ac.abort();
  }, [...deps, tick]);
  return { data, error, loading, reload: () => setTick((t) => t + 1) };
}
