// Every resource the UI lists, shows and edits, declared once as data: its API path, UI
// route, list columns, filters and form fields. Generic pages do the rest.
import type { VNode } from 'preact';
import { PLUGIN, type Obj } from './api';
import { ExpiryBadge, fmtAlgorithm, fmtDate, fmtDateTime, Ref, StatusBadge, TagList, YesNo } from './format';
import { Link } from './router';

export type Choice = [string, string];

export interface FieldDef {
  name: string;
  label: string;
  type:
    | 'text'
    | 'textarea'
    | 'number'
    | 'select'
    | 'bool'
    | 'fk'
    | 'tags'
    | 'datetime'
    | 'strlist'
    | 'intlist'
    | 'color'
    | 'password'
    | 'email'
    | 'url';
  choices?: Choice[];
  /** Resource key of a foreign key's target. */
  fk?: string;
  required?: boolean;
  help?: string;
  /** Help shown on the create form instead of `help` (which then is the edit form's). */
  helpCreate?: string;
  group?: string;
  /** Read from the PEM (certificate or CSR): read-only when editing an object that has one. */
  fromPem?: boolean;
  /** Only on create (e.g. a token's user). */
  createOnly?: boolean;
  /** Write-only: never read back from the object (passwords). */
  writeOnly?: boolean;
  mono?: boolean;
  placeholder?: string;
  /** Shown only when this returns true for the current form values. */
  when?: (values: Obj) => boolean;
  default?: unknown;
}

export interface ColumnDef {
  key: string;
  label: string;
  /** The `ordering=` field; absent = not sortable. */
  order?: string;
  render?: (o: Obj) => VNode | string | number | null;
  class?: string;
}

export interface FilterDef {
  name: string;
  label: string;
  type: 'select' | 'fk' | 'text' | 'bool' | 'number';
  choices?: Choice[];
  fk?: string;
  /** Which attribute of the fk target is the filter value (default id). */
  valueKey?: string;
  multiple?: boolean;
  placeholder?: string;
}

export interface ResourceDef {
  key: string;
  title: string;
  singular: string;
  api: string;
  route: string;
  /** NetBox content type, for the changelog (app_label.model). */
  objectType: string;
  columns: ColumnDef[];
  filters: FilterDef[];
  fields: FieldDef[];
  /** Label of an object in selects and headings. */
  label: (o: Obj) => string;
  icon: string;
  /** Read-only detail rows beyond the form fields (computed values). */
  extraDetail?: { label: string; render: (o: Obj) => VNode | string | number | null }[];
  /** Translates UI-only query parameters to API ones (e.g. "expiring within N days"). */
  toApiQuery?: (ui: URLSearchParams) => URLSearchParams;
  noCreate?: boolean;
  noEdit?: boolean;
}

const link = (r: string) => (o: Obj) => <Link href={`${r}/${o.id}`}>{o.display || o.name || `#${o.id}`}</Link>;

export const CERT_STATUS: Choice[] = [
  ['active', 'Active'],
  ['expired', 'Expired'],
  ['replaced', 'Replaced'],
  ['revoked', 'Revoked'],
  ['pending', 'Pending'],
  ['archived', 'Archived'],
];
export const ALGORITHMS: Choice[] = [
  ['rsa', 'RSA'],
  ['ecdsa', 'ECDSA'],
  ['ed25519', 'Ed25519'],
  ['unknown', 'Unknown'],
];
export const ACME_PROVIDERS: Choice[] = [
  ['letsencrypt', "Let's Encrypt"],
  ['letsencrypt_staging', "Let's Encrypt (staging)"],
  ['zerossl', 'ZeroSSL'],
  ['buypass', 'Buypass'],
  ['google', 'Google Trust Services'],
  ['digicert', 'DigiCert'],
  ['sectigo', 'Sectigo'],
  ['other', 'Other'],
];
const ACME_CHALLENGES: Choice[] = [
  ['http-01', 'HTTP-01'],
  ['dns-01', 'DNS-01'],
  ['tls-alpn-01', 'TLS-ALPN-01'],
  ['unknown', 'Unknown'],
];
const CA_TYPES: Choice[] = [
  ['public', 'Public'],
  ['internal', 'Internal'],
  ['acme', 'ACME'],
];

