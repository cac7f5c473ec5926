// Numbers: the numbers the organization can use (its own and the platform's), each of its own
// removable after a confirmation naming what happens to widgets and open conversations; a simulated
// number in one click, its own provider connections, a Whapi channel, Twilio search / provision,
// health, and Meta numbers of the shared business account — each only where this platform's
// configuration and the signed-in key allow it (GET …/number-options).
import { useState } from 'react';
import { del, get, post } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useConfirm, useLoad } from '../ui.js';
import { currentMonth, usageOf } from './Usage.js';
import { HandoverTemplates } from './HandoverTemplates.js';
import type { BusinessPhoneNumber as MetaNumber } from '../../../../src/services/numbers/meta-numbers.js';
import type { NumberOptions } from '../../../../src/services/numbers/options.js';
import type { AvailableNumber as Available } from '../../../../src/services/numbers/twilio-numbers.js';

/** A number as GET /api/organizations/:orgId/numbers answers it. */
export interface UsableNumber {
  id: string;
  provider: string;
  phoneNumber: string | null;
  providerId: string;
  displayName: string | null;
  owner: 'organization' | 'platform';
  connection: 'own' | 'platform';
  senderStatus: string;
  lastSendError: string | null;
}

/** What applies on this platform for the signed-in key; a way that is not configured is simply not offered. */
export const numberOptionsOf = (orgId: string) => get<{ options: NumberOptions }>(`/api/organizations/${orgId}/number-options`).then((b) => b.options);

export const usableNumbersOf = (orgId: string) => get<{ numbers: UsableNumber[] }>(`/api/organizations/${orgId}/numbers`).then((b) => b.numbers);

/** How a picker names a number: `+15550110001 — Desk 1 (simulator, platform)`. */
export const numberLabel = (n: UsableNumber) =>
  `${n.phoneNumber ?? n.providerId}${n.displayName ? ` — ${n.displayName}` : ''} (${n.provider}${n.owner === 'platform' ? ', platform' : ''})`;

