import { describe, expect, it } from 'vitest';
import { humanHasIt } from '../../src/core/status.js';

describe('humanHasIt', () => {
  it('is true while the conversation waits for an agent or an agent has it', () => {
    expect(humanHasIt('waiting_agent')).toBe(true);
    expect(humanHasIt('agent')).toBe(true);
  });

  it('is false for the bot, a closed conversation and anything unknown', () => {
    for (const status of ['bot', 'closed', 'Agent', '']) expect(humanHasIt(status)).toBe(false);
  });
});
