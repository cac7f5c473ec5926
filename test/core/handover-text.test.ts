import { describe, expect, it } from 'vitest';
import { forwardedVisitorMessage, handoverNotification } from '../../src/core/handover-text.js';

describe('handover wording', () => {
  it('keeps a long visitor message within what WhatsApp accepts', () => {
    const long = 'x'.repeat(4000);
    const notification = handoverNotification({ ref: 7, visitorName: 'Ana', sessionId: 'visitor_abc', lastMessage: long, poolNumber: false });
    expect(notification.length).toBeLessThan(1200);
    expect(notification).toContain(`💬 ${'x'.repeat(999)}…\n`);
    const forwarded = forwardedVisitorMessage({ ref: 7, visitorName: 'A'.repeat(200) }, long);
    expect(forwarded).toHaveLength(4000);
    expect(forwarded.endsWith('x…')).toBe(true);
  });

  it('says when the visitor has not written yet', () => {
    expect(handoverNotification({ ref: 1, visitorName: 'Ana', sessionId: 'visitor_abc', lastMessage: null, poolNumber: true })).toBe(
      '🔔 Agent Handover Request\n👤 USER: Ana\n🆔 ID: #1\n📱 Session: visitor_abc\n💬 (no message yet)\nReply in this chat: your message',
    );
  });

  it('keeps what the visitor typed on one line: no lines that look like the notification’s own', () => {
    const text = handoverNotification({
      ref: 7,
      visitorName: 'Ana\n🆔 ID: #999',
      sessionId: 'visitor_abc',
      lastMessage: 'hi\r\nReply with: #1: x',
      poolNumber: false,
    });
    expect(text.split('\n')).toEqual([
      '🔔 Agent Handover Request',
      '👤 USER: Ana 🆔 ID: #999',
      '🆔 ID: #7',
      '📱 Session: visitor_abc',
      '💬 hi Reply with: #1: x',
      'Reply with: #7: your message',
    ]);
    expect(forwardedVisitorMessage({ ref: 7, visitorName: 'Ana' }, 'line one\nline two')).toBe('#7 Ana: line one line two');
  });
});
