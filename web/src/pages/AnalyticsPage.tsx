// Analytics (expiry forecast, algorithm / CA / status distributions, ACME share) and the
// home dashboard, both from GET analytics/summary/.
import { get, PLUGIN, qs, type Obj, type Page } from '../api';
import { ChartView, cssVar } from '../charts';
import { Card, Empty, ErrorBox, PageHeader, Spinner, useLoad } from '../components';
import { ExpiryBadge, fmtAlgorithm, fmtDate, Ref, titleCase } from '../format';
import { Icon } from '../icons';
import { shortIssuer } from '../resources';
import { Link, navigate } from '../router';
import { useTheme } from '../theme';

export interface Summary {
  total: number;
  by_status: { status: string; count: number }[];
  by_algorithm: { algorithm: string; count: number }[];
  by_ca: { issuing_ca_id: number | null; name: string | null; count: number }[];
  acme: { acme: number; other: number };
  expiry_buckets: { bucket: string; count: number }[];
  expiring: { warning: number; critical: number };
}

const BUCKETS = ['expired', '0-14', '15-30', '31-60', '61-90', '90+'];
const BUCKET_LABEL: Record<string, string> = {
  expired: 'Expired',
  '0-14': '0–14 d',
  '15-30': '15–30 d',
  '31-60': '31–60 d',
  '61-90': '61–90 d',
  '90+': '> 90 d',
};
/** Days-range of a bucket, for linking to the filtered list. */
const BUCKET_LINK: Record<string, string> = {
  expired: '/certificates?expiry_status=expired',
  '0-14': '/certificates?expiring_within=14&status=active',
  '15-30': '/certificates?expiring_within=30&status=active',
  '31-60': '/certificates?expiring_within=60&status=active',
  '61-90': '/certificates?expiring_within=90&status=active',
  '90+': '/certificates?status=active&ordering=valid_to',
};

export const loadSummary = (signal: AbortSignal) => get<Summary>(`${PLUGIN}/analytics/summary/`, signal);

function bucketColors(): string[] {
  return [cssVar('--expired'), cssVar('--critical'), cssVar('--warning'), cssVar('--c4'), cssVar('--c2'), cssVar('--ok')];
}

export function AnalyticsPage() {
  useTheme();
  const { data: s, error, loading, reload } = useLoad(loadSummary, []);
  return (
    <div class="page">
      <PageHeader title="Analytics" subtitle="Where your certificates stand: expiry forecast, algorithms, issuers and ACME coverage." />
      <ErrorBox error={error} onRetry={reload} />
      {loading && !s && <Spinner />}
      {s && <AnalyticsBody s={s} />}
    </div>
  );
}

function AnalyticsBody(props: { s: Summary }) {
  const s = props.s;
  const buckets = BUCKETS.map((b) => s.expiry_buckets.find((x) => x.bucket === b)?.count ?? 0);
  const statusColor: Record<string, string> = {
    active: cssVar('--ok'),
    expired: cssVar('--expired'),
    revoked: cssVar('--critical'),
    replaced: cssVar('--c7'),
    archived: cssVar('--c8'),
    pending: cssVar('--warning'),
  };
  if (s.total === 0)
    return (
      <Card>
        <Empty>
          No certificates yet. <Link href="/import">Import your first certificate</Link> and it will show up here.
        </Empty>
      </Card>
    );
  return (
    <>
      <Kpis s={s} />
      <div class="grid-2">
        <Card title="Expiry forecast" class="span-2">
          <ChartView
            kind="bar"
            label="Certificates by days to expiry"
            data={{ labels: BUCKETS.map((b) => BUCKET_LABEL[b]), values: buckets, colors: bucketColors() }}
            onPick={(i) => navigate(BUCKET_LINK[BUCKETS[i]])}
            height={240}
          />
        </Card>
        <Card title="Algorithms">
          <ChartView
            kind="doughnut"
            label="Certificates by key algorithm"
            data={{ labels: s.by_algorithm.map((a) => fmtAlgorithm(a.algorithm)), values: s.by_algorithm.map((a) => a.count) }}
            onPick={(i) => navigate(`/certificates${qs({ algorithm: s.by_algorithm[i].algorithm })}`)}
          />
        </Card>
        <Card title="Status">
          <ChartView
            kind="doughnut"
            label="Certificates by status"
            data={{ labels: s.by_status.map((x) => titleCase(x.status)), values: s.by_status.map((x) => x.count), colors: s.by_status.map((x) => statusColor[x.status] || cssVar('--c8')) }}
            onPick={(i) => navigate(`/certificates${qs({ status: s.by_status[i].status })}`)}
          />
        </Card>
        <Card title="Certificate authorities">
          <ChartView
            kind="hbar"
            label="Certificates by issuing CA"
            data={{ labels: s.by_ca.map((c) => c.name || 'No CA detected'), values: s.by_ca.map((c) => c.count) }}
            onPick={(i) => s.by_ca[i].issuing_ca_id && navigate(`/certificates${qs({ issuing_ca_id: s.by_ca[i].issuing_ca_id })}`)}
            height={Math.max(160, s.by_ca.length * 36)}
          />
        </Card>
        <Card title="ACME share">
          <ChartView
            kind="doughnut"
            label="ACME-managed versus other certificates"
            data={{ labels: ['ACME', 'Other'], values: [s.acme.acme, s.acme.other], colors: [cssVar('--c1'), cssVar('--c8')] }}
            onPick={(i) => navigate(`/certificates?is_acme=${i === 0 ? 'true' : 'false'}`)}
          />
        </Card>
      </div>
    </>
  );
}

