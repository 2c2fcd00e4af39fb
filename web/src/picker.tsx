// The assignment target picker: services read "https (tcp/443) on web-01", the choices are
// limited to what the tenant rule allows for the certificate (the target's tenant — a
// service's is its parent's — equals the certificate's, or is empty), and a search box
// narrows them as you type.
import { useEffect, useState } from 'preact/hooks';
import { get, qs, type Obj, type Page } from './api';
import { byKey, plural, ASSIGNED_TYPE_RESOURCE } from './resources';

/** Options shown at a time; the search box reaches the rest. */
const PICK_LIMIT = 50;
const SEARCH_DELAY_MS = 200;
/** Rows of the open option list. */
const LIST_ROWS = 8;

interface Option {
  o: Obj;
  tenant: number | null;
}

const idOf = (v: unknown): number | null => (v && typeof v === 'object' ? Number((v as Obj).id) || null : typeof v === 'number' ? v : null);

/** The tenant of each service's parent (device or VM), two bounded look-ups per page. */
async function parentTenants(services: Obj[], signal: AbortSignal): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  const lookups: [string, string, number[]][] = [
    ['device', 'devices', [...new Set(services.map((s) => idOf(s.device)).filter((x): x is number => !!x))]],
    ['virtual_machine', 'virtual-machines', [...new Set(services.map((s) => idOf(s.virtual_machine)).filter((x): x is number => !!x))]],
  ];
  await Promise.all(
    lookups.map(async ([kind, res, ids]) => {
      if (!ids.length) return;
      const p = await get<Page<Obj>>(byKey[res].api + qs({ id: ids.map(String), limit: ids.length }), signal);
      for (const h of p.results) out.set(`${kind}:${h.id}`, idOf(h.tenant));
    }),
  );
  return out;
}

export function AssignTargetPicker(props: {
  id: string;
  type: string;
  certificateId: string;
  value: string;
  onChange: (v: string) => void;
  required?: boolean;
  invalid?: boolean;
  describedBy?: string;
  currentLabel?: string;
}) {
  const resKey = ASSIGNED_TYPE_RESOURCE[props.type];
  const r = resKey ? byKey[resKey] : null;
  // undefined while the certificate loads; null = no tenant (every target allowed).
  const [tenant, setTenant] = useState<Obj | null | undefined>(undefined);
  const [q, setQ] = useState('');
  const [opts, setOpts] = useState<Option[] | null>(null);
  const [hidden, setHidden] = useState(0);
  const [err, setErr] = useState<string | null>(null);

  useEffect(() => {
    if (!props.certificateId) return setTenant(null);
    const ac = new AbortController();
    setTenant(undefined);
    get<Obj>(`${byKey.certificates.api}${encodeURIComponent(props.certificateId)}/`, ac.signal)
      .then((c) => setTenant(c.tenant && typeof c.tenant === 'object' ? c.tenant : null))
      .catch((e) => {
        if (e.name !== 'AbortError') setTenant(null);
      });
    return () => ac.abort();
  }, [props.certificateId]);

  const tenantId = tenant ? Number(tenant.id) : null;
  useEffect(() => {
    if (!r || tenant === undefined) return;
    const ac = new AbortController();
    const t = setTimeout(async () => {
      try {
        const page = await get<Page<Obj>>(r.api + qs({ limit: PICK_LIMIT, q: q.trim() || undefined }), ac.signal);
        let list: Option[];
        if (resKey === 'services') {
          const parents = await parentTenants(page.results, ac.signal);
          list = page.results.map((o) => ({
            o,
            tenant: o.device ? parents.get(`device:${idOf(o.device)}`) ?? null : o.virtual_machine ? parents.get(`virtual_machine:${idOf(o.virtual_machine)}`) ?? null : null,
          }));
        } else list = page.results.map((o) => ({ o, tenant: idOf(o.tenant) }));
        const allowed = tenantId ? list.filter((x) => x.tenant === null || x.tenant === tenantId) : list;
        setOpts(allowed);
        setHidden(list.length - allowed.length);
        setErr(null);
      } catch (e) {
        if ((e as Error).name !== 'AbortError') setErr((e as Error).message);
      }
    }, q ? SEARCH_DELAY_MS : 0);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
  }, [resKey, q, tenant === undefined, tenantId]);

  if (!r) return <input id={props.id} type="number" value={props.value} onInput={(e) => props.onChange((e.target as HTMLInputElement).value)} />;
  const own = (opts || []).filter((x) => tenantId && x.tenant === tenantId);
  const free = (opts || []).filter((x) => !(tenantId && x.tenant === tenantId));
  const hasCurrent = !props.value || (opts || []).some((x) => String(x.o.id) === props.value);
  const option = (x: Option) => (
    <option key={x.o.id} value={String(x.o.id)}>
      {r.label(x.o)}
    </option>
  );
  const noteId = `${props.id}-scope`;
  return (
    <div class="fk picker">
      <input
        type="search"
        class="fk-search"
        placeholder={`Type to search ${plural(r)}…`}
        aria-label={`Search ${plural(r)}`}
        aria-controls={props.id}
        value={q}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
      />
      <select
        id={props.id}
        value={props.value}
        required={props.required}
        aria-invalid={props.invalid ? 'true' : undefined}
        aria-describedby={[props.describedBy, noteId].filter(Boolean).join(' ')}
        // An open list: the matches are in view while typing (a closed select hides them).
        size={opts && opts.length ? Math.min(LIST_ROWS, opts.length + 1 + (tenantId ? 2 : 0)) : undefined}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        <option value="">{opts === null ? 'Loading…' : opts.length ? '—' : q ? 'No match' : `No ${r.singular} available`}</option>
        {!hasCurrent && <option value={props.value}>{props.currentLabel || `#${props.value}`}</option>}
        {tenantId ? (
          <>
            {own.length > 0 && <optgroup label={`Tenant ${tenant?.display || tenant?.name}`}>{own.map(option)}</optgroup>}
            {free.length > 0 && <optgroup label="No tenant">{free.map(option)}</optgroup>}
          </>
        ) : (
          (opts || []).map(option)
        )}
      </select>
      <span class="help" id={noteId}>
        {tenantId
          ? `Only ${plural(r)} of tenant ${tenant?.display || tenant?.name} or without a tenant can take this certificate${hidden ? ` (${hidden} of other tenants hidden)` : ''}.`
          : tenant === undefined
            ? ''
            : `The certificate has no tenant: every ${r.singular} can take it.`}
      </span>
      {err && <span class="field-error">{err}</span>}
    </div>
  );
}
