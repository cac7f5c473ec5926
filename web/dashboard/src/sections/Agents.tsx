// Agents: the people who answer handed-over chats from their own WhatsApp. Each is invited until
// they send the exact ACCEPT message from their own phone; only then does anything reach them.
import { useState } from 'react';
import { del, get, post } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, Field, useAction, useConfirm, useLoad } from '../ui.js';
import type { AgentJson } from '../../../../src/services/agents/agents.js';

interface AgentsAnswer {
  agents: AgentJson[];
  agentInvitation: { code: string; sendTo: string | null; text: string };
}

const STATUS_WORDS: Record<AgentJson['status'], string> = {
  invited: 'invited — has not accepted yet',
  active: 'active',
  stopped: 'stopped (sent STOP AGENT)',
};

export function Agents({ org }: SectionProps) {
  // Polled: an agent accepts from their phone, and the dashboard shows it without a reload.
  const data = useLoad(() => get<AgentsAnswer>(`/api/organizations/${org.id}/agents`), [org.id], 4000);
  const [name, setName] = useState('');
  const [number, setNumber] = useState('');
  const [removed, setRemoved] = useState<string | null>(null);
  const action = useAction();
  const confirm = useConfirm();
  const add = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await post(`/api/organizations/${org.id}/agents`, { name, number });
      setName('');
      setNumber('');
      await data.reload();
    });
  };
  // Asked once, naming what happens to the agent's open chats; cancelling changes nothing.
  const remove = (agent: AgentJson) =>
    action.run(async () => {
      const asked = await confirm.ask({
        title: `Remove ${agent.name}?`,
        preview: `/api/organizations/${org.id}/agents/${agent.id}/removal`,
        confirm: 'Remove',
      });
      if (!asked) return;
      const done = await del<{ summary: string }>(`/api/organizations/${org.id}/agents/${agent.id}`);
      setRemoved(`${agent.name} was removed. ${done.summary}`);
      await data.reload();
    });
  const invitation = data.data?.agentInvitation;
  return (
    <>
      {confirm.dialog}
      <Card title="Agents">
        <p className="muted">
          Agents answer visitors from their own WhatsApp. Nothing is sent to an agent until they accept from that phone; a widget lists which agents it hands
          over to.
        </p>
        {removed && (
          <p className="notice" data-testid="agent-removed">
            {removed}
          </p>
        )}
        {invitation && (
          <p className="notice" data-testid="agent-invitation">
            Each agent sends <code>{invitation.text}</code>{' '}
            {invitation.sendTo ? (
              <>
                from their own WhatsApp to <strong>{invitation.sendTo}</strong>
              </>
            ) : (
              'from their own WhatsApp to one of your numbers (add a number first)'
            )}
            . To stop, they send <code>STOP AGENT</code>.
          </p>
        )}
        <ErrorBox error={data.error ?? action.error} />
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Number</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(data.data?.agents ?? []).map((a) => (
                <tr key={a.id} data-agent={a.number}>
                  <td>{a.name}</td>
                  <td>
                    <code>{a.number}</code>
                  </td>
                  <td>
                    <span className={`badge ${a.status}`}>{STATUS_WORDS[a.status]}</span>
                  </td>
                  <td>
                    <button type="button" className="danger small" onClick={() => void remove(a)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
              {data.data?.agents.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    No agents yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <form className="row" onSubmit={add} aria-label="Add an agent">
          <Field label="Agent name">
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Maya" />
          </Field>
          <Field label="Agent's WhatsApp number">
            <input value={number} onChange={(e) => setNumber(e.target.value)} placeholder="+15550100101" required />
          </Field>
          <button type="submit" disabled={action.busy}>
            Add agent
          </button>
        </form>
      </Card>
    </>
  );
}
