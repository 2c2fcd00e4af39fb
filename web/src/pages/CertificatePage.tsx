// Certificate detail: tabs for details, assignments (add/remove), lifecycle, changelog, PEM.
import { useState } from 'preact/hooks';
import { del, get, PLUGIN, post, qs, type Obj, type Page } from '../api';
import { Card, Confirm, copyText, Empty, ErrorBox, KV, PageHeader, Spinner, Tabs, toast, useLoad } from '../components';
import { ExpiryBadge, fmtAlgorithm, fmtDateTime, Ref, relDays, StatusBadge, TagList, titleCase, YesNo } from '../format';
import { Icon } from '../icons';
import { acmeProviderLabel, ASSIGNED_TYPES, byKey } from '../resources';
import { Link, navigate, setQuery, useLocation } from '../router';
import { Changelog } from './DetailPage';
import { ResourceForm } from './FormPage';

const TABS = ['details', 'assignments', 'lifecycle', 'changelog', 'pem'];

export function CertificatePage(props: { id: string }) {
  const r = byKey.certificates;
  const loc = useLocation();
  const tab = TABS.includes(loc.search.get('tab') || '') ? loc.search.get('tab')! : 'details';
  const { data: c, error, loading, reload } = useLoad((signal) => get<Obj>(`${r.api}${props.id}/`, signal), [props.id]);
  const [confirm, setConfirm] = useState(false);
  const [revert, setRevert] = useState(false);

  if (loading && !c) return <Spinner />;
  if (error || !c)
    return (
      <div class="page">
        <PageHeader title={`Certificate #${props.id}`} crumbs={<Link href="/certificates">Certificates</Link>} />
        <ErrorBox error={error || new Error('Not found.')} />
      </div>
    );

  const remove = async () => {
    try {
      await del(`${r.api}${c.id}/`);
      toast(`Deleted ${c.common_name}.`);
      navigate('/certificates');
    } catch (e) {
      toast((e as Error).message, 'error');
      setConfirm(false);
    }
  };

  const doRevert = async () => {
    try {
      const res = await post<Obj>(`${r.api}${c.id}/revert-renewal/`);
      toast(`Renewal reverted: ${res?.assignments_moved ?? 0} assignment(s) moved back.`);
      setRevert(false);
      reload();
    } catch (e) {
      toast((e as Error).message, 'error');
      setRevert(false);
    }
  };

  return (
    <div class="page">
      <PageHeader
        title={
          <span class="title-with-badges">
            {c.common_name}
            <StatusBadge value={c.status} />
            <ExpiryBadge cert={c} />
          </span>
        }
        subtitle={<span class="mono small wrap">{c.serial_number}</span>}
        crumbs={<Link href="/certificates">Certificates</Link>}
        actions={
          <>
            {c.status === 'replaced' && c.replaced_by ? (
              <button type="button" class="btn" onClick={() => setRevert(true)} title="Make this certificate active again and move the assignments back">
                <Icon name="refresh" /> Revert renewal
              </button>
            ) : (
              <Link class="btn" href={`/import?renew_from=${c.id}`} title="Import the replacement certificate (Janus renewal)">
                <Icon name="refresh" /> Renew
              </Link>
            )}
            <Link class="btn" href={`/certificates/${c.id}/edit`}>
              <Icon name="edit" /> Edit
            </Link>
            <button type="button" class="btn btn-danger" onClick={() => setConfirm(true)}>
              <Icon name="trash" /> Delete
            </button>
          </>
        }
      />
      <Tabs
        tabs={[
          { key: 'details', label: 'Details' },
          { key: 'assignments', label: <>Assignments{typeof c.assignment_count === 'number' && <span class="count">{c.assignment_count}</span>}</> },
          { key: 'lifecycle', label: 'Lifecycle' },
          { key: 'changelog', label: 'Changelog' },
          { key: 'pem', label: 'PEM' },
        ]}
        active={tab}
        onSelect={(k) => setQuery({ tab: k === 'details' ? null : k }, true)}
      />
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'details' && <Details c={c} />}
        {tab === 'assignments' && <Assignments c={c} onChange={reload} />}
        {tab === 'lifecycle' && <Lifecycle id={c.id} />}
        {tab === 'changelog' && (
          <Card>
            <Changelog objectType={r.objectType} id={c.id} />
          </Card>
        )}
        {tab === 'pem' && <Pem c={c} />}
      </div>
      <Confirm
        open={revert}
        title="Revert this renewal?"
        text={<p>{c.common_name} becomes active again, its assignments move back from the certificate that replaced it, and that certificate is kept, archived, for the audit trail.</p>}
        confirm="Revert renewal"
        onConfirm={doRevert}
        onClose={() => setRevert(false)}
      />
      <Confirm
        open={confirm}
        title={`Delete ${c.common_name}?`}
        text={<p>The certificate and its {c.assignment_count ?? ''} assignment(s) are removed. This cannot be undone.</p>}
        confirm="Delete"
        danger
        onConfirm={remove}
        onClose={() => setConfirm(false)}
      />
    </div>
  );
}

