// Small renderers shared by every page: dates, badges, nested objects.
import type { ComponentChildren } from 'preact';
import type { Brief, Obj } from './api';
import { Link } from './router';
import { uiPathForApiUrl } from './resources';

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 10);
}

export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return String(iso);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function relDays(n: number): string {
  if (n === 0) return 'today';
  const abs = Math.abs(n);
  const unit = abs === 1 ? 'day' : 'days';
  return n > 0 ? `in ${abs} ${unit}` : `${abs} ${unit} ago`;
}

export function titleCase(s: string): string {
  return s.replace(/[_-]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

const ALGO: Record<string, string> = { rsa: 'RSA', ecdsa: 'ECDSA', ed25519: 'Ed25519', unknown: 'Unknown' };

export function fmtAlgorithm(algorithm?: string | null, keySize?: number | null): string {
  if (!algorithm) return '—';
  const a = ALGO[algorithm] || algorithm;
  return keySize ? `${a} ${keySize}` : a;
}

/** Days-remaining badge coloured by the API's expiry_status (ok / warning / critical / expired). */
export function ExpiryBadge(props: { cert: Obj }) {
  const c = props.cert;
  // A replaced, archived or revoked certificate is out of service: its days left are no
  // longer anyone's deadline, so no (red) countdown.
  if (RETIRED.has(statusValue(c.status))) return null;
  const status: string = c.expiry_status || (typeof c.days_remaining === 'number' && c.days_remaining < 0 ? 'expired' : 'ok');
  const days: number | undefined = typeof c.days_remaining === 'number' ? c.days_remaining : undefined;
  let text: string;
  if (days === undefined) text = titleCase(status);
  else if (days < 0) text = `expired ${-days}d ago`;
  else if (status === 'expired') text = 'expired';
  else text = `${days}d left`;
  return (
    <span class={`badge expiry-${status}`} title={`Expiry status: ${status}`}>
      {text}
    </span>
  );
}

/** Certificate statuses that take a certificate out of service. */
export const RETIRED = new Set(['replaced', 'archived', 'revoked']);

/** A choice field's value, whether the API sent "x" or {value: "x", label}. */
export function statusValue(v: unknown): string {
  return v && typeof v === 'object' ? String((v as Obj).value ?? '') : String(v ?? '');
}

const STATUS_TONE: Record<string, string> = {
  active: 'green',
  expired: 'red',
  revoked: 'red',
  replaced: 'grey',
  archived: 'grey',
  pending: 'amber',
  approved: 'green',
  rejected: 'red',
  issued: 'blue',
  offline: 'grey',
  planned: 'blue',
  staged: 'blue',
  failed: 'red',
  inventory: 'grey',
  decommissioning: 'amber',
};

export function StatusBadge(props: { value: unknown }) {
  const v = props.value;
  const raw = v && typeof v === 'object' ? String((v as Obj).value ?? '') : String(v ?? '');
  const label = v && typeof v === 'object' ? String((v as Obj).label ?? raw) : titleCase(raw);
  if (!raw) return <span class="muted">—</span>;
  return <span class={`badge tone-${STATUS_TONE[raw] || 'grey'}`}>{label}</span>;
}

export function YesNo(props: { value: unknown }) {
  return props.value ? <span class="badge tone-green">Yes</span> : <span class="badge tone-grey">No</span>;
}

/** A nested brief object rendered as a link to its page in the UI. */
export function Ref(props: { value: Brief | null | undefined; fallback?: ComponentChildren }) {
  const v = props.value;
  if (!v || typeof v !== 'object') return <span class="muted">{props.fallback ?? '—'}</span>;
  const text = v.display || v.name || `#${v.id}`;
  const to = v.url ? uiPathForApiUrl(v.url) : null;
  return to ? <Link href={to}>{text}</Link> : <span>{text}</span>;
}

export function TagList(props: { tags: unknown }) {
  const tags = Array.isArray(props.tags) ? (props.tags as Obj[]) : [];
  if (!tags.length) return <span class="muted">—</span>;
  return (
    <span class="tags">
      {tags.map((t) => (
        <span class="tag" key={t.id ?? t.slug}>
          <span class="tag-dot" ref={t.color ? cssRef('background', `#${String(t.color).replace(/^#/, '')}`) : undefined} />
          {t.display || t.name || t.slug}
        </span>
      ))}
    </span>
  );
}

/** A ref callback that sets one style property through CSSOM (allowed by a strict CSP,
 *  unlike a style="" attribute). */
export function cssRef(prop: string, value: string) {
  return (el: HTMLElement | null): void => {
    if (el) el.style.setProperty(prop, value);
  };
}

/** Splits a text into the PEM certificate blocks it holds, in order. */
export function pemBlocks(text: string): string[] {
  const re = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
  return text.match(re) || [];
}

export function hasPrivateKey(text: string): boolean {
  return /-----BEGIN\s+(?:\w+\s+)*PRIVATE\s+KEY-----/i.test(text);
}
