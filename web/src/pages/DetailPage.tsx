// Generic object page: fields, related objects, changelog; edit and delete.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { del, get, qs, type Obj, type Page } from '../api';
import { Card, Confirm, copyText, Empty, ErrorBox, KV, PageHeader, Spinner, Tabs, toast, useLoad } from '../components';
import { fmtDateTime, Ref, StatusBadge, TagList, titleCase, YesNo } from '../format';
import { Icon } from '../icons';
import { byKey, type FieldDef, type ResourceDef } from '../resources';
import { Link, navigate, setQuery, useLocation } from '../router';
import { freshToken } from './FormPage';
import { ListPage } from './ListPage';

export function renderValue(f: FieldDef, v: any): ComponentChildren {
  if (v === null || v === undefined || v === '') return null;
  switch (f.type) {
    case 'fk':
      return typeof v === 'object' ? <Ref value={v} /> : String(v);
    case 'tags':
      return <TagList tags={v} />;
    case 'bool':
      return <YesNo value={v} />;
    case 'select':
      return f.name === 'status' ? <StatusBadge value={v} /> : typeof v === 'object' ? v.label ?? v.value : f.choices?.find(([c]) => c === v)?.[1] ?? titleCase(String(v));
    case 'datetime':
      return fmtDateTime(v);
    case 'strlist':
      return Array.isArray(v) && v.length ? (
        <ul class="plain-list mono">
          {v.map((x: string) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      ) : null;
    case 'intlist':
      return Array.isArray(v) ? v.join(', ') : String(v);
    case 'color':
      return <TagList tags={[{ id: 0, name: `#${v}`, color: v }]} />;
    case 'textarea':
      return f.mono ? <pre class="pem">{String(v)}</pre> : <div class="prewrap">{String(v)}</div>;
    case 'url':
      return (
        <a href={String(v)} rel="noopener noreferrer" target="_blank">
          {String(v)}
        </a>
      );
    default:
      return f.mono ? <code>{String(v)}</code> : String(v);
  }
}

/** PEM bodies in a snapshot are kilobytes of base64 nobody reads in a diff: shown shortened. */
const PEM_IN_VALUE = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** One changelog value as a person reads it: text without JSON quotes, lists joined,
 *  nested objects by name, PEM blocks shortened, nothing for absent/empty. */
export function changeText(v: unknown): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v === 'string') {
    if (ISO_UTC.test(v)) return `${v.slice(0, 10)} ${v.slice(11, 19)} UTC`;
    const pems = v.match(PEM_IN_VALUE);
    if (!pems) return v;
    const kinds = pems.map((p) => p.slice(11, p.indexOf('-----', 11)).toLowerCase());
    return `${pems.length === 1 ? `PEM ${kinds[0]}` : `${pems.length} PEM blocks`} (${v.length} characters)`;
  }
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(changeText).join(', ');
  if (typeof v === 'object') {
    const o = v as Obj;
    if (!Object.keys(o).length) return '';
    if (o.display || o.name || o.label) return String(o.display || o.name || o.label);
    if ('value' in o) return changeText(o.value);
    return JSON.stringify(v);
  }
  return String(v);
}

function ChangeValue(props: { v: unknown }) {
  const t = changeText(props.v);
  return t ? <span class="change-value">{t}</span> : <span class="muted">—</span>;
}

