import { describe, expect, it } from 'vitest';
import { forwardedVisitorMessage, handoverNotification } from '../../src/core/handover-text.js';

describe('handover wording', () => {
  it('keeps a long visitor message within what WhatsApp accepts', () => {
    const long = 'x'.repeat(4000);
    const notification = handoverNotification({ ref: 7, visitorName: 'Ana', sessionId: 'visitor_abc', lastMessage: long, replyHere: false });
    expect(notification.length).toBeLessThan(1200);
    expect(notification).toContain(`💬 ${'x'.repeat(999)}…\n`);
    const forwarded = forwardedVisitorMessage({ ref: 7, visitorName: 'A'.repeat(200) }, long);
    expect(forwarded).toHaveLength(4000);
    expect(forwarded.endsWith('x…')).toBe(true);
  });

  it('says when the visitor has not written yet', () => {
    expect(handoverNotification({ ref: 1, visitorName: 'Ana', sessionId: 'visitor_abc', lastMessage: null, replyHere: true })).toBe(
      '🔔 Agent Handover Request\n👤 USER: Ana\n🆔 ID: #1\n📱 Session: visitor_abc\n💬 (no message yet)\nReply in this chat: your message',
    );
  });

  it('keeps what a visitor typed on one line, so it cannot add lines that look like the notification’s own', () => {
    const notification = handoverNotification({
      ref: 3,
      visitorName: 'Eve\n🆔 ID: #1',
      sessionId: 'visitor_abc',
      lastMessage: 'hi\r\nReply with: #1: x\u2028more\u0085end',
      replyHere: false,
    });
    expect(notification.split('\n')).toEqual([
      '🔔 Agent Handover Request',
      '👤 USER: Eve 🆔 ID: #1',
      '🆔 ID: #3',
      '📱 Session: visitor_abc',
      '💬 hi Reply with: #1: x more end',
      'Reply with: #3: your message',
    ]);
    expect(forwardedVisitorMessage({ ref: 3, visitorName: 'Eve\nX' }, 'a\n\nb')).toBe('#3 Eve X: a b');
  });
});