/** A choice's label ("letsencrypt" → "Let's Encrypt"); free text the API kept is shown as is. */
export function choiceLabel(choices: Choice[], v: unknown): string {
  const raw = v && typeof v === 'object' ? String((v as Obj).value ?? '') : String(v ?? '');
  return choices.find(([c]) => c === raw)?.[1] ?? raw;
}
export const acmeProviderLabel = (v: unknown) => choiceLabel(ACME_PROVIDERS, v);
const CSR_STATUS: Choice[] = [
  ['pending', 'Pending'],
  ['approved', 'Approved'],
  ['rejected', 'Rejected'],
  ['issued', 'Issued'],
  ['expired', 'Expired'],
];
const DEVICE_STATUS: Choice[] = [
  ['active', 'Active'],
  ['offline', 'Offline'],
  ['planned', 'Planned'],
  ['staged', 'Staged'],
  ['failed', 'Failed'],
  ['inventory', 'Inventory'],
  ['decommissioning', 'Decommissioning'],
];
const VM_STATUS: Choice[] = DEVICE_STATUS.filter(([v]) => v !== 'inventory');
export const ASSIGNED_TYPES: Choice[] = [
  ['ipam.service', 'Service'],
  ['dcim.device', 'Device'],
  ['virtualization.virtualmachine', 'Virtual machine'],
];
/** The resource whose objects an assignment type points at. */
export const ASSIGNED_TYPE_RESOURCE: Record<string, string> = {
  'ipam.service': 'services',
  'dcim.device': 'devices',
  'virtualization.virtualmachine': 'virtual-machines',
};
/** Expiry-forecast buckets of the analytics summary (days left by UTC date, active
 *  certificates); the list filter `expires_in` selects exactly one bucket's rows. */
export const EXPIRY_BUCKETS: Choice[] = [
  ['0-14', '0–14 d'],
  ['15-30', '15–30 d'],
  ['31-60', '31–60 d'],
  ['61-90', '61–90 d'],
  ['90+', '> 90 d'],
];
const EXPIRY_STATUS: Choice[] = [
  ['expired', 'Expired'],
  ['critical', 'Critical'],
  ['warning', 'Warning'],
  ['ok', 'OK'],
];

/** The valid_to window of a bucket, with the summary's boundaries: from now (0-14) or the
 *  first day's UTC midnight, to the midnight after the last day (open-ended for 90+). */
export function bucketWindow(bucket: string, now: Date): { gte: string; lt?: string } | null {
  const m = /^(\d+)(?:-(\d+)|\+)$/.exec(bucket);
  if (!m) return null;
  const iso = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const day = 86400000;
  const first = Number(m[1]);
  if (m[2] === undefined) return { gte: iso(new Date(today + (first + 1) * day)) };
  return { gte: iso(first === 0 ? now : new Date(today + first * day)), lt: iso(new Date(today + (Number(m[2]) + 1) * day)) };
}

/** The dashboard's "Expired" rows: past valid_to and not retired (replaced, archived and
 *  revoked certificates are out of service whatever their dates). Tile, bar and list all
 *  use this one query. */
export const EXPIRED_LIST = '/certificates?status=active&status=expired&expiry_status=expired';

const BOOL_CHOICES: Choice[] = [
  ['true', 'Yes'],
  ['false', 'No'],
];

const tagsField: FieldDef = { name: 'tags', label: 'Tags', type: 'tags', fk: 'tags' };
const tenantField: FieldDef = { name: 'tenant', label: 'Tenant', type: 'fk', fk: 'tenants' };
const tagFilter: FilterDef = { name: 'tag', label: 'Tag', type: 'fk', fk: 'tags', valueKey: 'slug' };
const tenantFilter: FilterDef = { name: 'tenant_id', label: 'Tenant', type: 'fk', fk: 'tenants' };

