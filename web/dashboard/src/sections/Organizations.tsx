// Organizations: create (platform key), plan, join code, API keys (a new key is shown once).
import { useState } from 'react';
import { del, get, patch, post, when } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useLoad } from '../ui.js';
import type { ApiKeyJson as ApiKey } from '../../../../src/services/tenancy/api-keys.js';
import type { OrganizationJson as Organization } from '../../../../src/services/tenancy/organizations.js';

export type { Organization };

const PLANS = ['trial', 'starter', 'business'];

function CreateOrganization({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [plan, setPlan] = useState('trial');
  const action = useAction();
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await post('/api/organizations', { name, plan });
      setName('');
      onCreated();
    });
  };
  return (
    <Card title="New organization">
      <form className="row" onSubmit={submit}>
        <Field label="Name">
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label="Plan">
          <select value={plan} onChange={(e) => setPlan(e.target.value)}>
            {PLANS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={action.busy}>
          Create
        </button>
      </form>
      <ErrorBox error={action.error} />
    </Card>
  );
}

function ApiKeys({ org }: { org: Organization }) {
  const keys = useLoad(() => get<{ apiKeys: ApiKey[] }>(`/api/organizations/${org.id}/api-keys`).then((b) => b.apiKeys), [org.id]);
  const [shown, setShown] = useState<string>();
  const action = useAction();
  const create = () =>
    action.run(async () => {
      const body = await post<{ key: string }>(`/api/organizations/${org.id}/api-keys`);
      setShown(body.key);
      await keys.reload();
    });
  const revoke = (id: string) =>
    action.run(async () => {
      await del(`/api/organizations/${org.id}/api-keys/${id}`);
      await keys.reload();
    });
  return (
    <Card
      title="API keys"
      actions={
        <button type="button" onClick={() => void create()}>
          New key
        </button>
      }
    >
      {shown && (
        <p className="notice">
          New key — copy it now, it is not shown again: <code className="secret">{shown}</code>
        </p>
      )}
      <ErrorBox error={keys.error ?? action.error} />
      <ul className="list">
        {(keys.data ?? []).map((k) => (
          <li key={k.id}>
            <code>{k.prefix}…</code> <span className="muted">created {when(k.createdAt)}</span>{' '}
            {k.revokedAt ? (
              <span className="badge">revoked</span>
            ) : (
              <button type="button" className="danger small" onClick={() => void revoke(k.id)}>
                Revoke
              </button>
            )}
          </li>
        ))}
        {keys.data?.length === 0 && <li className="muted">No keys yet.</li>}
      </ul>
    </Card>
  );
}

export function Organizations({ org, platform, reloadOrganizations }: SectionProps) {
  const action = useAction();
  const setPlan = (plan: string) =>
    action.run(async () => {
      await patch(`/api/organizations/${org.id}`, { plan });
      reloadOrganizations();
    });
  return (
    <>
      {platform && <CreateOrganization onCreated={reloadOrganizations} />}
      {org && (
        <>
          <Card title={org.name}>
            <dl className="facts">
              <dt>Plan</dt>
              <dd>
                <select aria-label="Plan" value={org.plan} onChange={(e) => void setPlan(e.target.value)} disabled={!platform}>
                  {PLANS.map((p) => (
                    <option key={p}>{p}</option>
                  ))}
                </select>
              </dd>
              <dt>Join code</dt>
              <dd>
                <code>join {org.joinCode}</code> <span className="muted">(customers send this to the shared trial number)</span>
              </dd>
              <dt>WhatsApp number</dt>
              <dd>{org.whatsappNumber ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{when(org.createdAt)}</dd>
            </dl>
            <ErrorBox error={action.error} />
          </Card>
          <ApiKeys org={org} />
        </>
      )}
    </>
  );
}
