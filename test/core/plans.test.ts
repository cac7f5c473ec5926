import { describe, expect, it } from 'vitest';
import { DEFAULT_PLANS, isMonth, mergePlans, monthOf, monthRange, monthsEndingWith, planOf, planTableOverride } from '../../src/core/plans.js';
import { newJoinCode, parseJoinCommand } from '../../src/core/join.js';

describe('plans', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_PLANS.trial).toMatchObject({ price: 0, messageLimit: 50, dedicatedNumber: false });
    expect(DEFAULT_PLANS.starter).toMatchObject({ price: 15, messageLimit: 500, dedicatedNumber: true });
    expect(DEFAULT_PLANS.business).toMatchObject({ price: 50, messageLimit: 2000, llmAnswers: true });
  });

  it('lays an override over the defaults and rejects unknown fields', () => {
    const table = mergePlans(planTableOverride.parse({ starter: { messageLimit: 800 } }));
    expect(table.starter).toEqual({ ...DEFAULT_PLANS.starter, messageLimit: 800 });
    expect(table.business).toEqual(DEFAULT_PLANS.business);
    expect(planTableOverride.safeParse({ gold: {} }).success).toBe(false);
    expect(planTableOverride.safeParse({ trial: { messageLimit: -1 } }).success).toBe(false);
  });

  it('treats an unknown stored plan as trial', () => {
    expect(planOf('platinum').name).toBe('trial');
    expect(planOf('business').plan.messageLimit).toBe(2000);
  });
});

describe('months', () => {
  it('spans a calendar month in UTC, across the year end', () => {
    expect(monthRange('2026-12')).toEqual({ start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' });
    expect(monthOf(new Date('2026-01-31T23:59:59.999Z'))).toBe('2026-01');
    expect(monthOf(new Date('2026-02-01T00:00:00.000Z'))).toBe('2026-02');
    expect(monthsEndingWith('2026-02', 3)).toEqual(['2025-12', '2026-01', '2026-02']);
  });

  it('recognises only YYYY-MM', () => {
    for (const good of ['2026-01', '1999-12']) expect(isMonth(good)).toBe(true);
    for (const bad of ['2026-13', '2026-1', '26-01', '2026-00', '2026-01-01']) expect(isMonth(bad)).toBe(false);
    expect(() => monthRange('2026-13')).toThrow(RangeError);
  });
});

describe('join codes', () => {
  it('are two words, widened with a number after repeated collisions', () => {
    let seed = 0.1;
    const random = () => (seed = (seed * 9301 + 0.49297) % 1);
    expect(newJoinCode(random)).toMatch(/^[a-z]+-[a-z]+$/);
    expect(newJoinCode(random, 3)).toMatch(/^[a-z]+-[a-z]+-\d{3}$/);
  });

  it('are read from "join <code>" whatever the case and spacing', () => {
    expect(parseJoinCommand('join amber-otter')).toBe('amber-otter');
    expect(parseJoinCommand('  JOIN   Amber-Otter  ')).toBe('amber-otter');
    expect(parseJoinCommand('Join\tbold-fox-123')).toBe('bold-fox-123');
    expect(parseJoinCommand('please join amber-otter')).toBeUndefined();
    expect(parseJoinCommand('join')).toBeUndefined();
    expect(parseJoinCommand('join two words')).toBeUndefined();
    expect(parseJoinCommand(null)).toBeUndefined();
  });
});
