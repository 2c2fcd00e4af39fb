// Home dashboard: headline figures from analytics/summary/ and the certificates inside the
// warning/critical thresholds.
import { get, PLUGIN, qs, type Obj, type Page } from '../api';
import { Card, Empty, ErrorBox, PageHeader, Spinner, useLoad } from '../components';
import { ExpiryBadge, fmtDate, Ref } from '../format';
import { Icon } from '../icons';
import { byKey, EXPIRED_LIST, shortIssuer } from '../resources';
import { Link } from '../router';

export interface Summary {
  total: number;
  by_status: { status: string; count: number }[];
  by_algorithm: { algorithm: string; count: number }[];
  by_ca: { issuing_ca_id: number | null; name: string | null; count: number }[];
  acme: { acme: number; other: number };
  expiry_buckets: { bucket: string; count: number }[];
  expiring: { warning: number; critical: number };
}

/** The summary, plus the count of the dashboard's Expired list (EXPIRED_LIST), taken from
 *  that list's own query so the tile and the list it opens count the same rows. */
export type SummaryPlus = Summary & { expired_listed: number };

export const loadSummary = async (signal: AbortSignal): Promise<SummaryPlus> => {
  const [s, expired] = await Promise.all([get<Summary>(`${PLUGIN}/analytics/summary/`, signal), countOf(EXPIRED_LIST, signal)]);
  return { ...s, expired_listed: expired };
};

/** The number of rows a UI list path shows (the same API query the list page sends). */
export async function countOf(uiPath: string, signal?: AbortSignal): Promise<number> {
  const r = byKey.certificates;
  let sp = new URLSearchParams(uiPath.split('?')[1] || '');
  if (r.toApiQuery) sp = r.toApiQuery(sp);
  sp.set('limit', '1');
  return (await get<Page<Obj>>(`${r.api}?${sp.toString()}`, signal)).count;
}

export function Kpis(props: { s: SummaryPlus }) {
  const s = props.s;
  const items = [
    { label: 'Certificates', value: s.total, href: '/certificates', tone: '' },
    { label: 'Critical (≤ 14 d)', value: s.expiring.critical, href: '/certificates?expiry_status=critical&status=active', tone: 'critical' },
    { label: 'Warning (≤ 30 d)', value: s.expiring.warning, href: '/certificates?expiry_status=warning&status=active', tone: 'warning' },
    { label: 'Expired', value: s.expired_listed, href: EXPIRED_LIST, tone: 'expired' },
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
