// Smart Paste import (Tutorial 1) and the Janus renewal dialog (Tutorial 2).
// On paste the PEM goes to import/ with dry_run: the preview shows every certificate found.
// Saving a leaf sends its PEM followed by the pasted CA certificates, which the API keeps as
// the leaf's issuer chain; a CA certificate becomes an inventory record of its own only when
// asked for (a pasted chain would otherwise put its root, with years left, atop the list).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, post, PLUGIN, qs, type Obj, type Page } from '../api';
import { Card, Dialog, ErrorBox, FkSelect, PageHeader, Spinner, toast } from '../components';
import { ExpiryBadge, fmtAlgorithm, fmtDateTime, pemBlocks, Ref, StatusBadge } from '../format';
import { Icon } from '../icons';
import { Link, navigate, useLocation } from '../router';
import { acmeProviderLabel } from '../resources';

interface DryRun {
  certificates: Obj[];
  renewal_candidate: Obj | null;
}

type SaveState = { state: 'idle' | 'saving' | 'saved' | 'error'; saved?: Obj; error?: ApiError | Error };

const IMPORT = `${PLUGIN}/certificates/import/`;

/** days_remaining / expiry_status when the dry run did not compute them. */
function withExpiry(c: Obj): Obj {
  if (typeof c.days_remaining === 'number' && c.expiry_status) return c;
  const to = new Date(c.valid_to);
  if (isNaN(to.getTime())) return c;
  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const day = new Date(to.toISOString().slice(0, 10) + 'T00:00:00Z');
  const days = Math.round((day.getTime() - today.getTime()) / 86400000);
  const status = to.getTime() < Date.now() ? 'expired' : days <= 14 ? 'critical' : days <= 30 ? 'warning' : 'ok';
  return { ...c, days_remaining: c.days_remaining ?? days, expiry_status: c.expiry_status ?? status };
}

