// Create/edit forms for every resource, built from the field declarations. Validation is
// the API's own: a 400 {"field": ["msg"]} is shown next to that field, {"detail"} on top.
import { useState } from 'preact/hooks';
import { ApiError, get, patch, post, type Obj } from '../api';
import { Card, ErrorBox, FkSelect, PageHeader, Spinner, TagPicker, toast, useLoad } from '../components';
import { AssignTargetPicker } from '../picker';
import { type FieldDef, type ResourceDef } from '../resources';
import { Link, navigate, useLocation } from '../router';

type Values = Record<string, any>;

/** A just-created API token's key, shown once on its page (memory only, never stored). */
export const freshToken: { key: string | null } = { key: null };

function toFormValue(f: FieldDef, v: any): any {
  if (v === null || v === undefined) {
    if (f.type === 'bool') return false;
    if (f.type === 'tags') return [];
    return '';
  }
  switch (f.type) {
    case 'fk':
      return typeof v === 'object' ? String(v.id ?? '') : String(v);
    case 'tags':
      return Array.isArray(v) ? v.map((t: any) => (typeof t === 'object' ? t.id : t)).filter((x: any) => typeof x === 'number') : [];
    case 'select':
      return typeof v === 'object' ? String(v.value ?? '') : String(v);
    case 'datetime': {
      // 24-hour UTC text, the way every date in the UI reads (a datetime-local input
      // would show the browser's locale, e.g. a US 12-hour clock, under a "UTC" label).
      const d = new Date(v);
      return isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 16).replace('T', ' ');
    }
    case 'strlist':
      return Array.isArray(v) ? v.join('\n') : String(v);
    case 'intlist':
      return Array.isArray(v) ? v.join(', ') : String(v);
    case 'bool':
      return !!v;
    case 'color':
      return String(v).replace(/^#/, '');
    default:
      return String(v);
  }
}

/** "2026-03-01 14:05" (or with T, optional seconds), read as UTC. */
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** A field read from the object's PEM: shown, never edited, when the object has a PEM. */
export function lockedFromPem(f: FieldDef, obj: Obj | null | undefined): boolean {
  return !!(f.fromPem && obj && typeof obj.pem_content === 'string' && obj.pem_content.trim());
}

