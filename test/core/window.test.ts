// The 24-hour customer service window.
import { describe, expect, it } from 'vitest';
import { isFreeForm, isWindowOpen, SERVICE_WINDOW_MS } from '../../src/core/window.js';

describe('isWindowOpen', () => {
  const now = new Date('2026-01-15T12:00:00Z');
  it('is open for 24 hours after the customer last wrote, and closed after', () => {
    expect(isWindowOpen('2026-01-14T12:00:01Z', now)).toBe(true);
    expect(isWindowOpen(new Date(now.getTime() - SERVICE_WINDOW_MS), now)).toBe(false);
    expect(isWindowOpen('2026-01-13T12:00:00Z', now)).toBe(false);
  });
  it('is closed when the customer never wrote or the time is unreadable', () => {
    expect(isWindowOpen(null, now)).toBe(false);
    expect(isWindowOpen(undefined, now)).toBe(false);
    expect(isWindowOpen('not a time', now)).toBe(false);
  });
});

describe('isFreeForm', () => {
  it('treats text and media as free-form, templates not', () => {
    expect(isFreeForm({})).toBe(true);
    expect(isFreeForm({ template: { name: 'x' } })).toBe(false);
  });
});