/** "https (tcp/443) on web-01": a service's name alone repeats across hosts. */
export function serviceLabel(o: Obj): string {
  const own = o.display || o.name || `#${o.id}`;
  const parent = o.device || o.virtual_machine;
  const on = parent && typeof parent === 'object' ? parent.display || parent.name : null;
  return on ? `${own} on ${on}` : own;
}

function assignedTypeLabel(t: string): string {
  return ASSIGNED_TYPES.find(([v]) => v === t)?.[1] || t;
}

export const resources: ResourceDef[] = [
  {
    key: 'certificates',
    title: 'Certificates',
    singular: 'certificate',
    api: `${PLUGIN}/certificates/`,
    route: '/certificates',
    objectType: 'netbox_ssl.certificate',
    icon: 'cert',
    label: (o) => o.common_name || o.display || `#${o.id}`,
    columns: [
      { key: 'common_name', label: 'Common name', order: 'common_name', class: 'name-cell', render: (o) => <Link href={`/certificates/${o.id}`}>{o.common_name}</Link> },
      { key: 'status', label: 'Status', order: 'status', render: (o) => <StatusBadge value={o.status} /> },
      { key: 'expiry', label: 'Expires', order: 'valid_to', render: (o) => (
          <span class="expiry-cell">
            <ExpiryBadge cert={o} />
            <span class="muted small">{fmtDate(o.valid_to)}</span>
          </span>
        ) },
      { key: 'issuing_ca', label: 'CA', class: 'wrap-cell', render: (o) => <Ref value={o.issuing_ca} fallback={shortIssuer(o.issuer)} /> },
      { key: 'algorithm', label: 'Key', order: 'algorithm', render: (o) => fmtAlgorithm(o.algorithm, o.key_size) },
      { key: 'tenant', label: 'Tenant', render: (o) => <Ref value={o.tenant} /> },
      { key: 'assignment_count', label: 'Assigned', class: 'num', render: (o) => (o.assignment_count ?? '—') },
      { key: 'is_acme', label: 'ACME', render: (o) => (o.is_acme ? <span class="badge tone-blue">ACME</span> : '') },
    ],
    filters: [
      { name: 'status', label: 'Status', type: 'select', choices: CERT_STATUS, multiple: true },
      tenantFilter,
      { name: 'issuing_ca_id', label: 'CA', type: 'fk', fk: 'certificate-authorities' },
      { name: 'expiring_within', label: 'Expiring within (days)', type: 'number', placeholder: 'e.g. 30' },
      { name: 'expiry_status', label: 'Expiry', type: 'select', choices: EXPIRY_STATUS, multiple: true },
      { name: 'expires_in', label: 'Expires in', type: 'select', choices: EXPIRY_BUCKETS },
      { name: 'is_acme', label: 'ACME', type: 'bool', choices: BOOL_CHOICES },
      { name: 'algorithm', label: 'Algorithm', type: 'select', choices: ALGORITHMS, multiple: true },
      tagFilter,
    ],
    toApiQuery: (ui) => {
      const api = new URLSearchParams(ui);
      const n = api.get('expiring_within');
      api.delete('expiring_within');
      const bucket = api.get('expires_in');
      api.delete('expires_in');
      const w = bucket ? bucketWindow(bucket, new Date()) : null;
      if (w) {
        api.set('valid_to__gte', w.gte);
        if (w.lt) api.set('valid_to__lt', w.lt);
      }
      if (n && /^\d+$/.test(n)) {
        const now = new Date();
        const until = new Date(now.getTime() + Number(n) * 86400000);
        api.set('valid_to__gte', now.toISOString().replace(/\.\d+Z$/, 'Z'));
        api.set('valid_to__lte', until.toISOString().replace(/\.\d+Z$/, 'Z'));
      }
      return api;
    },
    fields: [
      { name: 'common_name', label: 'Common name', type: 'text', required: true, group: 'Identity', fromPem: true },
      { name: 'serial_number', label: 'Serial number', type: 'text', required: true, mono: true, group: 'Identity', placeholder: '01:23:AB', fromPem: true },
      { name: 'fingerprint_sha256', label: 'SHA-256 fingerprint', type: 'text', required: true, mono: true, group: 'Identity', fromPem: true },
      { name: 'issuer', label: 'Issuer', type: 'text', required: true, group: 'Identity', placeholder: "CN=R3, O=Let's Encrypt, C=US", fromPem: true },
      { name: 'valid_from', label: 'Valid from', type: 'datetime', required: true, group: 'Identity', fromPem: true },
      { name: 'valid_to', label: 'Valid to', type: 'datetime', required: true, group: 'Identity', fromPem: true },
      { name: 'sans', label: 'Subject alternative names', type: 'strlist', help: 'One per line', group: 'Identity', mono: true, fromPem: true },
      { name: 'algorithm', label: 'Algorithm', type: 'select', choices: ALGORITHMS, required: true, group: 'Identity', default: 'rsa', fromPem: true },
      { name: 'key_size', label: 'Key size', type: 'number', group: 'Identity', fromPem: true },
      { name: 'status', label: 'Status', type: 'select', choices: CERT_STATUS, group: 'Ownership', default: 'active' },
      { ...tenantField, group: 'Ownership' },
      { name: 'issuing_ca', label: 'Issuing CA', type: 'fk', fk: 'certificate-authorities', group: 'Ownership' },
      { name: 'private_key_location', label: 'Private key location', type: 'text', group: 'Ownership', help: 'A hint only (e.g. "Vault: /secret/prod/web1"). Keys are never stored.' },
      { name: 'renewal_note', label: 'Renewal note', type: 'textarea', group: 'Ownership' },
      { name: 'archive_pinned', label: 'Pinned (never auto-archive)', type: 'bool', group: 'Ownership' },
      { name: 'is_acme', label: 'ACME managed', type: 'bool', group: 'ACME' },
      { name: 'acme_provider', label: 'ACME provider', type: 'select', choices: ACME_PROVIDERS, group: 'ACME', when: (v) => !!v.is_acme },
      { name: 'acme_account_email', label: 'ACME account email', type: 'email', group: 'ACME', when: (v) => !!v.is_acme },
      { name: 'acme_challenge_type', label: 'Challenge type', type: 'select', choices: ACME_CHALLENGES, group: 'ACME', when: (v) => !!v.is_acme },
      { name: 'acme_server_url', label: 'ACME server URL', type: 'url', group: 'ACME', when: (v) => !!v.is_acme },
      { name: 'acme_auto_renewal', label: 'Auto-renewal', type: 'bool', group: 'ACME', when: (v) => !!v.is_acme },
      { name: 'acme_renewal_days', label: 'Renew days before expiry', type: 'number', group: 'ACME', when: (v) => !!v.is_acme },
      { name: 'pem_content', label: 'PEM (leaf)', type: 'textarea', mono: true, group: 'Content', fromPem: true },
      { name: 'issuer_chain', label: 'Issuer chain (PEM)', type: 'textarea', mono: true, group: 'Content' },
      { name: 'comments', label: 'Comments', type: 'textarea', group: 'Content' },
      tagsField,
    ],
  },
  {
    key: 'assignments',
    title: 'Assignments',
    singular: 'assignment',
    api: `${PLUGIN}/assignments/`,
    route: '/assignments',
    objectType: 'netbox_ssl.certificateassignment',
    icon: 'link',
    label: (o) => o.display || `#${o.id}`,
    columns: [
      { key: 'id', label: 'ID', order: 'id', render: link('/assignments') },
      { key: 'certificate', label: 'Certificate', render: (o) => <Ref value={o.certificate} /> },
      { key: 'assigned_object_type', label: 'Type', render: (o) => assignedTypeLabel(o.assigned_object_type) },
      { key: 'assigned_object', label: 'Assigned to', render: (o) => <Ref value={o.assigned_object} fallback={`#${o.assigned_object_id}`} /> },
      { key: 'is_primary', label: 'Primary', render: (o) => <YesNo value={o.is_primary} /> },
      { key: 'notes', label: 'Notes', class: 'wrap-cell' },
    ],
    filters: [
      { name: 'certificate_id', label: 'Certificate', type: 'fk', fk: 'certificates' },
      { name: 'assigned_object_type', label: 'Type', type: 'select', choices: ASSIGNED_TYPES },
      { name: 'is_primary', label: 'Primary', type: 'bool', choices: BOOL_CHOICES },
    ],
    fields: [
      { name: 'certificate', label: 'Certificate', type: 'fk', fk: 'certificates', required: true },
      { name: 'assigned_object_type', label: 'Object type', type: 'select', choices: ASSIGNED_TYPES, required: true, default: 'ipam.service' },
      { name: 'assigned_object_id', label: 'Object', type: 'fk', required: true, help: 'The service, device or virtual machine that presents the certificate' },
      { name: 'is_primary', label: 'Primary', type: 'bool', default: true },
      { name: 'notes', label: 'Notes', type: 'text', placeholder: 'e.g. primary frontend' },
      tagsField,
    ],
  },
  {
    key: 'certificate-authorities',
    title: 'Certificate Authorities',
    singular: 'certificate authority',
    api: `${PLUGIN}/certificate-authorities/`,
    route: '/certificate-authorities',
    objectType: 'netbox_ssl.certificateauthority',
    icon: 'ca',
    label: (o) => o.name || o.display,
    columns: [
      { key: 'name', label: 'Name', order: 'name', render: link('/certificate-authorities') },
      { key: 'type', label: 'Type', order: 'type', render: (o) => choiceLabel(CA_TYPES, o.type) },
      { key: 'issuer_pattern', label: 'Issuer pattern', render: (o) => <code>{o.issuer_pattern}</code> },
      { key: 'is_approved', label: 'Approved', render: (o) => <YesNo value={o.is_approved} /> },
      { key: 'certificate_count', label: 'Certificates', class: 'num', render: (o) => o.certificate_count ?? '—' },
    ],
    filters: [
      { name: 'type', label: 'Type', type: 'select', choices: CA_TYPES },
      { name: 'is_approved', label: 'Approved', type: 'bool', choices: BOOL_CHOICES },
    ],
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'type', label: 'Type', type: 'select', choices: CA_TYPES, default: 'public' },
      { name: 'issuer_pattern', label: 'Issuer pattern', type: 'text', help: 'Case-insensitive text matched against certificate issuers for auto-detection' },
      { name: 'description', label: 'Description', type: 'text' },
      { name: 'website_url', label: 'Website', type: 'url' },
      { name: 'portal_url', label: 'Portal', type: 'url' },
      { name: 'contact_email', label: 'Contact email', type: 'email' },
      { name: 'renewal_instructions', label: 'Renewal instructions', type: 'textarea', help: 'Markdown' },
      { name: 'is_approved', label: 'Approved', type: 'bool', default: true },
      { name: 'comments', label: 'Comments', type: 'textarea' },
      tagsField,
    ],
  },
  {
    key: 'csrs',
    title: 'CSRs',
    singular: 'CSR',
    api: `${PLUGIN}/csrs/`,
    route: '/csrs',
    objectType: 'netbox_ssl.certificatesigningrequest',
    icon: 'csr',
    label: (o) => o.common_name || o.display,
    columns: [
      { key: 'common_name', label: 'Common name', order: 'common_name', render: (o) => <Link href={`/csrs/${o.id}`}>{o.common_name || `#${o.id}`}</Link> },
      { key: 'status', label: 'Status', order: 'status', render: (o) => <StatusBadge value={o.status} /> },
      { key: 'organization', label: 'Organization' },
      { key: 'requested_by', label: 'Requested by' },
      { key: 'target_ca', label: 'Target CA' },
      { key: 'requested_date', label: 'Requested', order: 'requested_date', render: (o) => fmtDate(o.requested_date) },
      { key: 'tenant', label: 'Tenant', render: (o) => <Ref value={o.tenant} /> },
    ],
    filters: [{ name: 'status', label: 'Status', type: 'select', choices: CSR_STATUS, multiple: true }, tenantFilter, tagFilter],
    fields: [
      { name: 'pem_content', label: 'PEM (certificate request)', type: 'textarea', mono: true, required: true, fromPem: true },
      { name: 'common_name', label: 'Common name', type: 'text', required: true, fromPem: true },
      { name: 'organization', label: 'Organization', type: 'text', group: 'Subject', fromPem: true },
      { name: 'organizational_unit', label: 'Organizational unit', type: 'text', group: 'Subject', fromPem: true },
      { name: 'locality', label: 'Locality', type: 'text', group: 'Subject', fromPem: true },
      { name: 'state', label: 'State', type: 'text', group: 'Subject', fromPem: true },
      { name: 'country', label: 'Country', type: 'text', group: 'Subject', placeholder: 'Two letters', fromPem: true },
      { name: 'sans', label: 'Subject alternative names', type: 'strlist', help: 'One per line', group: 'Subject', mono: true, fromPem: true },
      { name: 'algorithm', label: 'Algorithm', type: 'text', group: 'Key', fromPem: true },
      { name: 'key_size', label: 'Key size', type: 'number', group: 'Key', fromPem: true },
      { name: 'status', label: 'Status', type: 'select', choices: CSR_STATUS, group: 'Workflow', default: 'pending' },
      { name: 'requested_by', label: 'Requested by', type: 'text', group: 'Workflow' },
      { name: 'target_ca', label: 'Target CA', type: 'text', group: 'Workflow' },
      { ...tenantField, group: 'Workflow' },
      { name: 'notes', label: 'Notes', type: 'textarea', group: 'Workflow' },
      { name: 'comments', label: 'Comments', type: 'textarea', group: 'Workflow' },
      tagsField,
    ],
    extraDetail: [
      { label: 'Subject', render: (o) => <code>{o.subject_string || '—'}</code> },
      { label: 'Resulting certificate', render: (o) => <Ref value={o.resulting_certificate} /> },
    ],
  },
  {
    key: 'tenants',
    title: 'Tenants',
    singular: 'tenant',
    api: '/api/tenancy/tenants/',
    route: '/tenants',
    objectType: 'tenancy.tenant',
    icon: 'tenant',
    label: (o) => o.name || o.display,
    columns: [
      { key: 'name', label: 'Name', order: 'name', render: link('/tenants') },
      { key: 'slug', label: 'Slug', order: 'slug' },
      { key: 'description', label: 'Description', class: 'wrap-cell' },
      { key: 'tags', label: 'Tags', render: (o) => <TagList tags={o.tags} /> },
    ],
    filters: [tagFilter],
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'slug', label: 'Slug', type: 'text', required: true, help: 'Lower-case letters, digits, - and _' },
      { name: 'description', label: 'Description', type: 'text' },
      tagsField,
    ],
  },
  {
    key: 'tags',
    title: 'Tags',
    singular: 'tag',
    api: '/api/extras/tags/',
    route: '/tags',
    objectType: 'extras.tag',
    icon: 'tag',
    label: (o) => o.name || o.display,
    columns: [
      { key: 'name', label: 'Name', order: 'name', render: (o) => (
          <Link href={`/tags/${o.id}`}>
            <TagList tags={[o]} />
          </Link>
        ) },
      { key: 'slug', label: 'Slug', order: 'slug' },
      { key: 'color', label: 'Colour', render: (o) => <code>#{o.color}</code> },
      { key: 'description', label: 'Description', class: 'wrap-cell' },
    ],
    filters: [],
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'slug', label: 'Slug', type: 'text', required: true },
      { name: 'color', label: 'Colour', type: 'color', default: '9e9e9e' },
      { name: 'description', label: 'Description', type: 'text' },
    ],
  },
  {
    key: 'devices',
    title: 'Devices',
    singular: 'device',
    api: '/api/dcim/devices/',
    route: '/devices',
    objectType: 'dcim.device',
    icon: 'device',
    label: (o) => o.name || o.display,
    columns: [
      { key: 'name', label: 'Name', order: 'name', render: link('/devices') },
      { key: 'status', label: 'Status', order: 'status', render: (o) => <StatusBadge value={o.status} /> },
      { key: 'tenant', label: 'Tenant', render: (o) => <Ref value={o.tenant} /> },
      { key: 'description', label: 'Description', class: 'wrap-cell' },
      { key: 'tags', label: 'Tags', render: (o) => <TagList tags={o.tags} /> },
    ],
    filters: [{ name: 'status', label: 'Status', type: 'select', choices: DEVICE_STATUS, multiple: true }, tenantFilter, tagFilter],
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'status', label: 'Status', type: 'select', choices: DEVICE_STATUS, default: 'active' },
      tenantField,
      { name: 'description', label: 'Description', type: 'text' },
      tagsField,
    ],
  },
  {
    key: 'virtual-machines',
    title: 'Virtual Machines',
    singular: 'virtual machine',
    api: '/api/virtualization/virtual-machines/',
    route: '/virtual-machines',
    objectType: 'virtualization.virtualmachine',
    icon: 'vm',
    label: (o) => o.name || o.display,
    columns: [
      { key: 'name', label: 'Name', order: 'name', render: link('/virtual-machines') },
      { key: 'status', label: 'Status', order: 'status', render: (o) => <StatusBadge value={o.status} /> },
      { key: 'tenant', label: 'Tenant', render: (o) => <Ref value={o.tenant} /> },
      { key: 'description', label: 'Description', class: 'wrap-cell' },
      { key: 'tags', label: 'Tags', render: (o) => <TagList tags={o.tags} /> },
    ],
    filters: [{ name: 'status', label: 'Status', type: 'select', choices: VM_STATUS, multiple: true }, tenantFilter, tagFilter],
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'status', label: 'Status', type: 'select', choices: VM_STATUS, default: 'active' },
      tenantField,
      { name: 'description', label: 'Description', type: 'text' },
      tagsField,
    ],
  },
  {
    key: 'services',
    title: 'Services',
    singular: 'service',
    api: '/api/ipam/services/',
    route: '/services',
    objectType: 'ipam.service',
    icon: 'service',
    label: serviceLabel,
    columns: [
      { key: 'name', label: 'Name', order: 'name', render: link('/services') },
      { key: 'parent', label: 'Parent', render: (o) => <Ref value={o.device || o.virtual_machine} /> },
      { key: 'protocol', label: 'Protocol', render: (o) => String(o.protocol?.label ?? o.protocol ?? '').toUpperCase() },
      { key: 'ports', label: 'Ports', render: (o) => (Array.isArray(o.ports) ? o.ports.join(', ') : '') },
      { key: 'description', label: 'Description', class: 'wrap-cell' },
    ],
    filters: [
      { name: 'device_id', label: 'Device', type: 'fk', fk: 'devices' },
      { name: 'virtual_machine_id', label: 'Virtual machine', type: 'fk', fk: 'virtual-machines' },
      { name: 'protocol', label: 'Protocol', type: 'select', choices: [['tcp', 'TCP'], ['udp', 'UDP'], ['sctp', 'SCTP']] },
      tagFilter,
    ],
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true, placeholder: 'https' },
      { name: 'protocol', label: 'Protocol', type: 'select', choices: [['tcp', 'TCP'], ['udp', 'UDP'], ['sctp', 'SCTP']], required: true, default: 'tcp' },
      { name: 'ports', label: 'Ports', type: 'intlist', required: true, help: 'Comma-separated, e.g. 443, 8443', placeholder: '443' },
      { name: 'device', label: 'Device', type: 'fk', fk: 'devices', help: 'Either a device or a virtual machine' },
      { name: 'virtual_machine', label: 'Virtual machine', type: 'fk', fk: 'virtual-machines' },
      { name: 'description', label: 'Description', type: 'text' },
      tagsField,
    ],
  },
  {
    key: 'users',
    title: 'Users',
    singular: 'user',
    api: '/api/users/users/',
    route: '/admin/users',
    objectType: 'users.user',
    icon: 'user',
    label: (o) => o.username || o.display,
    columns: [
      { key: 'username', label: 'Username', order: 'username', render: (o) => <Link href={`/admin/users/${o.id}`}>{o.username}</Link> },
      { key: 'email', label: 'Email' },
      { key: 'is_superuser', label: 'Superuser', render: (o) => <YesNo value={o.is_superuser} /> },
      { key: 'is_active', label: 'Active', render: (o) => <YesNo value={o.is_active ?? true} /> },
      { key: 'last_login', label: 'Last login', render: (o) => fmtDateTime(o.last_login) },
    ],
    filters: [],
    fields: [
      { name: 'username', label: 'Username', type: 'text', required: true },
      { name: 'password', label: 'Password', type: 'password', writeOnly: true, help: 'Leave empty to keep the current password', helpCreate: 'The password this user signs in to the web UI with' },
      { name: 'email', label: 'Email', type: 'email' },
      { name: 'first_name', label: 'First name', type: 'text' },
      { name: 'last_name', label: 'Last name', type: 'text' },
      { name: 'is_superuser', label: 'Superuser', type: 'bool' },
      { name: 'is_active', label: 'Active', type: 'bool', default: true },
    ],
  },
  {
    key: 'tokens',
    title: 'API Tokens',
    singular: 'token',
    api: '/api/users/tokens/',
    route: '/admin/tokens',
    objectType: 'users.token',
    icon: 'key',
    label: (o) => o.display || `#${o.id}`,
    columns: [
      { key: 'id', label: 'Token', order: 'id', render: (o) => <Link href={`/admin/tokens/${o.id}`}>{String(o.display || `#${o.id}`).replace(/\s*\(\)$/, '')}</Link> },
      { key: 'user', label: 'User', render: (o) => <Ref value={o.user} /> },
      { key: 'description', label: 'Description', class: 'wrap-cell' },
      { key: 'write_enabled', label: 'Write', render: (o) => <YesNo value={o.write_enabled} /> },
      { key: 'expires', label: 'Expires', render: (o) => fmtDate(o.expires) },
      { key: 'last_used', label: 'Last used', render: (o) => fmtDateTime(o.last_used) },
    ],
    filters: [{ name: 'user_id', label: 'User', type: 'fk', fk: 'users' }],
    fields: [
      { name: 'user', label: 'User', type: 'fk', fk: 'users', required: true },
      { name: 'description', label: 'Description', type: 'text' },
      { name: 'write_enabled', label: 'Write enabled', type: 'bool', default: true },
      { name: 'expires', label: 'Expires', type: 'datetime' },
    ],
  },
];