export function ImportPage() {
  const loc = useLocation();
  const renewFrom = loc.search.get('renew_from');
  const [pem, setPem] = useState('');
  const [tenant, setTenant] = useState('');
  const [keyLocation, setKeyLocation] = useState('');
  const [result, setResult] = useState<DryRun | null>(null);
  const [checkedPem, setCheckedPem] = useState('');
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [checking, setChecking] = useState(false);
  const [saves, setSaves] = useState<Record<number, SaveState>>({});
  const [janusOpen, setJanusOpen] = useState(false);
  const [renewFromCert, setRenewFromCert] = useState<Obj | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const seq = useRef(0);

  useEffect(() => {
    if (!renewFrom) return setRenewFromCert(null);
    get<Obj>(`${PLUGIN}/certificates/${renewFrom}/`)
      .then((old) => {
        setRenewFromCert(old);
        // The replacement lives where the old one did: same tenant, same key location,
        // unless the user already chose otherwise.
        const t = old.tenant && typeof old.tenant === 'object' ? old.tenant.id : old.tenant;
        if (t) setTenant((cur) => cur || String(t));
        if (old.private_key_location) setKeyLocation((cur) => cur || String(old.private_key_location));
      })
      .catch(() => setRenewFromCert(null));
  }, [renewFrom]);

  const check = async (text: string) => {
    window.clearTimeout(timer.current);
    if (!text.trim()) {
      setResult(null);
      setError(null);
      return;
    }
    const my = ++seq.current;
    setChecking(true);
    setError(null);
    try {
      const body: Obj = { pem_content: text, dry_run: true };
      if (tenant) body.tenant = Number(tenant);
      const res = await post<DryRun>(IMPORT, body);
      if (my !== seq.current) return;
      setResult({ certificates: (res.certificates || []).map(withExpiry), renewal_candidate: res.renewal_candidate ? withExpiry(res.renewal_candidate) : null });
      setCheckedPem(text);
      setSaves({});
      if (res.renewal_candidate) setJanusOpen(true);
    } catch (e) {
      if (my !== seq.current) return;
      setResult(null);
      setError(e as Error);
    } finally {
      if (my === seq.current) setChecking(false);
    }
  };

  const onInput = (text: string) => {
    setPem(text);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => check(text), 700);
  };

  const blocks = pemBlocks(checkedPem);
  const certs = result?.certificates ?? [];
  // Leaves are saved by default; CA certificates ride along as their chain. A paste of CA
  // certificates only (no leaf) offers each one for saving.
  const leafIdx = certs.map((_c, i) => i).filter((i) => !certs[i].is_ca);
  const caIdx = certs.map((_c, i) => i).filter((i) => certs[i].is_ca);
  const isChain = (i: number) => leafIdx.length > 0 && !!certs[i]?.is_ca;
  const blocksMatch = blocks.length === certs.length;
  const pemOf = (i: number): string => {
    if (!blocksMatch) return checkedPem;
    if (isChain(i) || !leafIdx.length) return blocks[i];
    return [blocks[i], ...caIdx.map((k) => blocks[k])].join('\n');
  };

  const save = async (i: number): Promise<Obj | null> => {
    setSaves((s) => ({ ...s, [i]: { state: 'saving' } }));
    try {
      const body: Obj = { pem_content: pemOf(i) };
      if (tenant) body.tenant = Number(tenant);
      if (keyLocation.trim()) body.private_key_location = keyLocation.trim();
      const saved = await post<Obj>(IMPORT, body);
      setSaves((s) => ({ ...s, [i]: { state: 'saved', saved } }));
      toast(`Certificate imported: ${saved.common_name ?? result?.certificates[i]?.common_name}${saved.issuing_ca?.name ? ` (CA: ${saved.issuing_ca.name})` : ''}`);
      return saved;
    } catch (e) {
      setSaves((s) => ({ ...s, [i]: { state: 'error', error: e as Error } }));
      return null;
    }
  };

  const pending = (leafIdx.length ? leafIdx : []).filter((i) => !certs[i].duplicate_of && saves[i]?.state !== 'saved');
  const saveAll = async () => {
    for (const i of pending) await save(i);
  };

  const candidate = result?.renewal_candidate ?? null;
  const janusIndex = candidate && result ? Math.max(0, result.certificates.findIndex((c) => c.common_name === candidate.common_name)) : 0;

  const privateKeyRefused = error instanceof ApiError && error.field('pem_content').some((m) => /private key/i.test(m));

  return (
    <div class="page">
      <PageHeader
        title="Import certificates"
        subtitle="Smart Paste: paste PEM text — a single certificate or a whole chain — and review before saving."
        crumbs={<Link href="/certificates">Certificates</Link>}
      />
      {renewFrom && (
        <div class="alert alert-info" role="status">
          <Icon name="refresh" />
          <span>
            Renewal mode: paste the replacement for{' '}
            {renewFromCert ? <Link href={`/certificates/${renewFromCert.id}`}>{renewFromCert.common_name}</Link> : `certificate #${renewFrom}`}. Certificates with the same common name are offered the
            Janus renew &amp; transfer.
          </span>
        </div>
      )}
      <div class="import-grid">
        <Card title="PEM content">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              check(pem);
            }}
          >
            <div class="field">
              <label for="pem-content">PEM content</label>
              <textarea
                id="pem-content"
                class="mono pem-input"
                rows={16}
                spellcheck={false}
                autoComplete="off"
                placeholder={'-----BEGIN CERTIFICATE-----\nMIID…\n-----END CERTIFICATE-----'}
                value={pem}
                aria-invalid={error ? 'true' : undefined}
                aria-describedby="pem-help pem-error"
                onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)}
                onPaste={(e) => {
                  const el = e.target as HTMLTextAreaElement;
                  // Let the paste land, then check at once.
                  setTimeout(() => {
                    setPem(el.value);
                    check(el.value);
                  }, 0);
                }}
              />
              <div class="help" id="pem-help">
                Everything from <code>-----BEGIN CERTIFICATE-----</code> to <code>-----END CERTIFICATE-----</code>. Private keys are refused by design: keep them in a secrets manager.
              </div>
            </div>
            <div class="field-grid">
              <div class="field">
                <label for="import-tenant">Tenant</label>
                <FkSelect id="import-tenant" resource="tenants" value={tenant} onChange={setTenant} emptyLabel="None" />
              </div>
              <div class="field">
                <label for="import-keyloc">Private key location</label>
                <input id="import-keyloc" type="text" placeholder="e.g. Vault: /secret/prod/web1" value={keyLocation} onInput={(e) => setKeyLocation((e.target as HTMLInputElement).value)} />
              </div>
            </div>
            <div class="form-foot">
              <button
                type="button"
                class="btn"
                onClick={() => {
                  setPem('');
                  setResult(null);
                  setError(null);
                  setSaves({});
                }}
              >
                Clear
              </button>
              <button type="submit" class="btn btn-primary" disabled={!pem.trim() || checking}>
                {checking ? 'Checking…' : 'Preview'}
              </button>
            </div>
          </form>
        </Card>
        <div class="stack" aria-live="polite">
          {checking && <Spinner label="Parsing…" />}
          {error && (
            <div class="alert alert-error" role="alert" id="pem-error">
              <Icon name="alert" />
              <div>
                {privateKeyRefused && <strong>Private key refused. </strong>}
                {error instanceof ApiError ? (error.field('pem_content').join(' ') || error.message) : error.message}
              </div>
            </div>
          )}
          {!checking && !error && !result && (
            <div class="empty hint">
              <Icon name="import" size={32} />
              <p>Paste a certificate to see its preview here: common name, SANs, validity, issuer, key and fingerprint.</p>
            </div>
          )}
          {result && (
            <>
              <div class="preview-head">
                <h2>
                  {result.certificates.length} certificate{result.certificates.length === 1 ? '' : 's'} found
                </h2>
                {pending.length > 1 && (
                  <button type="button" class="btn btn-primary" onClick={saveAll}>
                    Save all ({pending.length})
                  </button>
                )}
                {candidate && (
                  <button type="button" class="btn" onClick={() => setJanusOpen(true)}>
                    <Icon name="refresh" /> Renewal options
                  </button>
                )}
              </div>
              {result.certificates.map((c, i) => (
                <PreviewCard key={i} c={c} role={isChain(i) ? 'chain' : leafIdx.length > 1 || certs.length > 1 ? 'leaf' : 'single'} chainCount={isChain(i) ? 0 : blocksMatch ? caIdx.length : 0} save={saves[i] || { state: 'idle' }} onSave={() => save(i)} />
              ))}
            </>
          )}
        </div>
      </div>
      {candidate && result && (
        <JanusDialog
          open={janusOpen}
          old={candidate}
          next={result.certificates[janusIndex]}
          pem={pemOf(janusIndex)}
          extra={{ ...(tenant ? { tenant: Number(tenant) } : {}), ...(keyLocation.trim() ? { private_key_location: keyLocation.trim() } : {}) }}
          onClose={() => setJanusOpen(false)}
          onAddAsNew={async () => {
            setJanusOpen(false);
            const saved = await save(janusIndex);
            if (saved?.id) navigate(`/certificates/${saved.id}`);
          }}
        />
      )}
    </div>
  );
}

