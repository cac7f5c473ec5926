// Widgets: every setting of SPEC §8 (appearance, working hours and offline message, handover,
// template), the number pool with notes and live per-number stats, the embed snippet and a
// preview page of the widget itself.
import { useEffect, useState } from 'react';
import { del, get, patch, post } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useConfirm, useLoad } from '../ui.js';
import type { NumberStats } from '../../../../src/services/handover/stats.js';
import type { PoolNumberJson as PoolNumber, WidgetJson as Widget } from '../../../../src/services/widgets/settings.js';
import { numberLabel, type UsableNumber, usableNumbersOf } from './Numbers.js';
import { RefusedOrigins } from './RefusedOrigins.js';

const lines = (text: string) =>
  text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DEFAULT_PRIMARY = '#0b7a5a';
const DEFAULT_TEXT = '#ffffff';

/** Time zones the browser knows, for the working-hours picker (the server checks the name too). */
function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
  return known.includes(current) ? known : [current, ...known];
}

/** Picks one of the organization's numbers; senders are never typed (the server checks them on save too). */
function NumberPicker({
  label,
  value,
  numbers,
  onChange,
  empty,
}: {
  label: string;
  value: string;
  numbers: UsableNumber[];
  onChange: (number: string) => void;
  empty?: string;
}) {
  const choices = numbers.filter((n) => n.phoneNumber);
  // A number saved before it was known here (an older widget) stays visible rather than silently dropped.
  const unknown = value && !choices.some((n) => n.phoneNumber === value);
  return (
    <select aria-label={label} className="number-picker" value={value} onChange={(e) => onChange(e.target.value)}>
      {empty !== undefined && <option value="">{empty}</option>}
      {unknown && <option value={value}>{value}</option>}
      {choices.map((n) => (
        <option key={n.id} value={n.phoneNumber!}>
          {numberLabel(n)}
        </option>
      ))}
    </select>
  );
}

