import { describe, expect, it } from 'vitest';
import { isGraphId, isWamid, metaRecipient, parseWaId } from '../../src/providers/meta/ids.js';
import { isAccountSid, isContentSid, isMessageSid, isPhoneNumberSid, parseTwilioAddress, toTwilioAddress } from '../../src/providers/twilio/ids.js';
import { chatIdToE164, isGroupOrNewsletterChatId, isPersonalChatId, isWhapiChannelId, isWhapiMessageId, toWhapiChatId } from '../../src/providers/whapi/ids.js';

const HEX32 = '1b2c3d4e5f60718293a4b5c6d7e8f901';

describe('Twilio ids', () => {
  it('accepts 34-character SIDs with the right prefix only', () => {
    expect(isMessageSid(`SM${HEX32}`)).toBe(true);
    expect(isMessageSid(`MM${HEX32}`)).toBe(true);
    expect(isMessageSid(`PN${HEX32}`)).toBe(false);
    expect(isMessageSid(`SM${HEX32}0`)).toBe(false);
    expect(isMessageSid(`SM${HEX32.slice(1)}`)).toBe(false);
    expect(isMessageSid(`SM${HEX32.slice(1)}z`)).toBe(false);
    expect(isPhoneNumberSid(`PN${HEX32}`)).toBe(true);
    expect(isPhoneNumberSid(`SM${HEX32}`)).toBe(false);
    expect(isAccountSid(`AC${HEX32}`)).toBe(true);
    expect(isContentSid(`HX${HEX32}`)).toBe(true);
    expect(isContentSid('order_update')).toBe(false);
  });

  it('builds and parses whatsapp: addresses', () => {
    expect(toTwilioAddress('+5511987654321')).toBe('whatsapp:+5511987654321');
    expect(toTwilioAddress('551187654321')).toBe('whatsapp:+5511987654321');
    expect(toTwilioAddress('US.13491208655302741918')).toBe('whatsapp:US.13491208655302741918');
    expect(() => toTwilioAddress('not a number')).toThrow(/Not a WhatsApp number/);
    expect(parseTwilioAddress('whatsapp:+14155550123')).toEqual({ phone: '+14155550123' });
    expect(parseTwilioAddress('+14155550123')).toBeUndefined();
    expect(parseTwilioAddress('whatsapp:+1')).toBeUndefined();
    expect(parseTwilioAddress(undefined)).toBeUndefined();
  });
});

describe('Meta ids', () => {
  it('recognizes wamids and Graph ids', () => {
    expect(isWamid('wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTdCRjE5NjU3MDlGQ0E1RDQ4MwA=')).toBe(true);
    expect(isWamid('HBgLMTYzMTU1NTExODEVAgASGBQz')).toBe(false);
    expect(isWamid('wamid.')).toBe(false);
    expect(isWamid('wamid.abc def')).toBe(false);
    expect(isGraphId('106540352242922')).toBe(true);
    expect(isGraphId('10654035224292a')).toBe(false);
    expect(isGraphId('../me')).toBe(false);
  });

  it('turns wa_id digits and BSUIDs into addresses and recipients', () => {
    expect(parseWaId('16315551181')).toEqual({ phone: '+16315551181' });
    expect(parseWaId('US.13491208655302741918')).toEqual({ externalId: 'US.13491208655302741918' });
    expect(metaRecipient('+16315551181')).toEqual({ to: '16315551181' });
    expect(metaRecipient('US.13491208655302741918')).toEqual({ recipient: 'US.13491208655302741918' });
    expect(metaRecipient('??')).toBeUndefined();
  });
});

describe('Whapi ids', () => {
  it('maps personal chat ids to E.164 and back, never groups', () => {
    expect(isPersonalChatId('14155552671@s.whatsapp.net')).toBe(true);
    expect(chatIdToE164('14155552671@s.whatsapp.net')).toBe('+14155552671');
    expect(chatIdToE164('120363025246125486@g.us')).toBeUndefined();
    expect(isGroupOrNewsletterChatId('120363025246125486@g.us')).toBe(true);
    expect(isGroupOrNewsletterChatId('120363171744447809@newsletter')).toBe(true);
    expect(toWhapiChatId('+14155552671')).toBe('14155552671@s.whatsapp.net');
  });

  it('accepts opaque message ids and rejects junk', () => {
    expect(isWhapiMessageId('p.w30M7fgwWD4XwHu.g4CA-gBgTwl0rVw')).toBe(true);
    expect(isWhapiMessageId('PsqRjWan5_eRi84-wAkFnOGqDQ')).toBe(true);
    expect(isWhapiMessageId('a b')).toBe(false);
    expect(isWhapiMessageId('')).toBe(false);
    expect(isWhapiChannelId('ACMEGEAR-7QK2X')).toBe(true);
    expect(isWhapiChannelId('ACME GEAR')).toBe(false);
  });
});
