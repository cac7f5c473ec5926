// "Typing…" in a WhatsApp customer's chat while the bot composes its answer, where the number's
// provider can show it (ProviderAdapter.typing). Best effort: it is started, never waited for, and
// a failure is only logged — the answer goes out either way.
import type { Message } from '../../db/schema.js';
import { providerByName } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { credentialsForNumber } from '../numbers/connections.js';
import { findNumberById } from '../numbers/lookup.js';

/** Started without waiting: resolves when the provider answered or the call failed (for tests and shutdown). */
export function showTyping(ctx: AppContext, inbound: Message): Promise<void> {
  return indicate(ctx, inbound).catch((err: Error) => {
    ctx.log.warn({ messageId: inbound.id, reason: err.message }, 'typing indicator not shown');
  });
}

async function indicate(ctx: AppContext, inbound: Message): Promise<void> {
  if (!inbound.number_id || !inbound.from_address || !inbound.provider_message_id) return;
  const number = await findNumberById(ctx, inbound.number_id);
  const adapter = number ? providerByName(number.provider) : undefined;
  if (!number || !adapter?.typing) return;
  const credentials = await credentialsForNumber(ctx, number);
  if (!credentials) return;
  await adapter.typing({ config: ctx.config, bus: ctx.bus, clock: ctx.clock }, credentials as never, {
    from: { phone: number.phone_number ?? undefined, providerNumberId: number.provider_id },
    to: inbound.from_address,
    inboundProviderMessageId: inbound.provider_message_id,
  });
}