function PreviewCard(props: { c: Obj; role: 'single' | 'leaf' | 'chain'; chainCount: number; save: SaveState; onSave: () => void }) {
  const { c, save } = props;
  const dup = c.duplicate_of as Obj | null;
  const chain = props.role === 'chain';
  const role = props.role === 'leaf' ? 'Leaf' : chain ? 'Chain' : null;
  const [offerSave, setOfferSave] = useState(false);
  return (
    <article class={`card preview ${dup ? 'is-dup' : ''} ${save.state === 'saved' ? 'is-saved' : ''} ${chain ? 'is-chain' : ''}`} aria-label={`Certificate ${c.common_name}`}>
      <div class="card-head">
        <h3>
          {role && <span class="badge tone-grey">{role}</span>} {c.common_name}
          {c.is_ca && <span class="badge tone-blue">CA certificate</span>}
        </h3>
        <ExpiryBadge cert={c} />
      </div>
      <div class="card-body">
        <dl class="kv kv-compact">
          <div class="kv-row">
            <dt>SANs</dt>
            <dd class="mono small">{Array.isArray(c.sans) && c.sans.length ? c.sans.join(', ') : <span class="muted">none</span>}</dd>
          </div>
          <div class="kv-row">
            <dt>Validity</dt>
            <dd>
              {fmtDateTime(c.valid_from)} → {fmtDateTime(c.valid_to)}
            </dd>
          </div>
          <div class="kv-row">
            <dt>Issuer</dt>
            <dd>{c.issuer}</dd>
          </div>
          <div class="kv-row">
            <dt>Key</dt>
            <dd>{fmtAlgorithm(c.algorithm, c.key_size)}</dd>
          </div>
          <div class="kv-row">
            <dt>Serial</dt>
            <dd class="mono small wrap">{c.serial_number}</dd>
          </div>
          <div class="kv-row">
            <dt>SHA-256</dt>
            <dd class="mono small wrap">{c.fingerprint_sha256}</dd>
          </div>
          <div class="kv-row">
            <dt>Detected CA</dt>
            <dd>{c.issuing_ca ? <Link href={`/certificate-authorities/${c.issuing_ca.id}`}>{c.issuing_ca.name || c.issuing_ca.display}</Link> : <span class="muted">none</span>}{c.is_acme && <span class="badge tone-blue">ACME{c.acme_provider ? ` · ${acmeProviderLabel(c.acme_provider)}` : ''}</span>}</dd>
          </div>
        </dl>
      </div>
      <div class="card-foot">
        {dup ? (
          <div class="dup-note" role="note">
            <Icon name="alert" /> Duplicate: already in the inventory as{' '}
            <Link href={`/certificates/${dup.id}`}>{dup.display || `certificate #${dup.id}`}</Link>
          </div>
        ) : chain && !offerSave && save.state === 'idle' ? (
          <>
            <div class="chain-note" role="note">
              <Icon name="link" /> Kept as the issuer chain of the certificate it signs; not added to the inventory.
            </div>
            <button type="button" class="btn btn-small" onClick={() => setOfferSave(true)}>
              Save this CA certificate too…
            </button>
          </>
        ) : save.state === 'saved' ? (
          <div class="saved-note">
            <Icon name="check" /> Saved as{' '}
            <Link href={`/certificates/${save.saved?.id}`}>
              {save.saved?.display || save.saved?.common_name || `#${save.saved?.id}`}
            </Link>
            {' · '}
            <Link href={`/certificates/${save.saved?.id}?tab=assignments`}>Add assignment</Link>
          </div>
        ) : (
          <>
            {save.state === 'error' && <div class="field-error">{save.error instanceof ApiError ? save.error.field('pem_content').join(' ') || save.error.message : save.error?.message}</div>}
            {props.chainCount > 0 && <span class="muted small">with its chain ({props.chainCount} CA certificate{props.chainCount === 1 ? '' : 's'})</span>}
            <button type="button" class="btn btn-primary" disabled={save.state === 'saving'} onClick={props.onSave}>
              {save.state === 'saving' ? 'Saving…' : chain ? 'Save as inventory certificate' : 'Save'}
            </button>
          </>
        )}
      </div>
    </article>
  );
}

