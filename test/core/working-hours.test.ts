import { describe, expect, it } from 'vitest';
import { isWithinWorkingHours, nextOpening, type WorkingHours } from '../../src/core/working-hours.js';

// Monday to Friday, 09:00–17:00 in Berlin (UTC+1 in January, UTC+2 in July).
const berlin: WorkingHours = { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

describe('working hours', () => {
  it('reads the time in the widget time zone, not UTC', () => {
    // Thursday 2026-01-15 08:30 UTC is 09:30 in Berlin.
    expect(isWithinWorkingHours(berlin, new Date('2026-01-15T08:30:00Z'))).toBe(true);
    // 07:30 UTC is 08:30 in Berlin: not yet open.
    expect(isWithinWorkingHours(berlin, new Date('2026-01-15T07:30:00Z'))).toBe(false);
    // In summer Berlin is UTC+2: 07:30 UTC is 09:30.
    expect(isWithinWorkingHours(berlin, new Date('2026-07-16T07:30:00Z'))).toBe(true);
  });

  it('treats the end minute and days off as closed, and no hours as always open', () => {
    expect(isWithinWorkingHours(berlin, new Date('2026-01-15T16:00:00Z'))).toBe(false); // 17:00 Berlin
    expect(isWithinWorkingHours(berlin, new Date('2026-01-17T10:00:00Z'))).toBe(false); // Saturday
    expect(isWithinWorkingHours(null, new Date('2026-01-17T03:00:00Z'))).toBe(true);
  });

  it('says when agents are back', () => {
    expect(nextOpening(berlin, new Date('2026-01-15T06:00:00Z'))).toBe('today at 09:00 (Europe/Berlin)');
    expect(nextOpening(berlin, new Date('2026-01-14T18:00:00Z'))).toBe('tomorrow at 09:00 (Europe/Berlin)');
    // Friday evening → Monday.
    expect(nextOpening(berlin, new Date('2026-01-16T18:00:00Z'))).toBe('Monday at 09:00 (Europe/Berlin)');
    // A day late in UTC can already be the next day in Tokyo.
    const tokyo: WorkingHours = { timeZone: 'Asia/Tokyo', days: [1], start: '10:00', end: '12:00' };
    expect(nextOpening(tokyo, new Date('2026-01-18T23:30:00Z'))).toBe('today at 10:00 (Asia/Tokyo)'); // Monday 08:30 Tokyo
  });
});
