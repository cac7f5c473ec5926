// Widgets: settings, the number pool with live per-number stats, the embed snippet and a preview.
import { useEffect, useState } from 'react';
import { get, patch, post } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useLoad } from '../ui.js';
import type { NumberStats } from '../../../../src/services/handover/stats.js';
import type { PoolNumberJson as PoolNumber, WidgetJson as Widget } from '../../../../src/services/widgets/settings.js';
import { numberLabel, type UsableNumber, usableNumbersOf } from './Numbers.js';

const lines = (text: string) =>
  text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

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

function Settings({ widget, numbers, onSaved }: { widget: Widget; numbers: UsableNumber[]; onSaved: () => void }) {
  const [form, setForm] = useState(() => toForm(widget));
  useEffect(() => setForm(toForm(widget)), [widget.id]);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const save = (event: React.FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void action.run(async () => {
      await patch(`/api/widgets/${widget.id}`, {
        name: form.name,
        greeting: form.greeting || null,
        allowedOrigins: lines(form.allowedOrigins),
        agentWhatsappNumbers: lines(form.agents),
        handoverWhatsappNumber: form.handover.trim() || null,
        enableMultipleWhatsappChats: form.multiple,
        inactivityTimeoutMinutes: Number(form.timeout),
      });
      setSaved(true);
      onSaved();
    });
  };
  const set = (field: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setForm({ ...form, [field]: e.target.type === 'checkbox' ? (e.target as HTMLInputElement).checked : e.target.value });
  return (
    <Card title="Settings">
      <form onSubmit={save}>
        <Field label="Name">
          <input value={form.name} onChange={set('name')} required />
        </Field>
        <Field label="Greeting">
          <textarea value={form.greeting} onChange={set('greeting')} rows={2} />
        </Field>
        <Field label="Allowed origins (one per line)">
          <textarea value={form.allowedOrigins} onChange={set('allowedOrigins')} rows={2} />
        </Field>
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
          <input type="number" min={1} value={form.timeout} onChange={set('timeout')} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={form.multiple} onChange={set('multiple')} /> An agent may carry several chats at once
        </label>
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
    greeting: w.greeting ?? '',
    allowedOrigins: w.allowedOrigins.join('\n'),
    agents: w.agentWhatsappNumbers.join('\n'),
    handover: w.handoverWhatsappNumber ?? '',
    timeout: String(w.inactivityTimeoutMinutes),
    multiple: w.enableMultipleWhatsappChats,
  };
}

function Pool({ widget, numbers, onSaved }: { widget: Widget; numbers: UsableNumber[]; onSaved: () => void }) {
  const [pool, setPool] = useState<PoolNumber[]>(widget.whatsappNumberPool);
  useEffect(() => setPool(widget.whatsappNumberPool), [widget]);
  const stats = useLoad(() => get<{ numbers: NumberStats[] }>(`/api/widgets/${widget.id}/number-stats`).then((b) => b.numbers), [widget.id], 5000);
  const action = useAction();
  const update = (i: number, change: Partial<PoolNumber>) => setPool(pool.map((p, j) => (j === i ? { ...p, ...change } : p)));
  const save = () =>
    action.run(async () => {
      await patch(`/api/widgets/${widget.id}`, { whatsappNumberPool: pool });
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
        <table>
          <thead>
            <tr>
              <th>Number</th>
              <th>Name</th>
              <th>Active</th>
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
                  <td>
                    <NumberPicker label="Pool number" value={p.number} numbers={numbers} onChange={(number) => update(i, { number })} />
                  </td>
                  <td>
                    <input aria-label="Display name" value={p.displayName ?? ''} onChange={(e) => update(i, { displayName: e.target.value })} size={12} />
                  </td>
                  <td>
                    <input type="checkbox" aria-label="Active" checked={p.isActive} onChange={(e) => update(i, { isActive: e.target.checked })} />
                  </td>
                  <td>{s?.openConversations ?? 0}</td>
                  <td>{s?.assignments24h ?? 0}</td>
                  <td>{s ? `${s.messagesIn} / ${s.messagesOut}` : '—'}</td>
                  <td className={s?.lastSendError ? 'bad' : ''}>{s?.lastSendError ?? '—'}</td>
                  <td>
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

function Embed({ widget }: { widget: Widget }) {
  const snippet = `<script src="${location.origin}/widget.js" data-widget="${widget.publicKey}" async></script>`;
  return (
    <Card title="Embed and preview">
      <p>
        Paste this before <code>&lt;/body&gt;</code> on the website:
      </p>
      <pre className="snippet">{snippet}</pre>
      <iframe className="preview" title="Widget preview" src={`/demo?widget=${encodeURIComponent(widget.publicKey)}`} />
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
  return (
    <>
      <Card title="Widgets">
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
            Public key <code>{widget.publicKey}</code>
          </p>
        )}
      </Card>
      {widget && (
        <>
          <Settings widget={widget} numbers={numbers.data ?? []} onSaved={() => void widgets.reload()} />
          <Pool widget={widget} numbers={numbers.data ?? []} onSaved={() => void widgets.reload()} />
          <Embed widget={widget} />
        </>
      )}
    </>
  );
}
