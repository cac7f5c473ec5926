// Organizations: create (platform key; the new one becomes the selected one and opens its first-run guide), profile (name,
// description, instructions), plan, the join code where customers use it, API keys (a new key is
// shown once), delete (platform key).
import { useEffect, useState } from 'react';
import { del, get, patch, post, when } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useConfirm, useLoad } from '../ui.js';
import type { ApiKeyJson as ApiKey } from '../../../../src/services/tenancy/api-keys.js';
import type { OrganizationJson as Organization } from '../../../../src/services/tenancy/organizations.js';

export type { Organization };

const PLANS = ['trial', 'starter', 'business'];

function CreateOrganization({ onCreated }: { onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [plan, setPlan] = useState('trial');
  const action = useAction();
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const body = await post<{ organization: Organization }>('/api/organizations', { name, plan });
      setName('');
      onCreated(body.organization.id);
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
  const [keyName, setKeyName] = useState('');
  const action = useAction();
  const create = () =>
    action.run(async () => {
      const body = await post<{ key: string }>(`/api/organizations/${org.id}/api-keys`, keyName.trim() ? { name: keyName.trim() } : {});
      setShown(body.key);
      setKeyName('');
      await keys.reload();
    });
  const confirm = useConfirm();
  const [revoked, setRevoked] = useState<string>();
  // Asked once, naming what stops working; cancelling changes nothing.
  const revoke = (key: ApiKey) =>
    action.run(async () => {
      const path = `/api/organizations/${org.id}/api-keys/${key.id}`;
      if (!(await confirm.ask({ title: `Revoke ${key.name ? `key '${key.name}'` : `key ${key.prefix}…`}?`, preview: `${path}/revocation`, confirm: 'Revoke' })))
        return;
      const done = await del<{ summary: string }>(path);
      setRevoked(`Revoked. ${done.summary}`);
      await keys.reload();
    });
  return (
    <Card
      title="API keys"
      actions={
        <>
          <input
            aria-label="Key name"
            value={keyName}
            onChange={(e) => setKeyName(e.target.value)}
            placeholder="who uses it (optional)"
            size={18}
            maxLength={80}
          />
          <button type="button" onClick={() => void create()}>
            New key
          </button>
        </>
      }
    >
      {confirm.dialog}
      {revoked && (
        <p className="notice" data-testid="key-revoked">
          {revoked}
        </p>
      )}
      {shown && (
        <p className="notice">
          New key — copy it now, it is not shown again: <code className="secret">{shown}</code>
        </p>
      )}
      <ErrorBox error={keys.error ?? action.error} />
      <ul className="list">
        {(keys.data ?? []).map((k) => (
          <li key={k.id}>
            {k.name && <strong>{k.name}</strong>} <code>{k.prefix}…</code> <span className="muted">created {when(k.createdAt)}</span>{' '}
            {k.revokedAt ? (
              <span className="badge">revoked</span>
            ) : (
              <button type="button" className="danger small" onClick={() => void revoke(k)}>
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

/** Name, description and the instructions the answers follow; an organization key may change them. */
function Profile({ org, onSaved }: { org: Organization; onSaved: () => void }) {
  const [name, setName] = useState(org.name);
  const [description, setDescription] = useState(org.description ?? '');
  const [instructions, setInstructions] = useState(org.instructions ?? '');
  const [saved, setSaved] = useState(false);
  const action = useAction();
  useEffect(() => {
    setName(org.name);
    setDescription(org.description ?? '');
    setInstructions(org.instructions ?? '');
    setSaved(false);
  }, [org.id]);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void action
      .run(() => patch(`/api/organizations/${org.id}`, { name, description: description || null, instructions: instructions || null }))
      .then((ok) => {
        if (!ok) return;
        setSaved(true);
        onSaved();
      });
  };
  return (
    <Card title="Profile">
      <form onSubmit={submit}>
        <Field label="Organization name">
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </Field>
        <Field label="Description">
          <textarea
            rows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={2000}
            placeholder="What the business does, in a sentence or two"
          />
        </Field>
        <Field label="Instructions for answers">
          <textarea
            rows={3}
            value={instructions}
            onChange={(e) => setInstructions(e.target.value)}
            maxLength={20000}
            placeholder="e.g. Answer in a friendly tone; never promise delivery dates."
          />
        </Field>
        <button type="submit" disabled={action.busy}>
          Save profile
        </button>{' '}
        {saved && <span className="muted">Saved.</span>}
      </form>
      <ErrorBox error={action.error} />
    </Card>
  );
}

/** Trial organizations share the platform's number: customers pick one with `join <code>`. */
function JoinCode({ org }: { org: Organization }) {
  if (org.plan !== 'trial') return null;
  return (
    <>
      <dt>Join code</dt>
      <dd data-testid="join-hint">
        {org.sharedTrialNumber ? (
          <>
            Customers send <code>join {org.joinCode}</code> to the shared trial number <strong>{org.sharedTrialNumber}</strong> once; their later messages come
            here.
          </>
        ) : (
          <>
            <code>join {org.joinCode}</code> <span className="muted">— the platform has no shared trial number yet, so nobody can use it.</span>
          </>
        )}
      </dd>
    </>
  );
}

function DeleteOrganization({ org, onDeleted }: { org: Organization; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState('');
  const action = useAction();
  const remove = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(() => del(`/api/organizations/${org.id}`)).then((ok) => ok && onDeleted());
  };
  return (
    <Card title="Delete organization">
      <form onSubmit={remove}>
        <p className="muted">Deletes {org.name} with its conversations, knowledge, widgets, keys and numbers. Type its name to confirm.</p>
        <div className="row">
          <Field label="Name to confirm">
            <input value={confirming} onChange={(e) => setConfirming(e.target.value)} />
          </Field>
          <button type="submit" className="danger" disabled={action.busy || confirming.trim() !== org.name}>
            Delete organization
          </button>
        </div>
      </form>
      <ErrorBox error={action.error} />
    </Card>
  );
}

export function Organizations({ org, platform, reloadOrganizations, go }: SectionProps) {
  const action = useAction();
  const setPlan = (plan: string) =>
    action.run(async () => {
      await patch(`/api/organizations/${org.id}`, { plan });
      reloadOrganizations();
    });
  return (
    <>
      {platform && (
        <CreateOrganization
          onCreated={(id) => {
            // a new organization lands on its first-run guide
            reloadOrganizations(id);
            go('guide');
          }}
        />
      )}
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
              <JoinCode org={org} />
              <dt>WhatsApp number</dt>
              <dd>{org.whatsappNumber ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{when(org.createdAt)}</dd>
            </dl>
            <ErrorBox error={action.error} />
          </Card>
          <Profile org={org} onSaved={() => reloadOrganizations()} />
          <ApiKeys key={`keys-${org.id}`} org={org} />
          {platform && <DeleteOrganization key={`delete-${org.id}`} org={org} onDeleted={() => reloadOrganizations('')} />}
        </>
      )}
    </>
  );
}