function Details(props: { c: Obj }) {
  const c = props.c;
  const days = typeof c.days_remaining === 'number' ? ` (${relDays(c.days_remaining)})` : '';
  return (
    <div class="grid-2">
      <Card title="Certificate">
        <KV
          rows={[
            ['Common name', c.common_name],
            [
              'SANs',
              Array.isArray(c.sans) && c.sans.length ? (
                <ul class="plain-list mono">
                  {c.sans.map((s: string) => (
                    <li key={s}>{s}</li>
                  ))}
                </ul>
              ) : null,
            ],
            ['Serial number', <code class="wrap">{c.serial_number}</code>],
            ['SHA-256 fingerprint', <code class="wrap">{c.fingerprint_sha256}</code>],
            ['Issuer', c.issuer],
            ['Valid from', fmtDateTime(c.valid_from)],
            [
              'Valid to',
              <span>
                {fmtDateTime(c.valid_to)}
                <span class="muted">{days}</span>
              </span>,
            ],
            ['Key', fmtAlgorithm(c.algorithm, c.key_size)],
            ['Chain', c.chain_status ? <span>{titleCase(String(c.chain_status))}{c.chain_validation_message ? <span class="muted"> — {c.chain_validation_message}</span> : null}</span> : null],
          ]}
        />
      </Card>
      <div class="stack">
        <Card title="Ownership">
          <KV
            rows={[
              ['Status', <StatusBadge value={c.status} />],
              ['Tenant', <Ref value={c.tenant} />],
              ['Issuing CA', <Ref value={c.issuing_ca} />],
              ['Private key location', c.private_key_location],
              ['Renewal', c.effective_renewal_instructions || c.renewal_note ? <div class="prewrap">{c.effective_renewal_instructions || c.renewal_note}</div> : null],
              ['Replaced by', c.replaced_by ? <Link href={`/certificates/${typeof c.replaced_by === 'object' ? c.replaced_by.id : c.replaced_by}`}>{typeof c.replaced_by === 'object' ? c.replaced_by.display : `#${c.replaced_by}`}</Link> : null],
              ['Tags', <TagList tags={c.tags} />],
              ['Created', fmtDateTime(c.created)],
              ['Last updated', fmtDateTime(c.last_updated)],
            ]}
          />
        </Card>
        <Card title="ACME">
          <KV
            rows={
              c.is_acme
                ? [
                    ['Managed by ACME', <YesNo value={true} />],
                    ['Provider', c.acme_provider ? acmeProviderLabel(c.acme_provider) : null],
                    ['Auto-renewal', <YesNo value={c.acme_auto_renewal} />],
                    ['Renewal status', c.acme_renewal_status ? titleCase(String(c.acme_renewal_status)) : null],
                    ['ARI window', c.ari_suggested_start ? `${fmtDateTime(c.ari_suggested_start)} → ${fmtDateTime(c.ari_suggested_end)}` : null],
                  ]
                : [['Managed by ACME', <YesNo value={false} />]]
            }
          />
        </Card>
        {c.comments && (
          <Card title="Comments">
            <div class="prewrap">{c.comments}</div>
          </Card>
        )}
      </div>
    </div>
  );
}