/** Form value → JSON value; throws a message for input the API could never accept. */
function toApiValue(f: FieldDef, v: any): any {
  switch (f.type) {
    case 'fk':
      return v === '' ? null : Number(v);
    case 'tags':
      return v;
    case 'number':
      return v === '' ? null : Number(v);
    case 'datetime': {
      const t = String(v).trim();
      if (t === '') return null;
      const m = DATETIME_RE.exec(t);
      const iso = m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}Z` : '';
      const d = new Date(iso);
      if (!m || isNaN(d.getTime()) || d.toISOString().slice(0, 19) !== iso.slice(0, 19)) throw new Error('Enter a date and time as YYYY-MM-DD HH:MM (24-hour, UTC).');
      return iso;
    }
    case 'strlist':
      return String(v)
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'intlist': {
      const parts = String(v).split(/[\s,]+/).filter(Boolean);
      const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
      if (nums.some((n) => isNaN(n))) throw new Error('Enter whole numbers separated by commas.');
      return nums;
    }
    case 'bool':
      return !!v;
    case 'color':
      return String(v).replace(/^#/, '').toLowerCase();
    default:
      return v;
  }
}

export function initialValues(r: ResourceDef, obj: Obj | null, preset: Values = {}): Values {
  const out: Values = {};
  for (const f of r.fields) {
    if (obj && !f.writeOnly) out[f.name] = toFormValue(f, obj[f.name]);
    else if (f.name in preset) out[f.name] = toFormValue(f, preset[f.name]);
    else out[f.name] = toFormValue(f, f.default ?? null);
  }
  return out;
}

export function ResourceForm(props: {
  r: ResourceDef;
  obj?: Obj | null;
  preset?: Values;
  hide?: string[];
  submitLabel?: string;
  onSaved: (o: Obj) => void;
  onCancel?: () => void;
  compact?: boolean;
}) {
  const { r, obj } = props;
  const [values, setValues] = useState<Values>(() => initialValues(r, obj ?? null, props.preset));
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const hide = new Set(props.hide || []);
  const editing = !!obj;

  const visible = r.fields.filter((f) => !hide.has(f.name) && !(editing && f.createOnly) && (!f.when || f.when(values)));
  const set = (name: string, v: any) => setValues((old) => ({ ...old, [name]: v }));

  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Obj = {};
    const ce: Record<string, string> = {};
    for (const f of r.fields) {
      if (editing && f.createOnly) continue;
      if (f.when && !f.when(values)) continue;
      if (f.writeOnly && values[f.name] === '') continue;
      if (editing && lockedFromPem(f, obj)) continue;
      if (hide.has(f.name) && !(props.preset && f.name in props.preset)) continue;
      try {
        const v = toApiValue(f, values[f.name]);
        body[f.name] = v;
      } catch (err) {
        ce[f.name] = (err as Error).message;
      }
    }
    setClientErrors(ce);
    if (Object.keys(ce).length) return;
    setBusy(true);
    setError(null);
    try {
      const saved = editing ? await patch<Obj>(`${r.api}${obj!.id}/`, body) : await post<Obj>(r.api, body);
      props.onSaved(saved);
    } catch (err) {
      setError(err as Error);
      requestAnimationFrame(() => {
        const first = document.querySelector<HTMLElement>('.form [aria-invalid="true"], .form .alert-error');
        first?.focus?.();
        first?.scrollIntoView({ block: 'center', behavior: 'smooth' });
      });
    } finally {
      setBusy(false);
    }
  };

  const apiErr = error instanceof ApiError ? error : null;
  const fieldNames = new Set(visible.map((f) => f.name));
  // Errors for fields not on the form (and detail / non_field_errors) go on top.
  const topMessages: string[] = [];
  if (error && !apiErr) topMessages.push(error.message);
  if (apiErr) {
    if (!apiErr.body) topMessages.push(apiErr.message);
    else
      for (const [k, v] of Object.entries(apiErr.body)) {
        if (fieldNames.has(k)) continue;
        const msgs = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [typeof v === 'string' ? v : JSON.stringify(v)];
        topMessages.push(k === 'detail' || k === 'non_field_errors' ? msgs.join(' ') : `${k}: ${msgs.join(' ')}`);
      }
  }

  // Group fields into fieldsets, keeping declaration order.
  const groups: [string, FieldDef[]][] = [];
  for (const f of visible) {
    const g = f.group ?? '';
    const last = groups[groups.length - 1];
    if (last && last[0] === g) last[1].push(f);
    else {
      const existing = groups.find(([name]) => name === g);
      if (existing) existing[1].push(f);
      else groups.push([g, [f]]);
    }
  }

  return (
    <form class={`form ${props.compact ? 'form-compact' : ''}`} onSubmit={submit} noValidate>
      {editing && visible.some((f) => lockedFromPem(f, obj)) && (
        <div class="alert alert-info" role="note" id="locked-note">
          <span>Greyed fields are read from the {r.key === 'csrs' ? 'request' : 'certificate'}'s PEM and cannot be edited. To change them, import the new PEM{r.key === 'certificates' ? ' (Renew)' : ''}.</span>
        </div>
      )}
      {topMessages.length > 0 && (
        <div class="alert alert-error" role="alert" tabIndex={-1}>
          <div>
            {topMessages.map((m, i) => (
              <div key={i}>{m}</div>
            ))}
          </div>
        </div>
      )}
      {groups.map(([g, fields]) => (
        <fieldset key={g} class="fieldset">
          {g && groups.length > 1 && <legend>{g}</legend>}
          <div class="field-grid">
            {fields.map((f) => (
              <Field key={f.name} r={r} f={f} values={values} set={set} errors={[...(apiErr?.field(f.name) ?? []), ...(clientErrors[f.name] ? [clientErrors[f.name]] : [])]} obj={obj ?? null} />
            ))}
          </div>
        </fieldset>
      ))}
      <div class="form-foot">
        {props.onCancel && (
          <button type="button" class="btn" onClick={props.onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : props.submitLabel ?? (editing ? 'Save changes' : `Create ${r.singular}`)}
        </button>
      </div>
    </form>
  );
}

function Field(props: { r: ResourceDef; f: FieldDef; values: Values; set: (n: string, v: any) => void; errors: string[]; obj: Obj | null }) {
  const { f, values, set, errors } = props;
  const id = `f-${props.r.key}-${f.name}`;
  const invalid = errors.length > 0;
  const describedBy = [(!props.obj && f.helpCreate) || f.help ? `${id}-help` : '', invalid ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const v = values[f.name];
  const help = !props.obj && f.helpCreate ? f.helpCreate : f.help;
  if (lockedFromPem(f, props.obj)) return <LockedField r={props.r} f={f} value={v} />;
  const common = {
    id,
    name: f.name,
    'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
    required: f.required,
  };
  const onText = (e: Event) => set(f.name, (e.target as HTMLInputElement).value);
  let control;
  switch (f.type) {
    case 'textarea':
    case 'strlist':
      control = <textarea {...common} class={f.mono ? 'mono' : ''} rows={f.mono && f.type === 'textarea' ? 8 : 3} value={v} placeholder={f.placeholder} onInput={onText} />;
      break;
    case 'select':
      control = (
        <select {...common} value={v} onChange={onText}>
          {!f.required && <option value="">—</option>}
          {f.choices!.map(([cv, cl]) => (
            <option key={cv} value={cv}>
              {cl}
            </option>
          ))}
        </select>
      );
      break;
    case 'bool':
      control = (
        <label class="check" for={id}>
          <input type="checkbox" id={id} name={f.name} checked={!!v} aria-describedby={describedBy} onChange={(e) => set(f.name, (e.target as HTMLInputElement).checked)} />
          <span>{f.label}</span>
        </label>
      );
      break;
    case 'fk': {
      let resource = f.fk;
      let currentLabel: string | undefined;
      if (f.name === 'assigned_object_id') {
        const ao = props.obj?.assigned_object;
        control = (
          <AssignTargetPicker
            key={values.assigned_object_type}
            id={id}
            type={values.assigned_object_type}
            certificateId={String(values.certificate || '')}
            value={v}
            required={f.required}
            invalid={invalid}
            describedBy={describedBy}
            currentLabel={ao?.display || ao?.name}
            onChange={(nv) => set(f.name, nv)}
          />
        );
        break;
      } else {
        const cur = props.obj?.[f.name];
        currentLabel = cur && typeof cur === 'object' ? cur.display || cur.name : undefined;
      }
      control = resource ? (
        <FkSelect key={resource} id={id} resource={resource} value={v} required={f.required} invalid={invalid} describedBy={describedBy} currentLabel={currentLabel} onChange={(nv) => set(f.name, nv)} />
      ) : (
        <input {...common} type="number" value={v} onInput={onText} />
      );
      break;
    }
    case 'tags':
      control = <TagPicker id={id} value={v} onChange={(nv) => set(f.name, nv)} />;
      break;
    case 'datetime':
      control = <input {...common} type="text" class="mono" inputMode="numeric" placeholder="YYYY-MM-DD HH:MM" autoComplete="off" value={v} onInput={onText} />;
      break;
    case 'number':
      control = <input {...common} type="number" inputMode="numeric" value={v} onInput={onText} />;
      break;
    case 'color':
      control = (
        <div class="color-field">
          <input type="color" aria-label={`${f.label} picker`} value={`#${/^[0-9a-f]{6}$/i.test(v) ? v : '9e9e9e'}`} onInput={(e) => set(f.name, (e.target as HTMLInputElement).value.slice(1))} />
          <input {...common} type="text" class="mono" value={v} pattern="[0-9a-fA-F]{6}" onInput={onText} />
        </div>
      );
      break;
    case 'password':
      control = <input {...common} type="password" autoComplete="new-password" value={v} onInput={onText} required={f.required && !props.obj} />;
      break;
    default:
      control = <input {...common} type={f.type === 'intlist' ? 'text' : f.type} class={f.mono ? 'mono' : ''} value={v} placeholder={f.placeholder} onInput={onText} />;
  }
  const wide = f.type === 'textarea' || f.type === 'strlist' || f.type === 'tags';
  return (
    <div class={`field ${wide ? 'field-wide' : ''} ${invalid ? 'has-error' : ''}`}>
      {f.type !== 'bool' && (
        <label for={id} id={f.type === 'tags' ? undefined : `${id}-label`}>
          {f.label}
          {f.required && <span class="req" aria-hidden="true"> *</span>}
          {f.type === 'datetime' && <span class="muted small"> (UTC)</span>}
        </label>
      )}
      {control}
      {help && (
        <div class="help" id={`${id}-help`}>
          {help}
        </div>
      )}
      {invalid && (
        <div class="field-error" id={`${id}-err`}>
          {errors.join(' ')}
        </div>
      )}
    </div>
  );
}