function Kpis(props: { s: Summary }) {
  const s = props.s;
  const expired = s.expiry_buckets.find((b) => b.bucket === 'expired')?.count ?? 0;
  const items = [
    { label: 'Certificates', value: s.total, href: '/certificates', tone: '' },
    { label: 'Critical (≤ 14 d)', value: s.expiring.critical, href: '/certificates?expiry_status=critical&status=active', tone: 'critical' },
    { label: 'Warning (≤ 30 d)', value: s.expiring.warning, href: '/certificates?expiry_status=warning&status=active', tone: 'warning' },
    { label: 'Expired', value: expired, href: '/certificates?expiry_status=expired', tone: 'expired' },
    { label: 'ACME managed', value: s.acme.acme, href: '/certificates?is_acme=true', tone: 'info' },
  ];
  return (
    <div class="kpis">
      {items.map((k) => (
        <Link key={k.label} href={k.href} class={`kpi kpi-${k.tone || 'plain'}`}>
          <span class="kpi-value">{k.value}</span>
          <span class="kpi-label">{k.label}</span>
        </Link>
      ))}
    </div>
  );
}

export function HomePage() {
  useTheme();
  const sum = useLoad(loadSummary, []);
  const exp = useLoad(
    (signal) => get<Page<Obj>>(`${PLUGIN}/certificates/${qs({ expiry_status: ['critical', 'warning'], status: 'active', ordering: 'valid_to', limit: 10 })}`, signal),
    [],
  );
  return (
    <div class="page">
      <PageHeader
        title="Dashboard"
        subtitle="Certificates that need attention soon."
        actions={
          <Link class="btn btn-primary" href="/import">
            <Icon name="import" /> Import
          </Link>
        }
      />
      <ErrorBox error={sum.error} onRetry={sum.reload} />
      {sum.data && <Kpis s={sum.data} />}
      <Card
        title="Expiring soon"
        flush
        actions={
          exp.data && exp.data.count > exp.data.results.length ? (
            <Link href="/certificates?expiry_status=critical&expiry_status=warning&status=active&ordering=valid_to">View all {exp.data.count}</Link>
          ) : null
        }
      >
        <ErrorBox error={exp.error} onRetry={exp.reload} />
        {exp.loading && !exp.data && <Spinner />}
        {exp.data && exp.data.results.length === 0 && (
          <Empty>
            <Icon name="check" /> Nothing inside the warning or critical thresholds. Good.
          </Empty>
        )}
        {exp.data && exp.data.results.length > 0 && (
          <div class="table-wrap">
            <table class="table" aria-label="Certificates expiring soon">
              <thead>
                <tr>
                  <th>Common name</th>
                  <th>Expires</th>
                  <th>Issuer</th>
                  <th>Tenant</th>
                  <th class="num">Assigned</th>
                </tr>
              </thead>
              <tbody>
                {exp.data.results.map((c) => (
                  <tr key={c.id}>
                    <td data-label="Common name">
                      <Link href={`/certificates/${c.id}`}>{c.common_name}</Link>
                    </td>
                    <td data-label="Expires">
                      <span class="expiry-cell">
                        <ExpiryBadge cert={c} />
                        <span class="muted small">{fmtDate(c.valid_to)}</span>
                      </span>
                    </td>
                    <td data-label="Issuer">{c.issuing_ca ? <Ref value={c.issuing_ca} /> : shortIssuer(c.issuer)}</td>
                    <td data-label="Tenant">
                      <Ref value={c.tenant} />
                    </td>
                    <td data-label="Assigned" class="num">
                      {c.assignment_count ?? '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
