// Per-number send rate: a token bucket per business number, so a burst of replies is spread out
// instead of tripping the provider's own limit. A send without a token is delayed, never failed.
// Real elapsed time (not ctx.clock): this paces actual requests to the provider.
import { performance } from 'node:perf_hooks';
import type { AppContext } from '../context.js';

export const DEFAULT_SENDS_PER_SECOND = 20;

/** Changes the rate for this context's numbers (sends per second, also the burst size). */
export function setSendRate(ctx: AppContext, perSecond: number): void {
  ctx.state.sendRate.perSecond = perSecond;
}

/** Takes a token for a send from this number: 0 when it may go now, else the ms to wait. */
export function takeSendToken(ctx: AppContext, numberId: string, now = performance.now()): number {
  const state = ctx.state.sendRate;
  const bucket = state.byNumber.get(numberId) ?? { tokens: state.perSecond, at: now };
  bucket.tokens = Math.min(state.perSecond, bucket.tokens + ((now - bucket.at) / 1000) * state.perSecond);
  bucket.at = now;
  state.byNumber.set(numberId, bucket);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return Math.ceil(((1 - bucket.tokens) / state.perSecond) * 1000);
}
