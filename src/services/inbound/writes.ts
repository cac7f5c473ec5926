// What the webhook hot path hands to the inbound store and gets back (store.ts commits them).
// Types only, so the context can name its writer without depending on the store.
import type { Message, NewMessage } from '../../db/schema.js';

export type InboundMessageRow = Omit<NewMessage, 'id'> & { provider: string; provider_message_id: string; created_at: string };

/**
 * The job a newly stored message leads to, enqueued in the same commit: its payload is `payload`
 * plus the message's id as `messageId`, its idempotency key `idempotencyPrefix` + that id. Data,
 * not a function, so PostgreSQL can build the job in the statement that stores the message.
 */
export interface MessageReaction {
  kind: string;
  payload: Record<string, unknown>;
  idempotencyPrefix: string;
}

export type StoreWrite =
  | { kind: 'message'; row: InboundMessageRow; reaction: MessageReaction }
  | {
      kind: 'status';
      provider: string;
      providerMessageId: string;
      status: string;
      errorCode?: string;
      errorMessage?: string;
      reference?: string;
      /** whose secret verified it: a connection's own secret changes only its own numbers' messages */
      verifiedBy: string;
      at: string;
    }
  | {
      kind: 'unrouted';
      provider: string;
      reason: string;
      payload: string;
      headers: string | null;
      /** whose secret verified it (services/inbound/verification.ts) */
      verifiedBy: string;
      at: string;
    };

export type StoreResult = { kind: 'message'; inserted: boolean; id?: number } | { kind: 'status'; updated: Message[] } | { kind: 'unrouted'; id: number };

export interface InboundWriter {
  /** resolves once the write is committed with the rest of its event-loop turn */
  submit(write: StoreWrite): Promise<StoreResult>;
}