export const byKey: Record<string, ResourceDef> = Object.fromEntries(resources.map((r) => [r.key, r]));

/** The title in running text: "certificates", "API tokens", "CSRs". */
export function plural(r: ResourceDef): string {
  return r.title
    .split(' ')
    .map((w) => (/^[A-Z]{2,}s?$/.test(w) ? w : w.toLowerCase()))
    .join(' ');
}

/** "https://host/api/dcim/devices/7/" → "/devices/7". */
export function uiPathForApiUrl(url: string): string | null {
  let path: string;
  try {
    path = new URL(url, location.origin).pathname;
  } catch {
    return null;
  }
  for (const r of resources) {
    if (path.startsWith(r.api)) {
      const rest = path.slice(r.api.length).replace(/\/$/, '');
      if (/^\d+$/.test(rest)) return `${r.route}/${rest}`;
    }
  }
  return null;
}

export function shortIssuer(issuer?: string | null): string {
  if (!issuer) return '—';
  const m = /(?:^|,\s*)(?:CN|commonName)=([^,]+)/.exec(issuer);
  const o = /(?:^|,\s*)(?:O|organizationName)=([^,]+)/.exec(issuer);
  if (o && m) return `${o[1]} (${m[1]})`;
  return (m || o)?.[1] || issuer;
}
