// What an agent names wins over guessing, over the HTTP edge with signed Twilio webhooks and the
// fake Twilio: a reference written at the start of a message is never delivered to another
// conversation — not to the one whose notification was swipe-replied to, not to the only open
// one — and a reference written oddly (`# 2`, full-width digits) is asked again, never delivered.
import { describe, expect, it } from 'vitest';
import { MAYA, sandboxEdgePerTest } from './handover-support.js';

const SHOP = '+14155550142';
const ANA = '+15550100200';
const BEN = '+15550100201';

const sandbox = sandboxEdgePerTest();

async function say(from: string, to: string, text: string, extra: Record<string, string> = {}) {
  const names: Record<string, string> = { [ANA]: 'Ana Silva', [BEN]: 'Ben Okafor' };
  expect(await sandbox.edge.twilioInbound(from, to, text, { extra: { ProfileName: names[from] ?? 'Someone', ...extra } })).toBe(200);
  await sandbox.edge.drain();
}

const sentTo = (phone: string) => sandbox.edge.sent().filter((m) => m.to === `whatsapp:${phone}`);
const bodiesTo = (phone: string) => sentTo(phone).map((m) => m.body);

/** A shop with its own Twilio number and Maya, who accepted. */
async function shopWithMaya() {
  const org = await sandbox.edge.organizationWithKey('Lantern Lane Bikes', { plan: 'starter' });
  expect((await sandbox.edge.call('POST', `/api/organizations/${org.id}/provision-number`, { body: { phoneNumber: SHOP } })).status).toBe(200);
  expect((await sandbox.edge.call('POST', `/api/organizations/${org.id}/agents`, { key: org.key, body: { name: 'Maya', number: MAYA } })).status).toBe(201);
  const listed = await sandbox.edge.call('GET', `/api/organizations/${org.id}/agents`, { key: org.key });
  await say(MAYA, SHOP, listed.body.agentInvitation.text);
  return org;
}

describe('a reference at the start of an agent’s message', () => {
  it('goes to the conversation it names even when the agent swipe-replied to another one’s notification', async () => {
    await shopWithMaya();
    await say(ANA, SHOP, 'human');
    const anaNotification = sentTo(MAYA).at(-1)!;
    expect(anaNotification.body).toContain('🆔 ID: #1');
    await say(BEN, SHOP, 'human');
    expect(bodiesTo(MAYA).at(-1)).toContain('🆔 ID: #2');
    const toAna = sentTo(ANA).length;

    await say(MAYA, SHOP, '#2: Ben, your wheel is ready', { OriginalRepliedMessageSid: anaNotification.sid });
    expect(sentTo(ANA)).toHaveLength(toAna);
    expect(bodiesTo(BEN).at(-1)).toBe('Ben, your wheel is ready');

    // So does a name: the swipe confirms a prefix, it never overrides one.
    await say(MAYA, SHOP, '@Ben Okafor: see you at 5', { OriginalRepliedMessageSid: anaNotification.sid });
    expect(sentTo(ANA)).toHaveLength(toAna);
    expect(bodiesTo(BEN).at(-1)).toBe('see you at 5');
    // A swipe that agrees with the prefix places it as before.
    await say(MAYA, SHOP, '#1: Ana, yours too', { OriginalRepliedMessageSid: anaNotification.sid });
    expect(bodiesTo(ANA).at(-1)).toBe('Ana, yours too');
    const toAnaNow = sentTo(ANA).length;

    // Something that starts like a reference but is not one is asked again, swipe or not.
    await say(MAYA, SHOP, '#2b is in stock', { OriginalRepliedMessageSid: anaNotification.sid });
    expect(sentTo(ANA)).toHaveLength(toAnaNow);
    expect(bodiesTo(MAYA).at(-1)).toContain('"#2b" is not a conversation number.');
  });

  it('written as `# 2`, `＃2` or with full-width digits is asked again, never given to the only open conversation', async () => {
    await shopWithMaya();
    await say(ANA, SHOP, 'human');
    expect(bodiesTo(MAYA).at(-1)).toContain('Reply in this chat');
    const toAna = sentTo(ANA).length;

    for (const text of ['# 2 your order shipped', '＃2 your order shipped', '#２ your order shipped', '#  2: your order shipped']) {
      const toMaya = sentTo(MAYA).length;
      await say(MAYA, SHOP, text);
      expect(sentTo(ANA)).toHaveLength(toAna);
      expect(sentTo(MAYA)).toHaveLength(toMaya + 1);
      expect(bodiesTo(MAYA).at(-1)).toContain('is not a conversation number');
    }
    // A phone that starts the line with a direction mark still names #2, which is not Maya's.
    await say(MAYA, SHOP, '\u200f#2 your order shipped');
    expect(sentTo(ANA)).toHaveLength(toAna);
    expect(bodiesTo(MAYA).at(-1)).toContain('#2 is not one of your conversations.');
    // A plain message on the only open conversation still reaches it.
    await say(MAYA, SHOP, 'Hello Ana');
    expect(bodiesTo(ANA).at(-1)).toBe('Hello Ana');
  });
});
