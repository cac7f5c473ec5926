// Live events (a message that must reach a visitor's event stream, the dashboard's inbox, the
// simulator's phones). In-process by default; services/realtime/postgres.ts carries them across
// instances with LISTEN/NOTIFY.
import { EventEmitter } from 'node:events';

export interface LiveEvent {
  /** e.g. `session:visitor_abc`, `org:<id>`, `sim` */
  channel: string;
  type: string;
  data: unknown;
}

export interface RealtimeBus {
  publish(event: LiveEvent): Promise<void>;
  subscribe(channel: string, listener: (event: LiveEvent) => void): () => void;
  close(): Promise<void>;
}

/** Delivers to this process's subscribers only. */
export class LocalBus implements RealtimeBus {
  private emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  async publish(event: LiveEvent): Promise<void> {
    this.deliver(event);
  }
  /** Hands an event to this process's subscribers (used by cross-instance transports too). */
  deliver(event: LiveEvent): void {
    this.emitter.emit(event.channel, event);
    this.emitter.emit('*', event);
  }
  subscribe(channel: string, listener: (event: LiveEvent) => void): () => void {
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }
  listenerCount(channel: string): number {
    return this.emitter.listenerCount(channel);
  }
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
