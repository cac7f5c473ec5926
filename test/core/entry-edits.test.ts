import { describe, expect, it } from 'vitest';
import { askedAsOf, entryAskedExactly, keptEntry, learnablePhrasing, phrasingKey } from '../../src/core/entry-edits.js';
import type { KnowledgeEntry } from '../../src/core/entries.js';

const entry: KnowledgeEntry = {
  id: 'doc-1#0',
  documentId: 'doc-1',
  documentTitle: 'FAQ',
  question: 'What are your opening hours?',
  phrasings: ['When are you open?'],
  answer: 'Monday to Saturday, 9am to 6pm.',
};
const learned = (phrasing: string, id = phrasing) => ({ id, phrasing, createdAt: '2026-01-15T12:00:00.000Z' });

describe('an entry with the organization’s changes', () => {
  it('is the document’s entry when nothing changed', () => {
    expect(keptEntry(entry)).toEqual({ ...entry, ownPhrasings: ['When are you open?'], learnedPhrasings: [], edited: false });
  });

  it('takes the parts an edit gives and keeps the others', () => {
    const kept = keptEntry(entry, { question: null, phrasings: null, answer: 'Every day, 8am to 8pm.' });
    expect(kept).toMatchObject({ question: entry.question, phrasings: entry.phrasings, answer: 'Every day, 8am to 8pm.', edited: true });
    const renamed = keptEntry(entry, { question: 'Opening times', phrasings: [], answer: null });
    expect(renamed).toMatchObject({ question: 'Opening times', phrasings: [], ownPhrasings: [], answer: entry.answer });
  });

  it('searches learned phrasings after its own, once, and lists them all', () => {
    const kept = keptEntry(entry, undefined, [learned('r u open sunday'), learned('WHEN are you open')]);
    // "WHEN are you open" is the entry's own phrasing already: listed, not searched twice.
    expect(kept.phrasings).toEqual(['When are you open?', 'r u open sunday']);
    expect(kept.ownPhrasings).toEqual(['When are you open?']);
    expect(kept.learnedPhrasings.map((p) => p.phrasing)).toEqual(['r u open sunday', 'WHEN are you open']);
  });
});

describe('what a pick can teach', () => {
  it('keeps a real question, without the greeting in front of it', () => {
    expect(learnablePhrasing('are you open on sundays?')).toBe('are you open on sundays?');
    expect(learnablePhrasing('Good morning,   can I pay cash on delivery?')).toBe('can I pay cash on delivery?');
    expect(learnablePhrasing('cod option required')).toBe('cod option required');
  });

  it('learns nothing from small talk, a bare word, a number or a long message', () => {
    for (const text of ['thanks', 'thank you so much', 'Good morning sir', '👍', 'refund', 'refund?', '2', 'order 12345', 'hi']) {
      expect(learnablePhrasing(text), text).toBeUndefined();
    }
    expect(learnablePhrasing(`can you deliver ${'a very big wardrobe '.repeat(10)}`)).toBeUndefined();
  });

  it('treats case, spacing and punctuation as the same way of asking', () => {
    expect(phrasingKey('Open on  Sunday?')).toBe(phrasingKey('open on sunday'));
    expect(phrasingKey('open on sunday')).not.toBe(phrasingKey('open on monday'));
  });
});

describe('asked exactly as an entry', () => {
  it('finds the one entry whose question or phrasing the question is, and none when two share it', () => {
    const holiday = { ...entry, id: 'doc-2#0', question: 'What are your holiday hours?', phrasings: ['are you open?'] };
    const prose = { ...entry, id: 'doc-3#0', question: '', phrasings: [] };
    const asked = askedAsOf([entry, holiday, prose]);
    expect(entryAskedExactly(asked, 'Are you open')).toBe('doc-2#0');
    expect(entryAskedExactly(asked, 'when are you open?!')).toBe('doc-1#0');
    expect(entryAskedExactly(asked, 'are you open today?')).toBeUndefined();
    expect(entryAskedExactly(asked, '')).toBeUndefined();
    const taughtBoth = askedAsOf([{ ...entry, phrasings: ['are you open?'] }, holiday]);
    expect(entryAskedExactly(taughtBoth, 'are you open?')).toBeUndefined();
  });
});
