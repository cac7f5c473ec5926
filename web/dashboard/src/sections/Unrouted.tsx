// Unrouted events: webhooks that verified but matched no organization (or could not be parsed);
// replay one once its number is assigned.
import { useState } from 'react';
import { get, post, when } from '../api.js';
import { Card, ErrorBox, useAction, useLoad } from '../ui.js';
import type { RouteSummary, UnroutedEventJson as UnroutedEvent } from '../../../../src/services/inbound/receive.js';

export function Unrouted() {
  const events = useLoad(() => get<{ events: UnroutedEvent[] }>('/api/admin/unrouted-events').then((b) => b.events), []);
  const [open, setOpen] = useState<number>();
  const [note, setNote] = useState<string>();
  const action = useAction();
  const replay = (id: number) =>
    action.run(async () => {
      const body = await post<Pick<RouteSummary, 'stored' | 'duplicates'>>(`/api/admin/unrouted-events/${id}/replay`);
      setNote(`Event ${id} replayed: ${body.stored} stored, ${body.duplicates} already known.`);
      await events.reload();
    });
  return (
    <Card
      title="Unrouted events"
      actions={
        <button type="button" className="small" onClick={() => void events.reload()}>
          Refresh
        </button>
      }
    >
      <ErrorBox error={events.error ?? action.error} />
      {note && <p className="notice">{note}</p>}
      <ul className="list">
        {(events.data ?? []).map((e) => (
          <li key={e.id}>
            <strong>#{e.id}</strong> <span className="badge">{e.provider}</span> {e.reason} <span className="muted">{when(e.receivedAt)}</span>{' '}
            <button type="button" className="small" onClick={() => setOpen(open === e.id ? undefined : e.id)}>
              {open === e.id ? 'Hide' : 'Payload'}
            </button>{' '}
            <button type="button" className="small" onClick={() => void replay(e.id)}>
              Replay
            </button>
            {open === e.id && <pre className="payload">{typeof e.payload === 'string' ? e.payload : JSON.stringify(e.payload, null, 2)}</pre>}
          </li>
        ))}
        {events.data?.length === 0 && <li className="muted">Nothing unrouted. Every webhook found its organization.</li>}
      </ul>
    </Card>
  );
}
