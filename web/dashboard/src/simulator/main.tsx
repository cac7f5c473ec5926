// The simulator: WhatsApp-like phones for customers and agents. Each phone lists its chats with
// the simulated business numbers; typing sends into the real inbound pipeline, and replies arrive
// live from the simulator provider's stream.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ErrorBox, useAction, useLoad } from '../ui.js';
import { type BusinessNumber, simulatorCall } from './api.js';
import { Phone, type SimulatorPhone } from './Phone.js';
import './simulator.css';

interface World {
  phones: SimulatorPhone[];
  businessNumbers: BusinessNumber[];
}

function AddPhone({ onAdded }: { onAdded: () => void }) {
  const [number, setNumber] = useState('');
  const [name, setName] = useState('');
  const action = useAction();
  const add = (event: React.FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await simulatorCall('POST', '/api/simulator/phones', { number, name, kind: 'customer' });
      setNumber('');
      setName('');
      onAdded();
    });
  };
  return (
    <form className="add-phone" onSubmit={add} aria-label="Add a customer phone">
      <input aria-label="New phone number" value={number} onChange={(e) => setNumber(e.target.value)} placeholder="+15550109002" required />
      <input aria-label="New phone name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Name" />
      <button type="submit" disabled={action.busy}>
        Add customer phone
      </button>
      <ErrorBox error={action.error} />
    </form>
  );
}

function Simulator() {
  const world = useLoad(() => simulatorCall<World>('GET', '/api/simulator'), [], 10_000);
  const [live, setLive] = useState(false);
  // Phones the bot is writing to ("typing…"), until its reply arrives or 25 s pass, as on WhatsApp.
  const [typing, setTyping] = useState<Record<string, string>>({});
  useEffect(() => {
    const events = new EventSource('/api/simulator/events');
    events.onopen = () => setLive(true);
    events.onerror = () => setLive(false);
    // A delivery is announced while the send is still being recorded (its provider id, needed to
    // swipe-reply, lands a moment later), so read the phones now and once more shortly after.
    let later: ReturnType<typeof setTimeout> | undefined;
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const stopTyping = (phone: string) => setTyping(({ [phone]: _, ...rest }) => rest);
    events.addEventListener('typing', (event) => {
      const { from, to } = JSON.parse((event as MessageEvent<string>).data) as { from: string; to: string };
      setTyping((now) => ({ ...now, [to]: from }));
      clearTimeout(timers.get(to));
      timers.set(
        to,
        setTimeout(() => stopTyping(to), 25_000),
      );
    });
    events.addEventListener('message', (event) => {
      const delivered = JSON.parse((event as MessageEvent<string>).data) as { to?: string };
      if (delivered.to) stopTyping(delivered.to);
      void world.reload();
      clearTimeout(later);
      later = setTimeout(() => void world.reload(), 1000);
    });
    return () => {
      clearTimeout(later);
      for (const timer of timers.values()) clearTimeout(timer);
      events.close();
    };
  }, []);
  const phones = world.data?.phones ?? [];
  const group = (kind: SimulatorPhone['kind']) => phones.filter((p) => p.kind === kind);
  return (
    <div className="sim">
      <header className="sim-top">
        <strong>Switchboard simulator</strong>
        <span className={`live ${live ? 'on' : ''}`}>{live ? 'live' : 'connecting…'}</span>
        <a href="/">Dashboard</a>
        <a href="/demo">Demo website</a>
      </header>
      <ErrorBox error={world.error} />
      <AddPhone onAdded={() => void world.reload()} />
      {(['customer', 'agent'] as const).map((kind) => (
        <section key={kind} className="phone-group">
          <h2>{kind === 'customer' ? 'Customers' : 'Agents'}</h2>
          <div className="phones">
            {group(kind).map((p) => (
              <Phone
                key={p.number}
                phone={p}
                businessNumbers={world.data?.businessNumbers ?? []}
                onSent={() => void world.reload()}
                typingFrom={typing[p.number]}
              />
            ))}
            {group(kind).length === 0 && <p className="muted">No {kind} phones yet.</p>}
          </div>
        </section>
      ))}
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<Simulator />);