/** The changelog of one object, from /api/core/object-changes/. */
export function Changelog(props: { objectType: string; id: number | string }) {
  const { data, error, loading } = useLoad(
    (signal) => get<Page<Obj>>(`/api/core/object-changes/${qs({ changed_object_type: props.objectType, changed_object_id: props.id, limit: 50 })}`, signal),
    [props.objectType, props.id],
  );
  if (loading && !data) return <Spinner />;
  if (error) return <ErrorBox error={error} />;
  if (!data || !data.results.length) return <Empty>No changes recorded.</Empty>;
  return (
    <ol class="timeline">
      {data.results.map((c) => {
        const action = String(c.action?.value ?? c.action ?? '');
        const pre: Obj = c.prechange_data || {};
        const post: Obj = c.postchange_data || {};
        // Fields empty on both sides (null versus absent) are no change a person can see.
        const keys = [...new Set([...Object.keys(pre), ...Object.keys(post)])].filter(
          (k) => JSON.stringify(pre[k]) !== JSON.stringify(post[k]) && k !== 'last_updated' && (changeText(pre[k]) !== '' || changeText(post[k]) !== ''),
        );
        // A creation or deletion has one side only: one value column.
        const one = action === 'create' ? 'new' : action === 'delete' ? 'old' : null;
        return (
          <li key={c.id} class={`tl-item tl-${action}`}>
            <div class="tl-head">
              <span class={`badge tone-${action === 'create' ? 'green' : action === 'delete' ? 'red' : 'blue'}`}>{c.action?.label ?? titleCase(action)}</span>
              <span class="muted">{fmtDateTime(c.time)}</span>
              <span>by {c.user_name || c.user?.username || c.user?.display || 'system'}</span>
            </div>
            {keys.length > 0 && (
              <details>
                <summary>
                  {action === 'create' ? `Snapshot (${keys.length} fields)` : action === 'delete' ? 'Snapshot before deletion' : `${keys.length} field${keys.length === 1 ? '' : 's'} changed`}
                </summary>
                <table class="table diff">
                  <thead>
                    <tr>
                      <th>Field</th>
                      {one ? (
                        <th>Value</th>
                      ) : (
                        <>
                          <th>Before</th>
                          <th>After</th>
                        </>
                      )}
                    </tr>
                  </thead>
                  <tbody>
                    {keys.map((k) => (
                      <tr key={k}>
                        <td>
                          <code>{k}</code>
                        </td>
                        {one !== 'new' && (
                          <td class="diff-old">
                            <ChangeValue v={pre[k]} />
                          </td>
                        )}
                        {one !== 'old' && (
                          <td class="diff-new">
                            <ChangeValue v={post[k]} />
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** Certificates (or other objects) that belong to this object. */
function related(r: ResourceDef, o: Obj): { title: string; node: ComponentChildren } | null {
  const certs = byKey.certificates;
  switch (r.key) {
    case 'tenants':
      return { title: 'Certificates', node: <ListPage r={certs} embedded fixed={{ tenant_id: String(o.id) }} hideFilters /> };
    case 'certificate-authorities':
      return { title: 'Certificates', node: <ListPage r={certs} embedded fixed={{ issuing_ca_id: String(o.id) }} hideFilters /> };
    case 'tags':
      return { title: 'Certificates', node: <ListPage r={certs} embedded fixed={{ tag: String(o.slug) }} hideFilters /> };
    case 'users':
      return { title: 'API tokens', node: <ListPage r={byKey.tokens} embedded fixed={{ user_id: String(o.id) }} hideFilters /> };
    case 'devices':
    case 'virtual-machines':
    case 'services': {
      const type = { devices: 'dcim.device', 'virtual-machines': 'virtualization.virtualmachine', services: 'ipam.service' }[r.key]!;
      return { title: 'Certificates', node: <AssignedCertificates type={type} id={o.id} /> };
    }
    default:
      return null;
  }
}

/** The certificates assigned to a device, VM or service. */
function AssignedCertificates(props: { type: string; id: number }) {
  const { data, error, loading } = useLoad(
    (signal) => get<Page<Obj>>(`${byKey.assignments.api}${qs({ assigned_object_type: props.type, assigned_object_id: props.id, limit: 250 })}`, signal),
    [props.type, props.id],
  );
  if (loading && !data) return <Spinner />;
  if (error) return <ErrorBox error={error} />;
  if (!data || !data.results.length) return <Empty>No certificate is assigned here.</Empty>;
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>Certificate</th>
            <th>Primary</th>
            <th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {data.results.map((a) => (
            <tr key={a.id}>
              <td data-label="Certificate">
                <Ref value={a.certificate} />
              </td>
              <td data-label="Primary">
                <YesNo value={a.is_primary} />
              </td>
              <td data-label="Notes" class="wrap-cell">
                {a.notes || <span class="muted">—</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DetailPage(props: { r: ResourceDef; id: string }) {
  const { r, id } = props;
  const loc = useLocation();
  const tab = loc.search.get('tab') || 'details';
  const { data: o, error, loading } = useLoad((signal) => get<Obj>(`${r.api}${id}/`, signal), [r.key, id]);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [tokenKey] = useState(() => {
    const k = freshToken.key;
    freshToken.key = null;
    return k;
  });

  if (loading && !o) return <Spinner />;
  if (error || !o)
    return (
      <div class="page">
        <PageHeader title={`${titleCase(r.singular)} #${id}`} crumbs={<Link href={r.route}>{r.title}</Link>} />
        <ErrorBox error={error || new Error('Not found.')} />
      </div>
    );

  const remove = async () => {
    setBusy(true);
    try {
      await del(`${r.api}${o.id}/`);
      toast(`Deleted ${r.label(o)}.`);
      navigate(r.route);
    } catch (e) {
      toast((e as Error).message, 'error');
      setBusy(false);
      setConfirm(false);
    }
  };

  const rows: [string, ComponentChildren][] = r.fields.filter((f) => !f.writeOnly && (!f.when || f.when(o))).map((f) => [f.label, renderValue(f, f.name === 'assigned_object_id' ? o.assigned_object || o[f.name] : o[f.name])]);
  if (r.key === 'assignments') {
    const i = rows.findIndex(([l]) => l === 'Object');
    if (i >= 0) rows[i] = ['Assigned to', <Ref value={o.assigned_object} fallback={`#${o.assigned_object_id}`} />];
  }
  for (const x of r.extraDetail || []) rows.push([x.label, x.render(o)]);
  rows.push(['Created', fmtDateTime(o.created)], ['Last updated', fmtDateTime(o.last_updated)]);
  const rel = related(r, o);

  return (
    <div class="page">
      <PageHeader
        title={r.label(o)}
        crumbs={<Link href={r.route}>{r.title}</Link>}
        actions={
          <>
            {!r.noEdit && (
              <Link class="btn" href={`${r.route}/${o.id}/edit`}>
                <Icon name="edit" /> Edit
              </Link>
            )}
            <button type="button" class="btn btn-danger" onClick={() => setConfirm(true)}>
              <Icon name="trash" /> Delete
            </button>
          </>
        }
      />
      {tokenKey && (
        <div class="alert alert-ok" role="status">
          <div>
            <strong>Copy this token now — it will not be shown again.</strong>
            <div class="token-row">
              <pre class="pem token-key">{tokenKey}</pre>
              <button type="button" class="btn" onClick={async () => toast((await copyText(tokenKey)) ? 'Token copied to the clipboard.' : 'Copy failed.', 'info')}>
                <Icon name="copy" /> Copy
              </button>
            </div>
          </div>
        </div>
      )}
      <Tabs
        tabs={[
          { key: 'details', label: 'Details' },
          { key: 'changelog', label: 'Changelog' },
        ]}
        active={tab}
        onSelect={(k) => setQuery({ tab: k === 'details' ? null : k }, true)}
      />
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'changelog' ? (
          <Card>
            <Changelog objectType={r.objectType} id={o.id} />
          </Card>
        ) : (
          <div class="grid-2">
            <Card title={titleCase(r.singular)}>
              <KV rows={rows} />
            </Card>
            {rel && (
              <Card title={rel.title} flush class={r.key === 'devices' || r.key === 'virtual-machines' || r.key === 'services' ? '' : 'span-2'}>
                {rel.node}
              </Card>
            )}
          </div>
        )}
      </div>
      <Confirm open={confirm} title={`Delete ${r.label(o)}?`} text={<p>This cannot be undone.</p>} confirm="Delete" danger busy={busy} onConfirm={remove} onClose={() => setConfirm(false)} />
    </div>
  );
}