/** The numbers the organization can use, with the one-click simulated number (also the first-run guide's). */
export function UsableNumbers({ org, onChanged }: { org: SectionProps['org']; onChanged?: () => void }) {
  const numbers = useLoad(() => usableNumbersOf(org.id), [org.id]);
  const options = useLoad(() => numberOptionsOf(org.id), [org.id]);
  const action = useAction();
  const confirm = useConfirm();
  const [note, setNote] = useState<string>();
  const addSimulated = () =>
    action.run(async () => {
      const body = await post<{ number: UsableNumber }>(`/api/organizations/${org.id}/numbers`, { provider: 'simulator' });
      setNote(`${body.number.phoneNumber} is now a simulated number of ${org.name}.`);
      await numbers.reload();
      onChanged?.();
    });
  // Asked once, naming what happens at the provider, to widgets and to open conversations; cancelling changes nothing.
  const remove = (n: UsableNumber) =>
    action.run(async () => {
      const path = `/api/organizations/${org.id}/numbers/${n.id}`;
      if (!(await confirm.ask({ title: `Remove ${n.phoneNumber ?? n.providerId}?`, preview: `${path}/removal`, confirm: 'Remove number' }))) return;
      const done = await del<{ summary: string }>(`${path}?confirm=true`);
      setNote(`Removed. ${done.summary}`);
      await numbers.reload();
      onChanged?.();
    });
  return (
    <Card
      title="Numbers you can use"
      actions={
        options.data?.simulated && (
          <button type="button" className="small" onClick={() => void addSimulated()} disabled={action.busy}>
            Add a simulated number
          </button>
        )
      }
    >
      {confirm.dialog}
      <p className="muted">Your own numbers and the platform's. Widgets hand over from these; pick them in the widget's settings.</p>
      {note && (
        <p className="notice" data-testid="numbers-note">
          {note}
        </p>
      )}
      <ErrorBox error={numbers.error ?? options.error ?? action.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Number</th>
              <th>Provider</th>
              <th>Owner</th>
              <th>Sender</th>
              <th>Last send error</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(numbers.data ?? []).map((n) => (
              <tr key={n.id} data-number={n.phoneNumber ?? n.providerId}>
                <td>
                  <code>{n.phoneNumber ?? n.providerId}</code> {n.displayName && <span className="muted">{n.displayName}</span>}
                </td>
                <td>
                  {n.provider}
                  {n.connection === 'own' ? ' (own account)' : ''}
                </td>
                <td>{n.owner === 'platform' ? 'platform' : org.name}</td>
                <td>
                  <span className="badge">{n.senderStatus}</span>
                </td>
                <td className={n.lastSendError ? 'bad' : ''}>{n.lastSendError ?? '—'}</td>
                <td>
                  {n.owner === 'organization' && (
                    <button type="button" className="danger small" onClick={() => void remove(n)} disabled={action.busy}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {numbers.data?.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No numbers yet: {options.data?.simulated ? 'add a simulated one to try everything here, ' : ''}connect your own account
                  {options.data?.buyTwilio ? ', or buy one below' : ''}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

interface Connection {
  id: string;
  provider: string;
  createdAt: string;
}

function Connections({ org, onAdded }: SectionProps & { onAdded: () => void }) {
  const connections = useLoad(() => get<{ connections: Connection[] }>(`/api/organizations/${org.id}/connections`).then((b) => b.connections), [org.id]);
  const [provider, setProvider] = useState<'twilio' | 'meta' | 'whapi'>('twilio');
  const [fields, setFields] = useState({ accountSid: '', authToken: '', accessToken: '', businessAccountId: '', token: '' });
  const [own, setOwn] = useState({ provider: 'twilio', phoneNumber: '' });
  const [note, setNote] = useState<string>();
  const action = useAction();
  const set = (name: keyof typeof fields) => (e: React.ChangeEvent<HTMLInputElement>) => setFields({ ...fields, [name]: e.target.value });
  const connect = (event: React.FormEvent) => {
    event.preventDefault();
    const body =
      provider === 'twilio'
        ? { provider, accountSid: fields.accountSid, authToken: fields.authToken }
        : provider === 'meta'
          ? { provider, accessToken: fields.accessToken, businessAccountId: fields.businessAccountId }
          : { provider, token: fields.token };
    void action.run(async () => {
      await post(`/api/organizations/${org.id}/connections`, body);
      setFields({ accountSid: '', authToken: '', accessToken: '', businessAccountId: '', token: '' });
      setNote('Connected: the credentials were checked and are stored encrypted.');
      await connections.reload();
    });
  };
  const addOwn = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const body = await post<{ number: UsableNumber }>(`/api/organizations/${org.id}/numbers`, own);
      setNote(`${body.number.phoneNumber} was found in your account and added.`);
      setOwn({ ...own, phoneNumber: '' });
      onAdded();
    });
  };
  const remove = (id: string) =>
    action.run(async () => {
      await del(`/api/organizations/${org.id}/connections/${id}`);
      await connections.reload();
    });
  return (
    <Card title="Your own provider accounts">
      {note && <p className="notice">{note}</p>}
      <ErrorBox error={connections.error ?? action.error} />
      <ul className="list">
        {(connections.data ?? []).map((c) => (
          <li key={c.id}>
            {c.provider} <span className="muted">connected {new Date(c.createdAt).toLocaleDateString()}</span>{' '}
            <button type="button" className="danger small" onClick={() => void remove(c.id)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={connect} aria-label="Connect an account">
        <Field label="Provider">
          <select value={provider} onChange={(e) => setProvider(e.target.value as typeof provider)}>
            <option value="twilio">Twilio</option>
            <option value="meta">Meta (WhatsApp Cloud API)</option>
            <option value="whapi">Whapi</option>
          </select>
        </Field>
        {provider === 'twilio' && (
          <>
            <Field label="Account SID">
              <input value={fields.accountSid} onChange={set('accountSid')} required />
            </Field>
            <Field label="Auth token">
              <input type="password" value={fields.authToken} onChange={set('authToken')} required autoComplete="off" />
            </Field>
          </>
        )}
        {provider === 'meta' && (
          <>
            <Field label="Access token">
              <input type="password" value={fields.accessToken} onChange={set('accessToken')} required autoComplete="off" />
            </Field>
            <Field label="Business account id">
              <input value={fields.businessAccountId} onChange={set('businessAccountId')} required />
            </Field>
          </>
        )}
        {provider === 'whapi' && (
          <Field label="Channel token">
            <input type="password" value={fields.token} onChange={set('token')} required autoComplete="off" />
          </Field>
        )}
        <button type="submit" disabled={action.busy}>
          Connect
        </button>
      </form>
      <form className="row" onSubmit={addOwn} aria-label="Add a number of your account">
        <Field label="Number of your account">
          <input value={own.phoneNumber} onChange={(e) => setOwn({ ...own, phoneNumber: e.target.value })} placeholder="+14155550123" required />
        </Field>
        <Field label="In your">
          <select value={own.provider} onChange={(e) => setOwn({ ...own, provider: e.target.value })}>
            <option value="twilio">Twilio account</option>
            <option value="meta">Meta business account</option>
          </select>
        </Field>
        <button type="submit" disabled={action.busy}>
          Add number
        </button>
      </form>
    </Card>
  );
}

function Health({ orgId }: { orgId: string }) {
  const usage = useLoad(() => usageOf(orgId, currentMonth()), [orgId]);
  const numbers = usage.data?.numbers ?? [];
  return (
    <Card title="Health this month">
      <ErrorBox error={usage.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Number</th>
              <th>Provider</th>
              <th>In</th>
              <th>Out</th>
              <th>Send errors</th>
            </tr>
          </thead>
          <tbody>
            {numbers.map((n) => (
              <tr key={n.numberId ?? 'none'}>
                <td>
                  {n.displayName ? `${n.displayName} ` : ''}
                  <span className="muted">{n.phoneNumber ?? ''}</span>
                </td>
                <td>{n.provider ?? '—'}</td>
                <td>{n.messagesIn}</td>
                <td>{n.messagesOut}</td>
                <td className={n.failedOut ? 'bad' : ''}>{n.failedOut}</td>
              </tr>
            ))}
            {usage.data && numbers.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No messages this month.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

/** Shown only when the platform's Twilio account is configured (and the plan or key may buy). */
function TwilioNumbers({ org, reloadOrganizations }: SectionProps) {
  const [country, setCountry] = useState('US');
  const [areaCode, setAreaCode] = useState('');
  const [found, setFound] = useState<Available[]>();
  const [note, setNote] = useState<string>();
  const action = useAction();
  const search = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const query = new URLSearchParams({ country, ...(areaCode ? { areaCode } : {}) });
      setFound((await get<{ numbers: Available[] }>(`/api/organizations/search-numbers?${query}`)).numbers);
    });
  };
  const provision = (phoneNumber: string) =>
    action.run(async () => {
      const body = await post<{ message: string }>(`/api/organizations/${org.id}/provision-number`, { phoneNumber });
      setNote(body.message);
      setFound(undefined);
      reloadOrganizations();
    });
  return (
    <Card title="Buy a Twilio number">
      <p className="muted">Bought on the platform's Twilio account for {org.name}; remove it above to release it at Twilio.</p>
      {note && <p className="notice">{note}</p>}
      <form className="row" onSubmit={search}>
        <Field label="Country">
          <select value={country} onChange={(e) => setCountry(e.target.value)}>
            {['US', 'CA', 'GB'].map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </Field>
        <Field label="Area code">
          <input value={areaCode} onChange={(e) => setAreaCode(e.target.value)} inputMode="numeric" size={5} />
        </Field>
        <button type="submit" disabled={action.busy}>
          Search
        </button>
      </form>
      <ErrorBox error={action.error} />
      {found && (
        <ul className="list">
          {found.map((n) => (
            <li key={n.phoneNumber}>
              {n.friendlyName} <code>{n.phoneNumber}</code>{' '}
              <button type="button" className="small" onClick={() => void provision(n.phoneNumber)}>
                Provision
              </button>
            </li>
          ))}
          {found.length === 0 && <li className="muted">No numbers available there.</li>}
        </ul>
      )}
    </Card>
  );
}

/** Assigns a Whapi channel to the organization: its id, the number it shows, and its token (kept encrypted, never shown again). */
function WhapiChannel({ org, tokenOptional, onAssigned }: { org: SectionProps['org']; tokenOptional: boolean; onAssigned: () => void }) {
  const [form, setForm] = useState({ channelId: '', displayNumber: '', token: '' });
  const [note, setNote] = useState<string>();
  const action = useAction();
  const set = (name: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [name]: e.target.value });
  const assign = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const body = { channelId: form.channelId.trim(), displayNumber: form.displayNumber.trim(), ...(form.token ? { token: form.token } : {}) };
      const answer = await post<{ channel: { channelId: string; ownToken: boolean } }>(`/api/organizations/${org.id}/whapi-channel`, body);
      setNote(
        `Whapi channel ${answer.channel.channelId} is now ${org.name}'s (${answer.channel.ownToken ? 'its own token, stored encrypted' : "sending with the platform's WHAPI_TOKEN"}); it is listed above.`,
      );
      setForm({ channelId: '', displayNumber: '', token: '' });
      onAssigned();
    });
  };
  return (
    <Card title="Whapi channel">
      <p className="muted">
        A WhatsApp number connected through Whapi. The token is checked at Whapi before it is kept; assigning another channel replaces this organization's.
      </p>
      {note && (
        <p className="notice" data-testid="whapi-assigned">
          {note}
        </p>
      )}
      <ErrorBox error={action.error} />
      <form className="row" onSubmit={assign} aria-label="Assign a Whapi channel">
        <Field label="Channel id">
          <input value={form.channelId} onChange={set('channelId')} placeholder="ACMEGEAR-7QK2X" required />
        </Field>
        <Field label="Its WhatsApp number">
          <input value={form.displayNumber} onChange={set('displayNumber')} placeholder="+14155550123" required minLength={3} maxLength={40} />
        </Field>
        <Field label={tokenOptional ? "Channel token (empty: the platform's WHAPI_TOKEN)" : 'Channel token'}>
          <input type="password" value={form.token} onChange={set('token')} required={!tokenOptional} autoComplete="off" />
        </Field>
        <button type="submit" disabled={action.busy}>
          Assign channel
        </button>
      </form>
    </Card>
  );
}

/** The platform's Meta business account (platform key, shown only when it is configured). */
function MetaNumbers({ org, reloadOrganizations }: SectionProps) {
  const available = useLoad(() => get<{ phoneNumbers: MetaNumber[] }>('/api/admin/phone-numbers').then((b) => b.phoneNumbers), []);
  const action = useAction();
  const assign = (phoneNumberId: string) =>
    action.run(async () => {
      await post(`/api/admin/stores/${org.id}/phone-number`, { phoneNumberId });
      reloadOrganizations();
    });
  return (
    <Card title="Meta business account numbers">
      <p className="muted">Assigning one gives it to {org.name}; remove it above to give it back.</p>
      <ErrorBox error={available.error ?? action.error} />
      <ul className="list">
        {(available.data ?? []).map((n) => (
          <li key={n.phoneNumberId}>
            {n.verifiedName} <code>{n.displayNumber}</code> <span className="badge">{n.verificationStatus}</span>{' '}
            <button type="button" className="small" onClick={() => void assign(n.phoneNumberId)}>
              Assign to {org.name}
            </button>
          </li>
        ))}
        {available.data?.length === 0 && <li className="muted">The business account has no numbers.</li>}
      </ul>
    </Card>
  );
}

export function Numbers(props: SectionProps) {
  const options = useLoad(() => numberOptionsOf(props.org.id), [props.org.id]);
  // A number added below (a Whapi channel, one of an own account) shows in the table above.
  const [added, setAdded] = useState(0);
  const onAdded = () => setAdded((n) => n + 1);
  return (
    <>
      <UsableNumbers key={added} {...props} />
      {options.data?.buyTwilio && <TwilioNumbers {...props} />}
      <Health orgId={props.org.id} />
      <Connections {...props} onAdded={onAdded} />
      {options.data && <WhapiChannel org={props.org} tokenOptional={options.data.whapiWithoutToken} onAssigned={onAdded} />}
      <HandoverTemplates org={props.org} />
      {options.data?.assignMeta && <MetaNumbers {...props} />}
    </>
  );
}
