// The managed handover template (SPEC §8 "Reaching an agent"): its text as reviewed, and the
// values it is sent with. Rules of providers-templates.md A1.4.
import { clip, oneLine } from './handover-text.js';

/**
 * Reviewed as UTILITY: no variable first or last, none adjacent, numbered from 1, far more fixed
 * words than 2×3+1, under 1,024 characters. The same text on every provider; the variables are
 * the visitor's name, the reference (#282) and an excerpt of their message.
 */
export const HANDOVER_TEMPLATE: { name: string; language: string; body: string; samples: string[] } = {
  name: 'switchboard_handover_request_v1',
  language: 'en',
  body: 'New chat request from {{1}}, conversation {{2}}. The visitor wrote: "{{3}}". Reply to this message to answer them.',
  samples: ['Maria Souza', '#282', 'Do you have the blue bike in size M for this weekend?'],
};

/** WhatsApp refuses line breaks, tabs and long runs of spaces in a variable; an excerpt stays short. */
const MAX_VALUE = 200;

/** A value as a template variable: one line, never empty (an empty parameter is refused), clipped. */
export function templateValue(text: string): string {
  return clip(oneLine(text.replace(/\t/g, ' ')), MAX_VALUE) || '-';
}
