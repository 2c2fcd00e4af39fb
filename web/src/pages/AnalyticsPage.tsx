// Analytics: expiry forecast, algorithm / CA / status distributions, ACME share, from
// GET analytics/summary/. Loaded on demand (Chart.js is most of its weight).
import { qs } from '../api';
import { ChartView, cssVar } from '../charts';
import { Card, Empty, ErrorBox, PageHeader, Spinner, useLoad } from '../components';
import { fmtAlgorithm, titleCase } from '../format';
import { Link, navigate } from '../router';
import { useTheme } from '../theme';
import { EXPIRED_LIST, EXPIRY_BUCKETS } from '../resources';
import { Kpis, loadSummary, type SummaryPlus } from './HomePage';

const BUCKETS = ['expired', '0-14', '15-30', '31-60', '61-90', '90+'];
const BUCKET_LABEL: Record<string, string> = {
  expired: 'Expired',
  '0-14': '0–14 d',
  '15-30': '15–30 d',
  '31-60': '31–60 d',
  '61-90': '61–90 d',
  '90+': '> 90 d',
};
/** The list behind each bar: exactly that bucket's rows (the Expired bar is the dashboard
 *  tile's list, counted by that list's own query). */
const BUCKET_LINK: Record<string, string> = {
  expired: EXPIRED_LIST,
  ...Object.fromEntries(EXPIRY_BUCKETS.map(([b]) => [b, `/certificates?status=active&expires_in=${encodeURIComponent(b)}&ordering=valid_to`])),
};


function bucketColors(): string[] {
  return [cssVar('--expired'), cssVar('--critical'), cssVar('--warning'), cssVar('--c1'), cssVar('--c6'), cssVar('--ok')];
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

function AnalyticsBody(props: { s: SummaryPlus }) {
  const s = props.s;
  const buckets = BUCKETS.map((b) => (b === 'expired' ? s.expired_listed : s.expiry_buckets.find((x) => x.bucket === b)?.count ?? 0));
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

