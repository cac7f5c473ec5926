import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDigits, e164Digits, isExternalId, parseWhatsappAddress, toE164 } from '../../src/core/phone.js';

describe('toE164', () => {
  it('reads every provider spelling of one number as the same E.164', () => {
    for (const written of [
      '+14155552671',
      '14155552671',
      'whatsapp:+14155552671',
      'WhatsApp:+14155552671',
      '14155552671@s.whatsapp.net',
      '14155552671@c.us',
      '+1 (415) 555-2671',
    ]) {
      expect(toE164(written), written).toBe('+14155552671');
    }
  });

  it('keeps test ranges that libphonenumber calls invalid but possible (+1 555 senders)', () => {
    expect(toE164('15550783881')).toBe('+15550783881');
  });

  it('adds the Brazilian ninth digit to an 8-digit mobile, leaves landlines alone', () => {
    expect(toE164('551187654321')).toBe('+5511987654321');
    expect(toE164('whatsapp:+5511987654321')).toBe('+5511987654321');
    expect(toE164('+551132654321')).toBe('+551132654321');
  });

  it('writes Argentine mobiles with the 9 after 54, whichever form arrives', () => {
    expect(toE164('5491123456789')).toBe('+5491123456789');
    expect(toE164('+541123456789')).toBe('+5491123456789');
  });

  it('drops the abolished Mexican mobile 1 that wa_id still carries', () => {
    expect(toE164('5215512345678')).toBe('+525512345678');
    expect(toE164('+525512345678')).toBe('+525512345678');
  });

  it('rejects what is not a number', () => {
    for (const bad of ['', '123', '+123', '+999123456789', 'hello', '+1415555267a', '1234567890123456', '120363025246125486@g.us', 'whatsapp:']) {
      expect(toE164(bad), bad).toBeUndefined();
    }
  });
});

describe('canonicalDigits', () => {
  it('changes only the documented variants', () => {
    expect(canonicalDigits('551187654321')).toBe('5511987654321');
    expect(canonicalDigits('541123456789')).toBe('5491123456789');
    expect(canonicalDigits('5215512345678')).toBe('525512345678');
    expect(canonicalDigits('14155552671')).toBe('14155552671');
    expect(canonicalDigits('447911123456')).toBe('447911123456');
  });
});

describe('parseWhatsappAddress', () => {
  it('gives a phone for numbers', () => {
    expect(parseWhatsappAddress('whatsapp:+5511987654321')).toEqual({ phone: '+5511987654321' });
    expect(parseWhatsappAddress('16315551181')).toEqual({ phone: '+16315551181' });
  });

  it('gives an external id for usernames and BSUIDs, which carry no phone', () => {
    expect(parseWhatsappAddress('US.13491208655302741918')).toEqual({ externalId: 'US.13491208655302741918' });
    expect(parseWhatsappAddress('whatsapp:US.13491208655302741918')).toEqual({ externalId: 'US.13491208655302741918' });
    expect(parseWhatsappAddress('@kai.outdoors')).toEqual({ externalId: 'kai.outdoors' });
    expect(isExternalId('kai_outdoors')).toBe(true);
  });

  it('rejects bad ids', () => {
    for (const bad of [undefined, null, '', '   ', '123', '<script>', 'a b', 'whatsapp:+12', 'x'.repeat(80)]) {
      expect(parseWhatsappAddress(bad as string), String(bad)).toBeUndefined();
    }
  });
});

describe('e164Digits', () => {
  it('drops the plus for Meta and Whapi', () => {
    expect(e164Digits('+5511987654321')).toBe('5511987654321');
  });
});

describe('normalization properties', () => {
  const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));

  it('is idempotent: a normalized number normalizes to itself', () => {
    fc.assert(
      fc.property(fc.constantFrom('1', '44', '55', '54', '52', '49', '91'), digits(10), (country, rest) => {
        const once = toE164(`+${country}${rest}`);
        if (once !== undefined) expect(toE164(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('folds both Brazilian mobile forms onto one number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 11, max: 99 }), fc.constantFrom('6', '7', '8', '9'), digits(7), (area, first, rest) => {
        expect(toE164(`55${area}${first}${rest}`)).toBe(toE164(`55${area}9${first}${rest}`));
      }),
    );
  });

  it('folds both Argentine mobile forms onto one number', () => {
    fc.assert(
      fc.property(fc.constantFrom('11', '221', '351', '261'), digits(10), (area, rest) => {
        const national = `${area}${rest}`.slice(0, 10);
        expect(toE164(`54${national}`)).toBe(toE164(`549${national}`));
      }),
    );
  });
});
