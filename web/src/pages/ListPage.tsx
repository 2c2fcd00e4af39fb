// The generic list: filters, sorting and pagination done by the server (limit/offset,
// ordering=), row selection with bulk delete and, for certificates, bulk status change.
// Filters live in the URL query so lists are linkable and survive back/forward.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, del, get, post, PLUGIN, type Obj, type Page } from '../api';
import { Card, Confirm, Dialog, Empty, ErrorBox, FkSelect, PageHeader, Pagination, Spinner, toast, useLoad } from '../components';
import { Icon } from '../icons';
import { byKey, CERT_STATUS, plural, type FilterDef, type ResourceDef } from '../resources';
import { Link, setQuery, useLocation } from '../router';

const DEFAULT_LIMIT = 50;

function useQueryState(embedded: boolean): [URLSearchParams, (c: Record<string, string | string[] | null>) => void] {
  const loc = useLocation();
  const [local, setLocal] = useState(() => new URLSearchParams());
  if (!embedded) return [loc.search, (c) => setQuery(c)];
  return [
    local,
    (c) => {
      const sp = new URLSearchParams(local);
      for (const [k, v] of Object.entries(c)) {
        sp.delete(k);
        if (Array.isArray(v)) v.forEach((x) => sp.append(k, x));
        else if (v !== null && v !== '') sp.set(k, v);
      }
      setLocal(sp);
    },
  ];
}

export interface ListProps {
  r: ResourceDef;
  /** Inside another page: state kept locally, no page header. */
  embedded?: boolean;
  /** Filters always applied (e.g. {tenant_id: "3"}). */
  fixed?: Record<string, string | string[]>;
  title?: ComponentChildren;
  subtitle?: ComponentChildren;
  actions?: ComponentChildren;
  hideFilters?: boolean;
  defaultOrdering?: string;
}

