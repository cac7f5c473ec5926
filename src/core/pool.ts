// Which number carries a new handover (SPEC §8 "Choosing the sender", like Twilio Proxy's
// least-used number): a widget's pool, and the numbers a WhatsApp customer's handover may use.
// Pure: the service counts, inside the transaction that also claims the chosen number.

export interface PoolCandidate {
  /** E.164 */
  number: string;
  /** the pool's own order, the last tie-breaker */
  position: number;
  /** open handovers on this number with any of the widget's agents */
  openWithAgents: number;
  /** the widget's agents with no open handover on this number */
  freeAgents: number;
  /** open handovers on this number, whoever the agents */
  openConversations: number;
  /** handovers assigned to this number in the last 24 hours */
  assignments24h: number;
  /** the agents this number may write free-form to now (their 24-hour window is open, or it has none) */
  openWindows: number;
}

/**
 * A number free of these agents first, then the least loaded now, then the least used today, then
 * the one whose windows are open with more of the agents (fewer templates, fewer detours), then
 * pool order.
 */
export function chooseSender<C extends PoolCandidate>(candidates: readonly C[]): C | undefined {
  return [...candidates].sort(compareLoad)[0];
}

function compareLoad(a: PoolCandidate, b: PoolCandidate): number {
  return (
    Number(a.openWithAgents > 0) - Number(b.openWithAgents > 0) ||
    a.openConversations - b.openConversations ||
    a.assignments24h - b.assignments24h ||
    b.openWindows - a.openWindows ||
    a.position - b.position
  );
}

/** One chat per agent and sender (`enableMultipleWhatsappChats` off): numbers where some agent is free. */
export function freeSenders<C extends PoolCandidate>(candidates: readonly C[]): C[] {
  return candidates.filter((c) => c.freeAgents > 0);
}