function Assignments(props: { c: Obj; onChange: () => void }) {
  const a = byKey.assignments;
  const { data, error, loading, reload } = useLoad((signal) => get<Page<Obj>>(`${a.api}${qs({ certificate_id: props.c.id, limit: 250 })}`, signal), [props.c.id]);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Obj | null>(null);
  const typeLabel = (t: string) => ASSIGNED_TYPES.find(([v]) => v === t)?.[1] || t;
  const remove = async () => {
    if (!removing) return;
    try {
      await del(`${a.api}${removing.id}/`);
      toast('Assignment removed.');
      setRemoving(null);
      reload();
      props.onChange();
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  return (
    <Card
      title="Assignments"
      flush
      actions={
        !adding && (
          <button type="button" class="btn btn-primary" onClick={() => setAdding(true)}>
            <Icon name="plus" /> Add assignment
          </button>
        )
      }
    >
      {adding && (
        <div class="inline-form">
          <h3>New assignment</h3>
          <ResourceForm
            r={a}
            preset={{ certificate: props.c.id }}
            hide={['certificate', 'tags']}
            submitLabel="Assign"
            compact
            onCancel={() => setAdding(false)}
            onSaved={() => {
              toast(`Assigned ${props.c.common_name}.`);
              setAdding(false);
              reload();
              props.onChange();
            }}
          />
        </div>
      )}
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? (
        <Spinner />
      ) : data && data.results.length ? (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Type</th>
                <th>Assigned to</th>
                <th>Primary</th>
                <th>Notes</th>
                <th>
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.results.map((x) => (
                <tr key={x.id}>
                  <td data-label="Type">{typeLabel(x.assigned_object_type)}</td>
                  <td data-label="Assigned to">
                    <Ref value={x.assigned_object} fallback={`#${x.assigned_object_id}`} />
                  </td>
                  <td data-label="Primary">
                    <YesNo value={x.is_primary} />
                  </td>
                  <td data-label="Notes">{x.notes || <span class="muted">—</span>}</td>
                  <td class="actions">
                    <button type="button" class="btn btn-small btn-ghost" aria-label={`Remove assignment to ${x.assigned_object?.display || x.assigned_object?.name || x.assigned_object_id}`} onClick={() => setRemoving(x)}>
                      <Icon name="trash" /> Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        !adding && <Empty>Not assigned to anything yet. A certificate without assignments is just metadata — link it to the service, device or VM that presents it.</Empty>
      )}
      <Confirm
        open={!!removing}
        title="Remove assignment?"
        text={<p>The certificate will no longer be linked to {removing?.assigned_object?.display || removing?.assigned_object?.name || `#${removing?.assigned_object_id}`}.</p>}
        confirm="Remove"
        danger
        onConfirm={remove}
        onClose={() => setRemoving(null)}
      />
    </Card>
  );
}

const EVENT_TONE: Record<string, string> = {
  imported: 'blue',
  issued: 'blue',
  activated: 'green',
  renewed: 'green',
  status_changed: 'amber',
  revoked: 'red',
  archived: 'grey',
  assignment_added: 'blue',
  assignment_removed: 'grey',
  renewal_reverted: 'amber',
};

function Lifecycle(props: { id: number }) {
  const { data, error, loading } = useLoad((signal) => get<{ certificate_id: number; events: Obj[] }>(`${PLUGIN}/certificates/${props.id}/lifecycle/`, signal), [props.id]);
  return (
    <Card title="Lifecycle">
      {loading && !data ? (
        <Spinner />
      ) : error ? (
        <ErrorBox error={error} />
      ) : !data?.events?.length ? (
        <Empty>No lifecycle events yet.</Empty>
      ) : (
        <ol class="timeline">
          {data.events.map((e) => (
            <li key={e.id} class="tl-item">
              <div class="tl-head">
                <span class={`badge tone-${EVENT_TONE[e.event_type] || 'grey'}`}>{e.event_type_display && e.event_type_display !== e.event_type ? e.event_type_display : titleCase(e.event_type)}</span>
                <span class="muted">{fmtDateTime(e.timestamp)}</span>
                {e.actor && <span>by {e.actor}</span>}
              </div>
              <div>{e.description}</div>
              {e.old_status && e.new_status && (
                <div class="small muted">
                  {e.old_status} → {e.new_status}
                </div>
              )}
              {e.related_certificate_id && (
                <div class="small">
                  Related: <Link href={`/certificates/${e.related_certificate_id}`}>certificate #{e.related_certificate_id}</Link>
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

export function downloadText(name: string, text: string, type = 'application/x-pem-file'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function fileName(cn: string): string {
  const s = cn.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  return s || 'certificate';
}

function Pem(props: { c: Obj }) {
  const c = props.c;
  const pem: string = c.pem_content || '';
  const chain: string = c.issuer_chain || '';
  if (!pem) return <Card title="PEM"><Empty>No PEM content stored for this certificate.</Empty></Card>;
  const full = chain ? `${pem.trim()}\n${chain.trim()}\n` : `${pem.trim()}\n`;
  const copy = async (text: string, what: string) => toast((await copyText(text)) ? `${what} copied to the clipboard.` : 'Copy failed.', 'info');
  return (
    <div class="stack">
      <Card
        title="Leaf certificate"
        actions={
          <>
            <button type="button" class="btn" onClick={() => copy(pem, 'PEM')}>
              <Icon name="copy" /> Copy
            </button>
            <button type="button" class="btn" onClick={() => downloadText(`${fileName(c.common_name)}.pem`, `${pem.trim()}\n`)}>
              <Icon name="download" /> Download
            </button>
            {chain && (
              <button type="button" class="btn" onClick={() => downloadText(`${fileName(c.common_name)}-fullchain.pem`, full)}>
                <Icon name="download" /> Full chain
              </button>
            )}
          </>
        }
      >
        <pre class="pem" tabIndex={0} aria-label="Certificate PEM">
          {pem.trim()}
        </pre>
      </Card>
      {chain && (
        <Card
          title="Issuer chain"
          actions={
            <button type="button" class="btn" onClick={() => copy(chain, 'Chain')}>
              <Icon name="copy" /> Copy
            </button>
          }
        >
          <pre class="pem" tabIndex={0} aria-label="Issuer chain PEM">
            {chain.trim()}
          </pre>
        </Card>
      )}
    </div>
  );
}