export function Settings({ widget, numbers, onSaved }: { widget: Widget; numbers: UsableNumber[]; onSaved: () => void }) {
  const [form, setForm] = useState(() => toForm(widget));
  useEffect(() => setForm(toForm(widget)), [widget.id]);
  // an origin allowed elsewhere (Refused websites) shows here at once, and a save keeps it
  const origins = widget.allowedOrigins.join('\n');
  useEffect(() => setForm((f) => ({ ...f, allowedOrigins: origins })), [origins]);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const save = (event: React.FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void action.run(async () => {
      await patch(`/api/widgets/${widget.id}`, fromForm(form));
      setSaved(true);
      onSaved();
    });
  };
  type Form = typeof form;
  const change = (values: Partial<Form>) => setForm({ ...form, ...values });
  const set = (field: keyof Form) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    change({ [field]: e.target.type === 'checkbox' ? (e.target as HTMLInputElement).checked : e.target.value });
  const toggleDay = (day: number) => change({ days: form.days.includes(day) ? form.days.filter((d) => d !== day) : [...form.days, day].sort() });
  return (
    <Card title="Settings">
      <form onSubmit={save} className="widget-settings">
        <fieldset>
          <legend>Appearance</legend>
          <Field label="Name">
            <input value={form.name} onChange={set('name')} required />
          </Field>
          <Field label="Title shown in the chat">
            <input value={form.title} onChange={set('title')} maxLength={60} placeholder={form.name} />
          </Field>
          <div className="row">
            <Field label="Main colour">
              <input type="color" value={form.primary} onChange={set('primary')} />
            </Field>
            <Field label="Text colour on it">
              <input type="color" value={form.text} onChange={set('text')} />
            </Field>
            <span className="swatch" style={{ background: form.primary, color: form.text }} aria-hidden="true">
              {form.title || form.name}
            </span>
          </div>
          <Field label="Greeting">
            <textarea value={form.greeting} onChange={set('greeting')} rows={2} maxLength={1000} />
          </Field>
          <Field label="Allowed origins (one per line)">
            <textarea value={form.allowedOrigins} onChange={set('allowedOrigins')} rows={2} />
          </Field>
        </fieldset>
        <fieldset>
          <legend>Working hours</legend>
          <label className="check">
            <input type="checkbox" checked={form.hoursOn} onChange={set('hoursOn')} /> Agents answer only during working hours
          </label>
          {form.hoursOn && (
            <>
              <Field label="Time zone">
                <select value={form.timeZone} onChange={set('timeZone')}>
                  {timeZones(form.timeZone).map((zone) => (
                    <option key={zone}>{zone}</option>
                  ))}
                </select>
              </Field>
              <fieldset className="days">
                <legend>Working days</legend>
                {DAYS.map((day, i) => (
                  <label key={day} className="check">
                    <input type="checkbox" checked={form.days.includes(i)} onChange={() => toggleDay(i)} /> {day}
                  </label>
                ))}
              </fieldset>
              <div className="row">
                <Field label="From">
                  <input type="time" value={form.start} onChange={set('start')} required />
                </Field>
                <Field label="Until">
                  <input type="time" value={form.end} onChange={set('end')} required />
                </Field>
              </div>
            </>
          )}
          <Field label="Offline message (outside working hours; visitors may leave an email)">
            <textarea
              value={form.offlineMessage}
              onChange={set('offlineMessage')}
              rows={2}
              maxLength={1000}
              placeholder="Our team is away right now and back … Leave your email and we will write back."
            />
          </Field>
        </fieldset>
        <fieldset>
          <legend>Handover to agents</legend>
          <Field label="Agents' WhatsApp numbers (one per line)">
            <textarea value={form.agents} onChange={set('agents')} rows={2} />
          </Field>
          {widget.agents.length > 0 && (
            <p className="muted" data-testid="widget-agents">
              {widget.agents.map((a) => `${a.name}: ${a.status}`).join(' · ')} — only active agents are notified (see Agents).
            </p>
          )}
          <Field label="Handover sender">
            <NumberPicker
              label="Handover sender number"
              value={form.handover}
              numbers={numbers}
              onChange={(handover) => setForm({ ...form, handover })}
              empty="— the organization's number, else the platform's default —"
            />
          </Field>
          <Field label="Inactivity timeout (minutes)">
            <input type="number" min={1} max={10080} value={form.timeout} onChange={set('timeout')} />
          </Field>
          <Field label="Alert the whole team when nobody answers within (minutes)">
            <input type="number" min={1} max={1440} value={form.responseMinutes} onChange={set('responseMinutes')} />
          </Field>
          <label className="check">
            <input type="checkbox" checked={form.multiple} onChange={set('multiple')} /> An agent may carry several chats at once
          </label>
          <label className="check">
            <input type="checkbox" checked={form.templateOn} onChange={set('templateOn')} /> Outside an agent's 24-hour window, send an approved template
          </label>
          {form.templateOn && (
            <div className="row">
              <Field label="Template name">
                <input value={form.templateName} onChange={set('templateName')} required placeholder="agent_handover" />
              </Field>
              <Field label="Language">
                <input value={form.templateLanguage} onChange={set('templateLanguage')} size={6} required />
              </Field>
              <Field label="Variables (comma-separated: {ref}, {name}, {message})">
                <input value={form.templateVariables} onChange={set('templateVariables')} placeholder="{ref}, {name}, {message}" />
              </Field>
            </div>
          )}
        </fieldset>
        <button type="submit" disabled={action.busy}>
          Save
        </button>{' '}
        {saved && <span className="muted">Saved.</span>}
      </form>
      <ErrorBox error={action.error} />
    </Card>
  );
}

function toForm(w: Widget) {
  return {
    name: w.name,
    title: w.title ?? '',
    primary: w.colors.primary ?? DEFAULT_PRIMARY,
    text: w.colors.text ?? DEFAULT_TEXT,
    greeting: w.greeting ?? '',
    allowedOrigins: w.allowedOrigins.join('\n'),
    hoursOn: w.workingHours !== null,
    timeZone: w.workingHours?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC',
    days: w.workingHours?.days ?? [1, 2, 3, 4, 5],
    start: w.workingHours?.start ?? '09:00',
    end: w.workingHours?.end ?? '17:00',
    offlineMessage: w.offlineMessage ?? '',
    agents: w.agentWhatsappNumbers.join('\n'),
    handover: w.handoverWhatsappNumber ?? '',
    timeout: String(w.inactivityTimeoutMinutes),
    responseMinutes: String(w.agentResponseMinutes),
    multiple: w.enableMultipleWhatsappChats,
    templateOn: w.handoverTemplate !== null,
    templateName: w.handoverTemplate?.name ?? '',
    templateLanguage: w.handoverTemplate?.language ?? 'en',
    templateVariables: (w.handoverTemplate?.variables ?? ['{ref}', '{name}', '{message}']).join(', '),
  };
}

