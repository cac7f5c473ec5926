// Passages have a maximum length (issue 20): text with no sentence end — 200 KB of one character
// in an .html, a paragraph of words with no full stop — is cut, so no passage reaches the sentence
// encoder whole; questions and headings are cut too.
import { describe, expect, it } from 'vitest';
import { MAX_PASSAGE_CHARACTERS, MAX_QUESTION_CHARACTERS } from '../../src/core/chunking.js';
import { chunksOfEntries, entriesOfDocument } from '../../src/core/entries.js';
import { documentFromFile } from '../../src/core/documents.js';
import { meaningText } from '../../src/core/meaning.js';

const longest = (values: string[]) => Math.max(...values.map((v) => v.length));
const chunkDocument = (doc: { id: string; title: string; content: string }) => chunksOfEntries(entriesOfDocument(doc));

describe('passage length', () => {
  it('cuts 200 KB of one character uploaded as an .html into passages of at most the maximum', () => {
    const doc = documentFromFile('page.html', Buffer.from('<'.repeat(200_000)));
    expect(doc.content).toHaveLength(200_000);
    const chunks = chunkDocument({ id: 'd1', title: doc.title, content: doc.content });
    const characters = chunks.reduce((sum, c) => sum + c.text.length, 0);
    expect(chunks.length).toBeGreaterThan(1);
    expect(longest(chunks.map((c) => c.text))).toBeLessThanOrEqual(MAX_PASSAGE_CHARACTERS);
    // Cut, not dropped: every character is in a passage.
    expect(characters).toBe(doc.content.length);
  });

  it('cuts a long paragraph without full stops at spaces, keeping words whole', () => {
    const words = Array.from({ length: 3_000 }, (_, i) => `word${i}`);
    const chunks = chunkDocument({ id: 'd2', title: 'Run-on', content: words.join(' ') });
    expect(longest(chunks.map((c) => c.text))).toBeLessThanOrEqual(MAX_PASSAGE_CHARACTERS);
    expect(chunks.flatMap((c) => c.text.split(' '))).toEqual(words);
  });

  it('cuts an endless question, so what the encoder reads stays bounded', () => {
    const content = `# ${'h'.repeat(50_000)}\n\nQ: ${'x'.repeat(100_000)}\nA: We open at nine.`;
    const chunks = chunkDocument({ id: 'd3', title: 'Endless', content });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.question.length).toBeLessThanOrEqual(MAX_QUESTION_CHARACTERS);
    expect(chunks[0]!.text).toBe('We open at nine.');
    expect(meaningText(chunks[0]!).length).toBeLessThanOrEqual(MAX_QUESTION_CHARACTERS + MAX_PASSAGE_CHARACTERS + 1);
  });

  it('leaves ordinary passages as they were', () => {
    const content = 'We open at nine. We close at six on weekdays.\n\nQ: Do you rent tandems?\nA: Yes, two of them.';
    expect(chunkDocument({ id: 'd4', title: 'Hours', content }).map((c) => [c.question, c.text])).toEqual([
      ['', 'We open at nine. We close at six on weekdays.'],
      ['Do you rent tandems?', 'Yes, two of them.'],
    ]);
  });
});
