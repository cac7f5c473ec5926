// The WhatsApp customer service window: after a customer's latest message the business may send
// free-form messages for 24 hours; outside it only an approved template goes through
// (Meta 131047 / Twilio 63016; providers.md §4). Business messages do not extend it.

export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** True when a customer message at `lastInboundAt` still allows free-form messages at `now`. */
export function isWindowOpen(lastInboundAt: string | Date | null | undefined, now: Date): boolean {
  if (!lastInboundAt) return false;
  const last = typeof lastInboundAt === 'string' ? Date.parse(lastInboundAt) : lastInboundAt.getTime();
  return Number.isFinite(last) && now.getTime() - last < SERVICE_WINDOW_MS;
}

/** A send is free-form (text or media) unless it is a template. */
export function isFreeForm(message: { template?: unknown }): boolean {
  return !message.template;
}

export const WINDOW_CLOSED_SENTENCE =
  'The 24-hour customer service window with this contact is closed (their last message is older than 24 hours, or they never wrote); ' +
  'only an approved template can be sent now.';