function fromForm(form: ReturnType<typeof toForm>) {
  return {
    name: form.name,
    title: form.title.trim() || null,
    colors: { primary: form.primary, text: form.text },
    greeting: form.greeting || null,
    allowedOrigins: lines(form.allowedOrigins),
    workingHours: form.hoursOn ? { timeZone: form.timeZone, days: form.days, start: form.start, end: form.end } : null,
    offlineMessage: form.offlineMessage.trim() || null,
    agentWhatsappNumbers: lines(form.agents),
    handoverWhatsappNumber: form.handover.trim() || null,
    enableMultipleWhatsappChats: form.multiple,
    inactivityTimeoutMinutes: Number(form.timeout),
    agentResponseMinutes: Number(form.responseMinutes),
    handoverTemplate: form.templateOn
      ? {
          name: form.templateName.trim(),
          language: form.templateLanguage.trim(),
          variables: form.templateVariables
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean),
        }
      : null,
  };
}

export function Pool({ widget, numbers, onSaved }: { widget: Widget; numbers: UsableNumber[]; onSaved: () => void }) {
  const [pool, setPool] = useState<PoolNumber[]>(widget.whatsappNumberPool);
  useEffect(() => setPool(widget.whatsappNumberPool), [widget]);
  const stats = useLoad(() => get<{ numbers: NumberStats[] }>(`/api/widgets/${widget.id}/number-stats`).then((b) => b.numbers), [widget.id], 5000);
  const action = useAction();
  const update = (i: number, change: Partial<PoolNumber>) => setPool(pool.map((p, j) => (j === i ? { ...p, ...change } : p)));
  const save = () =>
    action.run(async () => {
      await patch(`/api/widgets/${widget.id}`, { whatsappNumberPool: pool.map((p) => ({ ...p, notes: p.notes?.trim() || null })) });
      onSaved();
      await stats.reload();
    });
  return (
    <Card
      title="Number pool"
      actions={
        <button
          type="button"
          className="small"
          onClick={() => {
            const free = numbers.find((n) => n.phoneNumber && !pool.some((p) => p.number === n.phoneNumber));
            setPool([...pool, { number: free?.phoneNumber ?? '', displayName: free?.displayName ?? '', isActive: true, notes: '' }]);
          }}
        >
          Add number
        </button>
      }
    >
      <ErrorBox error={action.error ?? stats.error} />
      <div className="table-wrap">
        <table className="pool">
          <thead>
            <tr>
              <th>Number</th>
              <th>Name</th>
              <th>Active</th>
              <th>Notes</th>
              <th>Open</th>
              <th>24 h</th>
              <th>In / out</th>
              <th>Last error</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {pool.map((p, i) => {
              const s = stats.data?.find((n) => n.number === p.number);
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: the number itself is being edited in this row; its place is its identity
                <tr key={i}>
                  <td data-label="Number">
                    <NumberPicker label="Pool number" value={p.number} numbers={numbers} onChange={(number) => update(i, { number })} />
                  </td>
                  <td data-label="Name">
                    <input aria-label="Display name" value={p.displayName ?? ''} onChange={(e) => update(i, { displayName: e.target.value })} size={12} />
                  </td>
                  <td data-label="Active">
                    <input type="checkbox" aria-label="Active" checked={p.isActive} onChange={(e) => update(i, { isActive: e.target.checked })} />
                  </td>
                  <td data-label="Notes">
                    <input aria-label="Notes" value={p.notes ?? ''} onChange={(e) => update(i, { notes: e.target.value })} size={14} maxLength={500} />
                  </td>
                  <td data-label="Open">{s?.openConversations ?? 0}</td>
                  <td data-label="24 h">{s?.assignments24h ?? 0}</td>
                  <td data-label="In / out">{s ? `${s.messagesIn} / ${s.messagesOut}` : '—'}</td>
                  <td data-label="Last error" className={s?.lastSendError ? 'bad' : ''}>
                    {s?.lastSendError ?? '—'}
                  </td>
                  <td className="pool-remove">
                    <button type="button" className="danger small" onClick={() => setPool(pool.filter((_, j) => j !== i))}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <button type="button" onClick={() => void save()} disabled={action.busy}>
        Save pool
      </button>
    </Card>
  );
}

/** The page of its own where a widget can be tried before it is embedded. */
export const previewPath = (widget: Widget) => `/widgets/${encodeURIComponent(widget.publicKey)}/preview`;

/** The line to paste into the website. */
export function EmbedSnippet({ widget }: { widget: Widget }) {
  const snippet = `<script src="${location.origin}/widget.js" data-widget="${widget.publicKey}" async></script>`;
  return (
    <>
      <p>
        Paste this before <code>&lt;/body&gt;</code> on the website:
      </p>
      <pre className="snippet">{snippet}</pre>
    </>
  );
}

function Embed({ widget }: { widget: Widget }) {
  const preview = previewPath(widget);
  return (
    <Card
      title="Embed and preview"
      actions={
        <a className="button-link" href={preview} target="_blank" rel="noreferrer">
          Open the preview page
        </a>
      }
    >
      <EmbedSnippet widget={widget} />
      {/* keyed by widget: switching widgets loads that widget's page, never the previous one */}
      <iframe key={widget.id} className="preview" title="Widget preview" src={preview} />
    </Card>
  );
}

export function Widgets({ org }: SectionProps) {
  const widgets = useLoad(() => get<{ widgets: Widget[] }>(`/api/organizations/${org.id}/widgets`).then((b) => b.widgets), [org.id]);
  const [chosenId, setChosenId] = useState<string>();
  const [name, setName] = useState('');
  const action = useAction();
  const numbers = useLoad(() => usableNumbersOf(org.id), [org.id]);
  const widget = widgets.data?.find((w) => w.id === chosenId) ?? widgets.data?.[0];
  const create = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const body = await post<{ widget: Widget }>(`/api/organizations/${org.id}/widgets`, { name, allowedOrigins: [location.origin] });
      setName('');
      setChosenId(body.widget.id);
      await widgets.reload();
    });
  };
  const confirm = useConfirm();
  const [note, setNote] = useState<string>();
  // Asked once, naming the sites it leaves and the open chats it closes; cancelling changes nothing.
  const remove = (chosen: Widget) =>
    action.run(async () => {
      if (!(await confirm.ask({ title: `Delete widget '${chosen.name}'?`, preview: `/api/widgets/${chosen.id}/removal`, confirm: 'Delete widget' }))) return;
      const done = await del<{ summary: string }>(`/api/widgets/${chosen.id}`);
      setNote(`Deleted. ${done.summary}`);
      setChosenId(undefined);
      await widgets.reload();
    });
  return (
    <>
      {confirm.dialog}
      <Card title="Widgets">
        {note && (
          <p className="notice" data-testid="widget-deleted">
            {note}
          </p>
        )}
        <ErrorBox error={widgets.error ?? action.error} />
        <div className="row">
          {(widgets.data ?? []).map((w) => (
            <button type="button" key={w.id} className={w.id === widget?.id ? 'chip active' : 'chip'} onClick={() => setChosenId(w.id)}>
              {w.name}
            </button>
          ))}
        </div>
        <form className="row" onSubmit={create}>
          <Field label="New widget">
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Website chat" required />
          </Field>
          <button type="submit">Create</button>
        </form>
        {widget && (
          <p className="muted">
            Public key <code>{widget.publicKey}</code>{' '}
            <button type="button" className="danger small" onClick={() => void remove(widget)}>
              Delete widget
            </button>
          </p>
        )}
      </Card>
      {widget && (
        <>
          <Settings widget={widget} numbers={numbers.data ?? []} onSaved={() => void widgets.reload()} />
          <Pool widget={widget} numbers={numbers.data ?? []} onSaved={() => void widgets.reload()} />
          <RefusedOrigins widget={widget} onSaved={() => void widgets.reload()} />
          <Embed widget={widget} />
        </>
      )}
    </>
  );
}