function JanusDialog(props: { open: boolean; old: Obj; next: Obj; pem: string; extra: Obj; onClose: () => void; onAddAsNew: () => void }) {
  const { old, next } = props;
  const [assignments, setAssignments] = useState<Obj[] | null>(null);
  const [renewUnavailable, setRenewUnavailable] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!props.open) return;
    setAssignments(null);
    get<Page<Obj>>(`${PLUGIN}/assignments/${qs({ certificate_id: old.id, limit: 100 })}`)
      .then((p) => setAssignments(p.results))
      .catch(() => setAssignments([]));
  }, [props.open, old.id]);

  const renew = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await post<Obj>(`${PLUGIN}/certificates/${old.id}/renew/`, { pem_content: props.pem, ...props.extra });
      const n = res?.assignments_transferred ?? assignments?.length ?? 0;
      toast(`Certificate renewed. ${n} assignment(s) transferred. Old certificate archived.`);
      // 201 {old, new, assignments_transferred}
      const newId = res?.new?.id ?? res?.id;
      props.onClose();
      navigate(newId ? `/certificates/${newId}` : `/certificates/${old.id}`);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
        setRenewUnavailable(true);
      } else setError(e);
    } finally {
      setBusy(false);
    }
  };

  const same = (a: unknown, b: unknown) => (a ?? '') === (b ?? '');
  const rows: [string, unknown, unknown, boolean?][] = [
    ['Common name', old.common_name, next.common_name, true],
    ['Serial number', <code class="wrap">{old.serial_number}</code>, <code class="wrap">{next.serial_number}</code>],
    ['Valid from', fmtDateTime(old.valid_from), fmtDateTime(next.valid_from)],
    ['Valid to', fmtDateTime(old.valid_to), fmtDateTime(next.valid_to)],
    ['Days remaining', <ExpiryBadge cert={old} />, <ExpiryBadge cert={next} />],
    ['Issuer', old.issuer, next.issuer, same(old.issuer, next.issuer)],
    ['Algorithm', fmtAlgorithm(old.algorithm), fmtAlgorithm(next.algorithm), same(old.algorithm, next.algorithm)],
    ['Key size', old.key_size ?? '—', next.key_size ?? '—', same(old.key_size, next.key_size)],
    ['Status', <StatusBadge value={old.status} />, <StatusBadge value="active" />],
  ];
  return (
    <Dialog open={props.open} title="Renewal detected — Janus comparison" onClose={props.onClose} wide labelId="janus-title">
      <div class="dialog-body">
        <p>
          An active certificate with the same common name already exists. Renewing creates the new record, moves every assignment to it and marks the old one <em>Replaced</em> — in
          one step.
        </p>
        <ErrorBox error={error} />
        <div class="table-wrap">
          <table class="table compare" aria-label="Current and new certificate">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">
                  Current (<Link href={`/certificates/${old.id}`}>#{old.id}</Link>)
                </th>
                <th scope="col">New</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([label, a, b, match]) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  <td>{a as any}</td>
                  <td>
                    {b as any}
                    {match === true && <span class="match"> (matches)</span>}
                  </td>
                </tr>
              ))}
              <tr>
                <th scope="row">Assignments</th>
                <td>{assignments === null ? '…' : `${assignments.length} assignment${assignments.length === 1 ? '' : 's'}`}</td>
                <td>{assignments && assignments.length ? '(will be transferred)' : '—'}</td>
              </tr>
            </tbody>
          </table>
        </div>
        {assignments && assignments.length > 0 && (
          <div class="transfer">
            <h3>Assignments to transfer</h3>
            <ul class="plain-list">
              {assignments.map((a) => (
                <li key={a.id}>
                  <Ref value={a.assigned_object} fallback={`${a.assigned_object_type} #${a.assigned_object_id}`} />
                  {a.is_primary && <span class="badge tone-blue">primary</span>}
                  {a.notes && <span class="muted"> — {a.notes}</span>}
                </li>
              ))}
            </ul>
          </div>
        )}
        {renewUnavailable && (
          <div class="alert alert-info" role="status">
            <Icon name="alert" />
            <span>This server does not offer renew &amp; transfer yet. You can add the certificate as a new record.</span>
          </div>
        )}
      </div>
      <div class="dialog-foot">
        <button type="button" class="btn" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class="btn" onClick={props.onAddAsNew} disabled={busy}>
          Add as New
        </button>
        {!renewUnavailable && (
          <button type="button" class="btn btn-primary" onClick={renew} disabled={busy}>
            <Icon name="refresh" /> {busy ? 'Renewing…' : 'Renew & Transfer'}
          </button>
        )}
      </div>
    </Dialog>
  );
}
