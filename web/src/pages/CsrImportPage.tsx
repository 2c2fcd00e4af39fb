// Add CSR: paste the PEM request, see what the server reads from it (csrs/import/ with
// dry_run), then save it (csrs/import/). Every subject, SAN and key field comes from the
// request itself, as the reference's import form does; only the workflow fields are typed.
import { useRef, useState } from 'preact/hooks';
import { ApiError, PLUGIN, post, type Obj } from '../api';
import { Card, FkSelect, PageHeader, Spinner, toast } from '../components';
import { fmtAlgorithm } from '../format';
import { Icon } from '../icons';
import { Link, navigate } from '../router';

const CSR_IMPORT = `${PLUGIN}/csrs/import/`;
const PREVIEW_DELAY_MS = 600;

export function CsrImportPage() {
  const [pem, setPem] = useState('');
  const [requestedBy, setRequestedBy] = useState('');
  const [targetCa, setTargetCa] = useState('');
  const [tenant, setTenant] = useState('');
  const [notes, setNotes] = useState('');
  const [preview, setPreview] = useState<Obj | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [saving, setSaving] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  const seq = useRef(0);

  const body = (dry: boolean): Obj => {
    const b: Obj = { pem_content: pem };
    if (dry) b.dry_run = true;
    if (requestedBy.trim()) b.requested_by = requestedBy.trim();
    if (targetCa.trim()) b.target_ca = targetCa.trim();
    if (tenant) b.tenant = Number(tenant);
    if (notes.trim()) b.notes = notes.trim();
    return b;
  };

  const check = async (text: string) => {
    window.clearTimeout(timer.current);
    const my = ++seq.current;
    if (!text.trim()) {
      setPreview(null);
      setError(null);
      return;
    }
    setChecking(true);
    setError(null);
    try {
      const res = await post<Obj>(CSR_IMPORT, { pem_content: text, dry_run: true });
      if (my === seq.current) setPreview(res);
    } catch (e) {
      if (my === seq.current) {
        setPreview(null);
        setError(e as Error);
      }
    } finally {
      if (my === seq.current) setChecking(false);
    }
  };

  const onInput = (text: string) => {
    setPem(text);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => check(text), PREVIEW_DELAY_MS);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (!preview) return check(pem);
    setSaving(true);
    setError(null);
    try {
      const saved = await post<Obj>(CSR_IMPORT, body(false));
      toast(`CSR imported: ${saved.common_name}.`);
      navigate(`/csrs/${saved.id}`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setSaving(false);
    }
  };

  const pemMessage = error instanceof ApiError ? error.field('pem_content').join(' ') || error.message : error?.message;
  const dup = preview?.duplicate_of as Obj | null | undefined;
  return (
    <div class="page">
      <PageHeader title="Add CSR" subtitle="Paste a certificate signing request (PEM): its subject, SANs and key are read from it." crumbs={<Link href="/csrs">CSRs</Link>} />
      <div class="import-grid">
        <Card title="Request">
          <form onSubmit={save}>
            <div class="field">
              <label for="csr-pem">CSR (PEM)</label>
              <textarea
                id="csr-pem"
                class="mono pem-input"
                rows={14}
                spellcheck={false}
                autoComplete="off"
                placeholder={'-----BEGIN CERTIFICATE REQUEST-----\nMIIC…\n-----END CERTIFICATE REQUEST-----'}
                value={pem}
                aria-invalid={error ? 'true' : undefined}
                aria-describedby="csr-pem-help"
                onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)}
                onPaste={(e) => {
                  const el = e.target as HTMLTextAreaElement;
                  setTimeout(() => {
                    setPem(el.value);
                    check(el.value);
                  }, 0);
                }}
              />
              <div class="help" id="csr-pem-help">
                From <code>-----BEGIN CERTIFICATE REQUEST-----</code> to <code>-----END CERTIFICATE REQUEST-----</code>. Private keys are refused.
              </div>
            </div>
            <div class="field-grid">
              <div class="field">
                <label for="csr-requested-by">Requested by</label>
                <input id="csr-requested-by" type="text" value={requestedBy} onInput={(e) => setRequestedBy((e.target as HTMLInputElement).value)} />
              </div>
              <div class="field">
                <label for="csr-target-ca">Target CA</label>
                <input id="csr-target-ca" type="text" placeholder="e.g. DigiCert" value={targetCa} onInput={(e) => setTargetCa((e.target as HTMLInputElement).value)} />
              </div>
              <div class="field">
                <label for="csr-tenant">Tenant</label>
                <FkSelect id="csr-tenant" resource="tenants" value={tenant} onChange={setTenant} emptyLabel="None" />
              </div>
              <div class="field field-wide">
                <label for="csr-notes">Notes</label>
                <textarea id="csr-notes" rows={2} value={notes} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} />
              </div>
            </div>
            <div class="form-foot">
              <button type="button" class="btn" onClick={() => navigate('/csrs')}>
                Cancel
              </button>
              <button type="submit" class="btn btn-primary" disabled={!pem.trim() || checking || saving || !!dup}>
                {saving ? 'Saving…' : preview ? 'Save CSR' : 'Preview'}
              </button>
            </div>
          </form>
        </Card>
        <div class="stack" aria-live="polite">
          {checking && <Spinner label="Parsing…" />}
          {error && (
            <div class="alert alert-error" role="alert">
              <Icon name="alert" />
              <div>{pemMessage}</div>
            </div>
          )}
          {!checking && !error && !preview && (
            <div class="empty hint">
              <Icon name="csr" size={32} />
              <p>Paste a CSR to see its preview here: subject, SANs, key and fingerprint.</p>
            </div>
          )}
          {preview && (
            <article class={`card preview ${dup ? 'is-dup' : ''}`} aria-label={`CSR ${preview.common_name}`}>
              <div class="card-head">
                <h3>{preview.common_name || <span class="muted">no common name</span>}</h3>
              </div>
              <div class="card-body">
                <dl class="kv kv-compact">
                  <div class="kv-row">
                    <dt>Subject</dt>
                    <dd class="wrap">{preview.subject_string || '—'}</dd>
                  </div>
                  <div class="kv-row">
                    <dt>SANs</dt>
                    <dd class="mono small wrap">{Array.isArray(preview.sans) && preview.sans.length ? preview.sans.join(', ') : <span class="muted">none</span>}</dd>
                  </div>
                  <div class="kv-row">
                    <dt>Key</dt>
                    <dd>{fmtAlgorithm(preview.algorithm, preview.key_size)}</dd>
                  </div>
                  <div class="kv-row">
                    <dt>SHA-256</dt>
                    <dd class="mono small wrap">{preview.fingerprint_sha256}</dd>
                  </div>
                </dl>
              </div>
              {dup && (
                <div class="card-foot">
                  <div class="dup-note" role="note">
                    <Icon name="alert" /> Duplicate: already recorded as <Link href={`/csrs/${dup.id}`}>{dup.common_name || `CSR #${dup.id}`}</Link>
                  </div>
                </div>
              )}
            </article>
          )}
        </div>
      </div>
    </div>
  );
}
