import { describe, expect, it } from 'vitest';
import { explainFailedSend } from '../../src/core/send-failures.js';

describe('explainFailedSend', () => {
  it('reads the window error of ours, Twilio and Meta the same way, with what to do by audience', () => {
    for (const errorCode of ['WINDOW_CLOSED', '63016', '131047']) {
      const agent = explainFailedSend({ errorCode, sendError: 'x', audience: 'agent', to: '+15550100101' });
      expect(agent.reason).toMatch(/24-hour window: \+15550100101 has not written/);
      expect(agent.action).toMatch(/handover template/);
      const contact = explainFailedSend({ errorCode, sendError: 'x', audience: 'contact', to: '+5511987654321' });
      expect(contact.action).toMatch(/customer writes again, or send an approved template/);
    }
  });

  it('names missing credentials, an unreachable recipient and exhausted retries', () => {
    expect(explainFailedSend({ errorCode: 'NO_CREDENTIALS', sendError: null, audience: 'contact', to: null }).reason).toMatch(/credentials/);
    expect(explainFailedSend({ errorCode: '131026', sendError: null, audience: 'contact', to: '+1555' }).reason).toMatch(/^\+1555 cannot receive WhatsApp/);
    expect(explainFailedSend({ errorCode: 'TRANSIENT', sendError: 'Gave up after 5 attempts: 503', audience: 'contact', to: null })).toEqual({
      reason: 'Gave up after 5 attempts: 503',
      action: 'Send it again in a few minutes.',
    });
  });

  it('keeps the provider’s own sentence for codes it does not know', () => {
    expect(explainFailedSend({ errorCode: '99999', sendError: 'Something odd.', audience: 'contact', to: null }).reason).toBe('Something odd.');
  });
});