/** A value read from the PEM, shown read-only in the edit form (the PATCH leaves it out). */
function LockedField(props: { r: ResourceDef; f: FieldDef; value: any }) {
  const { f } = props;
  const id = `f-${props.r.key}-${f.name}`;
  let shown = props.value;
  if (f.type === 'select') shown = f.choices?.find(([c]) => c === props.value)?.[1] ?? props.value;
  if (f.type === 'datetime' && shown) shown = `${shown} UTC`;
  const multi = f.type === 'textarea' || f.type === 'strlist';
  const wide = multi || f.type === 'tags';
  return (
    <div class={`field ${wide ? 'field-wide' : ''} field-locked`}>
      <label for={id}>{f.label}</label>
      {multi ? (
        <textarea id={id} name={f.name} class={`mono ${f.type === 'textarea' ? 'pem-locked' : ''}`} rows={f.type === 'textarea' ? 6 : 3} readOnly value={shown} aria-describedby="locked-note" />
      ) : (
        <input id={id} name={f.name} type="text" class={f.mono ? 'mono' : ''} readOnly value={shown} aria-describedby="locked-note" />
      )}
    </div>
  );
}

/** /<route>/new and /<route>/:id/edit */
export function FormPage(props: { r: ResourceDef; id?: string }) {
  const { r, id } = props;
  const loc = useLocation();
  const { data, error, loading } = useLoad((signal) => (id ? get<Obj>(`${r.api}${id}/`, signal) : Promise.resolve(null)), [r.key, id]);
  const preset: Values = {};
  loc.search.forEach((v, k) => {
    if (r.fields.some((f) => f.name === k)) preset[k] = v;
  });
  const back = id ? `${r.route}/${id}` : r.route;
  const title = id ? `Edit ${r.singular}` : `Add ${r.singular}`;
  return (
    <div class="page page-narrow">
      <PageHeader
        title={id && data ? `${r.label(data)}` : title}
        subtitle={id ? title : undefined}
        crumbs={
          <>
            <Link href={r.route}>{r.title}</Link>
            {id && data && (
              <>
                <span aria-hidden="true"> / </span>
                <Link href={`${r.route}/${id}`}>{r.label(data)}</Link>
              </>
            )}
          </>
        }
      />
      <ErrorBox error={error} />
      {loading && id ? (
        <Spinner />
      ) : (
        (!id || data) && (
          <Card>
            {r.key === 'certificates' && !id && (
              <div class="alert alert-info" role="note">
                <span>
                  Have the PEM? <Link href="/import">Import it</Link> instead: every field below is read from the certificate for you.
                </span>
              </div>
            )}
            <ResourceForm
              key={id || 'new'}
              r={r}
              obj={data}
              preset={preset}
              onCancel={() => navigate(back)}
              onSaved={(o) => {
                toast(id ? `Saved ${r.label(o)}.` : `Created ${r.singular} ${r.label(o)}.`);
                if (r.key === 'tokens' && !id && o.key) freshToken.key = String(o.key);
                navigate(`${r.route}/${o.id}`);
              }}
            />
          </Card>
        )
      )}
    </div>
  );
}

