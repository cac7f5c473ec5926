// Numbers: the organization's sender and its health, Twilio search / provision / release, and
// Meta numbers of the shared business account (platform key).
import { useState } from 'react';
import { del, get, post } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useLoad } from '../ui.js';
import { currentMonth, usageOf } from './Usage.js';
import type { BusinessPhoneNumber as MetaNumber } from '../../../../src/services/numbers/meta-numbers.js';
import type { AvailableNumber as Available } from '../../../../src/services/numbers/twilio-numbers.js';

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
  const release = () =>
    action.run(async () => {
      const body = await del<{ message: string }>(`/api/organizations/${org.id}/provision-number`);
      setNote(body.message);
      reloadOrganizations();
    });
  return (
    <Card title="WhatsApp number">
      <p>
        {org.whatsappNumber ? (
          <>
            <strong>{org.whatsappNumber}</strong> — sender status <span className="badge">{org.senderStatus ?? 'unknown'}</span>{' '}
            <button type="button" className="danger small" onClick={() => void release()}>
              Release
            </button>
          </>
        ) : (
          'No number yet.'
        )}
      </p>
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

function MetaNumbers({ org, reloadOrganizations }: SectionProps) {
  const available = useLoad(() => get<{ phoneNumbers: MetaNumber[] }>('/api/admin/phone-numbers').then((b) => b.phoneNumbers), []);
  const action = useAction();
  const assign = (phoneNumberId: string) =>
    action.run(async () => {
      await post(`/api/admin/stores/${org.id}/phone-number`, { phoneNumberId });
      reloadOrganizations();
    });
  const unassign = () =>
    action.run(async () => {
      await del(`/api/admin/stores/${org.id}/phone-number`);
      reloadOrganizations();
    });
  return (
    <Card
      title="Meta business account numbers"
      actions={
        <button type="button" className="small" onClick={() => void unassign()}>
          Remove assignment
        </button>
      }
    >
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
  return (
    <>
      <TwilioNumbers {...props} />
      <Health orgId={props.org.id} />
      {props.platform && <MetaNumbers {...props} />}
    </>
  );
}