export function ListPage(props: ListProps) {
  const { r } = props;
  const [query, update] = useQueryState(!!props.embedded);
  const limit = Number(query.get('limit')) || DEFAULT_LIMIT;
  const offset = Number(query.get('offset')) || 0;
  const ordering = query.get('ordering') || props.defaultOrdering || '';
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [statusDialog, setStatusDialog] = useState(false);
  const [busy, setBusy] = useState(false);
  const [showFilters, setShowFilters] = useState(false);

  const apiQuery = () => {
    let sp = new URLSearchParams(query);
    if (r.toApiQuery) sp = r.toApiQuery(sp);
    sp.set('limit', String(limit));
    sp.set('offset', String(offset));
    if (ordering) sp.set('ordering', ordering);
    for (const [k, v] of Object.entries(props.fixed || {})) {
      sp.delete(k);
      (Array.isArray(v) ? v : [v]).forEach((x) => sp.append(k, x));
    }
    return sp.toString();
  };
  const key = apiQuery();
  const { data, error, loading, reload } = useLoad((signal) => get<Page<Obj>>(`${r.api}?${key}`, signal), [key]);

  useEffect(() => setSelected(new Set()), [key]);

  // After a failed load the last rows are not the answer to this query (and may be gone):
  // the error stands alone instead of stale rows under a pager that looks current.
  const shown = error ? null : data;
  const rows = shown?.results ?? [];
  const allOnPage = rows.length > 0 && rows.every((o) => selected.has(o.id));
  const toggleAll = () => {
    const s = new Set(selected);
    if (allOnPage) rows.forEach((o) => s.delete(o.id));
    else rows.forEach((o) => s.add(o.id));
    setSelected(s);
  };
  const toggle = (id: number) => {
    const s = new Set(selected);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    setSelected(s);
  };

  const sortBy = (field: string) => {
    const next = ordering === field ? `-${field}` : ordering === `-${field}` ? '' : field;
    update({ ordering: next || null, offset: null });
  };

  const bulkDelete = async () => {
    setBusy(true);
    try {
      await del(r.api, [...selected].map((id) => ({ id })));
      toast(`Deleted ${selected.size} ${selected.size === 1 ? r.singular : plural(r)}.`);
      setConfirmDelete(false);
      setSelected(new Set());
      reload();
    } catch (e) {
      toast((e as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  const activeFilters = r.filters.filter((f) => query.getAll(f.name).some(Boolean)).length + (query.get('q') ? 1 : 0);

  const table = (
    <>
      <div class="list-toolbar">
        <form
          class="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            const v = (e.currentTarget.elements.namedItem('q') as HTMLInputElement).value.trim();
            update({ q: v || null, offset: null });
          }}
        >
          <Icon name="search" class="search-icon" />
          <input
            name="q"
            type="search"
            aria-label={`Search ${plural(r)}`}
            placeholder={`Search ${plural(r)}…`}
            value={query.get('q') || ''}
            key={query.get('q') || ''}
          />
        </form>
        {!props.hideFilters && r.filters.length > 0 && (
          <button type="button" class={`btn ${showFilters ? 'btn-active' : ''}`} aria-expanded={showFilters} aria-controls={`filters-${r.key}`} onClick={() => setShowFilters(!showFilters)}>
            <Icon name="filter" /> Filters{activeFilters ? ` (${activeFilters})` : ''}
          </button>
        )}
        {activeFilters > 0 && (
          <button type="button" class="btn btn-ghost" onClick={() => update(Object.fromEntries([...r.filters.map((f) => [f.name, null]), ['q', null], ['offset', null]]))}>
            Clear
          </button>
        )}
        <div class="grow" />
        {selected.size > 0 && (
          <div class="bulk" role="group" aria-label="Bulk actions">
            <span class="muted">{selected.size} selected</span>
            {r.key === 'certificates' && (
              <button type="button" class="btn" onClick={() => setStatusDialog(true)}>
                Set status…
              </button>
            )}
            <button type="button" class="btn btn-danger" onClick={() => setConfirmDelete(true)}>
              <Icon name="trash" /> Delete
            </button>
          </div>
        )}
        <button type="button" class="btn btn-icon btn-ghost" aria-label="Reload" title="Reload" onClick={reload}>
          <Icon name="refresh" />
        </button>
      </div>
      {!showFilters && !props.hideFilters && activeFilters > 0 && (
        <div class="active-filters" aria-label="Active filters" role="group">
          {query.get('q') && (
            <button type="button" class="chip on" onClick={() => update({ q: null, offset: null })} aria-label={`Remove search ${query.get('q')}`}>
              Search: {query.get('q')} <span aria-hidden="true">×</span>
            </button>
          )}
          {r.filters.flatMap((f) =>
            query
              .getAll(f.name)
              .filter(Boolean)
              .map((v) => (
                <button
                  type="button"
                  key={`${f.name}=${v}`}
                  class="chip on"
                  aria-label={`Remove filter ${f.label} ${v}`}
                  onClick={() => update({ [f.name]: query.getAll(f.name).filter((x) => x !== v), offset: null })}
                >
                  {f.label.replace(/\s*\(.*\)$/, "")}: <FilterValue f={f} v={v} /> <span aria-hidden="true">×</span>
                </button>
              )),
          )}
        </div>
      )}
      {showFilters && !props.hideFilters && (
        <div class="filters" id={`filters-${r.key}`}>
          {r.filters.map((f) => (
            <FilterControl key={f.name} f={f} query={query} update={update} />
          ))}
        </div>
      )}
      <ErrorBox
        error={error instanceof ApiError && error.status === 404 ? new Error(`This server does not provide ${plural(r)} yet (${r.api} answered 404).`) : error}
        onRetry={reload}
      />
      <div class={`table-wrap ${loading ? 'is-loading' : ''}`}>
        <table class="table selectable">
          <thead>
            <tr>
              <th class="sel">
                <input type="checkbox" aria-label="Select all on this page" checked={allOnPage} onChange={toggleAll} disabled={!rows.length} />
              </th>
              {r.columns.map((c) => {
                const dir = ordering === c.order ? 'ascending' : ordering === `-${c.order}` ? 'descending' : undefined;
                return (
                  <th key={c.key} class={c.class} aria-sort={c.order ? dir ?? 'none' : undefined}>
                    {c.order ? (
                      <button type="button" class="sort" onClick={() => sortBy(c.order!)}>
                        {c.label}
                        <span class={`sort-ind ${dir ?? ''}`} aria-hidden="true">
                          {dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕'}
                        </span>
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.id} class={selected.has(o.id) ? 'selected' : ''}>
                <td class="sel">
                  <input type="checkbox" aria-label={`Select ${r.label(o)}`} checked={selected.has(o.id)} onChange={() => toggle(o.id)} />
                </td>
                {r.columns.map((c) => (
                  <td key={c.key} class={c.class} data-label={c.label}>
                    {c.render ? c.render(o) : o[c.key] === null || o[c.key] === undefined || o[c.key] === '' ? <span class="muted">—</span> : String(o[c.key])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {loading && !shown && !error && <Spinner />}
        {shown && rows.length === 0 && <Empty>{activeFilters ? `No ${plural(r)} match these filters.` : `No ${plural(r)} yet.`}</Empty>}
      </div>
      {shown && shown.count > 0 && <Pagination count={shown.count} limit={limit} offset={offset} onChange={(o, l) => update({ offset: o ? String(o) : null, limit: l === DEFAULT_LIMIT ? null : String(l) })} />}
      <Confirm
        open={confirmDelete}
        title={`Delete ${selected.size} ${selected.size === 1 ? r.singular : plural(r)}?`}
        text={<p>This cannot be undone. The change is recorded in the changelog.</p>}
        confirm="Delete"
        danger
        busy={busy}
        onConfirm={bulkDelete}
        onClose={() => setConfirmDelete(false)}
      />
      {r.key === 'certificates' && (
        <BulkStatusDialog
          open={statusDialog}
          ids={[...selected]}
          onClose={() => setStatusDialog(false)}
          onDone={() => {
            setStatusDialog(false);
            setSelected(new Set());
            reload();
          }}
        />
      )}
    </>
  );

  if (props.embedded) return table;
  return (
    <div class="page">
      <PageHeader
        title={props.title ?? r.title}
        subtitle={props.subtitle}
        actions={
          props.actions ?? (
            !r.noCreate && (
              <Link class="btn btn-primary" href={`${r.route}/new`}>
                <Icon name="plus" /> Add {r.singular}
              </Link>
            )
          )
        }
      />
      <Card flush>{table}</Card>
    </div>
  );
}

function FilterControl(props: { f: FilterDef; query: URLSearchParams; update: (c: Record<string, string | string[] | null>) => void }) {
  const { f, query, update } = props;
  const id = `filter-${f.name}`;
  const set = (v: string | string[] | null) => update({ [f.name]: v, offset: null });
  let control;
  if (f.type === 'select' && f.multiple) {
    const vals = query.getAll(f.name);
    control = (
      <div class="chips" role="group" aria-labelledby={`${id}-label`}>
        {f.choices!.map(([v, l]) => {
          const on = vals.includes(v);
          return (
            <button type="button" key={v} class={`chip ${on ? 'on' : ''}`} aria-pressed={on} onClick={() => set(on ? vals.filter((x) => x !== v) : [...vals, v])}>
              {l}
            </button>
          );
        })}
      </div>
    );
    return (
      <div class="filter filter-wide">
        <span class="filter-label" id={`${id}-label`}>
          {f.label}
        </span>
        {control}
      </div>
    );
  }
  if (f.type === 'select' || f.type === 'bool') {
    control = (
      <select id={id} value={query.get(f.name) || ''} onChange={(e) => set((e.target as HTMLSelectElement).value || null)}>
        <option value="">Any</option>
        {f.choices!.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    );
  } else if (f.type === 'fk') {
    control = <FkSelect id={id} resource={f.fk!} valueKey={f.valueKey} value={query.get(f.name) || ''} emptyLabel="Any" onChange={(v) => set(v || null)} />;
  } else {
    control = (
      <input
        id={id}
        type={f.type === 'number' ? 'number' : 'text'}
        min={f.type === 'number' ? 0 : undefined}
        placeholder={f.placeholder}
        value={query.get(f.name) || ''}
        onChange={(e) => set((e.target as HTMLInputElement).value || null)}
      />
    );
  }
  return (
    <div class="filter">
      <label for={id} class="filter-label">
        {f.label}
      </label>
      {control}
    </div>
  );
}

/** A filter value as a person reads it (choice label, or the object's name). */
function FilterValue(props: { f: FilterDef; v: string }) {
  const { f, v } = props;
  const [label, setLabel] = useState<string | null>(null);
  useEffect(() => {
    if (f.type !== 'fk') return;
    const target = byKey[f.fk!];
    const q = f.valueKey && f.valueKey !== 'id' ? `?${f.valueKey}=${encodeURIComponent(v)}&limit=1` : `${encodeURIComponent(v)}/`;
    get<Obj>(`${target.api}${q}`)
      .then((o) => {
        const obj = o && Array.isArray(o.results) ? o.results[0] : o;
        if (obj) setLabel(target.label(obj));
      })
      .catch(() => {});
  }, [f.name, v]);
  if (f.choices) return <>{f.choices.find(([c]) => c === v)?.[1] ?? v}</>;
  if (f.name === 'expiring_within') return <>{v} days</>;
  return <>{label ?? v}</>;
}

function BulkStatusDialog(props: { open: boolean; ids: number[]; onClose: () => void; onDone: () => void }) {
  const [status, setStatus] = useState('archived');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await post<Obj>(`${PLUGIN}/certificates/bulk-status-update/`, { ids: props.ids, status });
      const n = res?.updated_count ?? props.ids.length;
      toast(`Status set to ${status} on ${n} certificate${n === 1 ? '' : 's'}.`);
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={props.open} title={`Change status of ${props.ids.length} certificate${props.ids.length === 1 ? '' : 's'}`} onClose={props.onClose} labelId="bulk-status-title">
      <form onSubmit={submit}>
        <div class="dialog-body">
          <ErrorBox error={error} />
          <div class="field">
            <label for="bulk-status">New status</label>
            <select id="bulk-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
              {CERT_STATUS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="dialog-foot">
          <button type="button" class="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            Apply
          </button>
        </div>
      </form>
    </Dialog>
  );
}

