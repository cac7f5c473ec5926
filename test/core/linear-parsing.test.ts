// No text stalls the process: the inputs that froze it (a heading padded with 10,000 spaces, a page
// of `<`, unclosed tags, a long number) are read in time proportional to their length, and read
// the same as the patterns they replace read ordinary text — so trained indexes do not change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHeading, parsePair } from '../../src/core/chunking.js';
import { chunksOfEntries, entriesOfDocument } from '../../src/core/entries.js';
import { csvToPairs, documentFromFile } from '../../src/core/documents.js';
import { passageFacts } from '../../src/core/intent.js';
import { buildIndex, loadIndex } from '../../src/core/retrieval.js';
import { htmlToText, tokenize } from '../../src/core/text.js';
import { bareLexicon } from '../support/lexicon.js';

/** Runs `read` on `kilobytes` of input and fails when it took longer than a generous bound for that size. */
function withinBound<T>(kilobytes: number, read: () => T): T {
  const started = performance.now();
  const result = read();
  const ms = performance.now() - started;
  // 2 ms a kilobyte on top of half a second: about 50 times what a loaded 2-core machine needs.
  expect(ms, `${ms.toFixed(0)} ms for ${kilobytes.toFixed(0)} KB`).toBeLessThan(500 + 2 * kilobytes);
  return result;
}

const kb = (text: string) => text.length / 1024;
/** Equality of long texts, reported by where they first differ rather than in full. */
function expectSameText(actual: string, expected: string) {
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  expect(
    i === actual.length && i === expected.length,
    `differ at ${i} of ${actual.length}/${expected.length}: ${JSON.stringify(actual.slice(i, i + 40))}`,
  ).toBe(true);
}
const doc = (content: string) => ({ id: 'd', title: 'Page', content });
const chunkDocument = (d: { id: string; title: string; content: string }) => chunksOfEntries(entriesOfDocument(d));
const noLexicon = bareLexicon();

describe('inputs that took minutes are read in linear time', () => {
  it('a heading padded with 10,000 spaces (the heading pattern was cubic: minutes)', () => {
    const spaces = ' '.repeat(10_000);
    const content = `# a${spaces}x\n\nWe open at 9am.\n\n## Closing ${'#'.repeat(5000)}${spaces}\n\nWe close at 6pm.`;
    const chunks = withinBound(kb(content), () => chunkDocument(doc(content)));
    // A heading names its section's entry, its run of spaces one space.
    expect(chunks.map((c) => [c.question, c.text])).toEqual([
      ['a x', 'We open at 9am.'],
      ['Closing', 'We close at 6pm.'],
    ]);
  });

  it('a question line with 300,000 spaces and no answer (the pair pattern was quadratic)', () => {
    const content = `Q:${' '.repeat(300_000)}x\n\nQ: Do you rent bikes?${' '.repeat(300_000)}\nA: Yes.`;
    const chunks = withinBound(kb(content), () => chunkDocument(doc(content)));
    // The endless line is cut into passages of at most 1,200 characters: at its spaces, which go.
    expect(chunks.map((c) => [c.question, c.text])).toEqual([
      ['', 'Q:'],
      ['', 'x'],
      ['Do you rent bikes?', 'Yes.'],
    ]);
  });

  it('200 KB and 5 MB of `<` (every tag scan ran to the end of the page: 26 s and hours)', () => {
    for (const size of [200 * 1024, 5 * 1024 * 1024]) {
      const page = '<'.repeat(size);
      const { content } = withinBound(kb(page), () => documentFromFile('page.html', Buffer.from(page)));
      // A `<` that no `>` closes is text, as before.
      expectSameText(content, page);
    }
  });

  it('unclosed <h1>, <script>, <title>, <li and comments, 50,000 of each', () => {
    const cases: [string, string][] = [
      ['<h1>'.repeat(50_000), ''],
      ['<script>'.repeat(50_000), ''],
      ['<li'.repeat(50_000), '<li'.repeat(50_000)],
      [`<p>Hello</p>${'<!--'.repeat(50_000)}`, `Hello\n\n${'<!--'.repeat(50_000)}`],
    ];
    for (const [page, text] of cases)
      expectSameText(
        withinBound(kb(page), () => htmlToText(page)),
        text,
      );
    const titles = `<head><title>Shop</title></head>${'<title>'.repeat(50_000)}<p>Bikes</p>`;
    expect(withinBound(kb(titles), () => documentFromFile('t.html', Buffer.from(titles)))).toMatchObject({ title: 'Shop', content: 'Bikes' });
    const unclosedTitle = `<p>Bikes</p>${'<title>'.repeat(50_000)}`;
    expect(withinBound(kb(unclosedTitle), () => documentFromFile('bikes-page.html', Buffer.from(unclosedTitle))).title).toBe('bikes page');
  });

  it('a CSV of one 4 MB quoted field', () => {
    const answer = 'Yes, we do, "really".'.repeat(190_000);
    const csv = `question,answer\nDo you rent bikes?,"${answer.replace(/"/g, '""')}"\n`;
    expectSameText(
      withinBound(kb(csv), () => csvToPairs(csv)),
      `Q: Do you rent bikes?\nA: ${answer}`,
    );
  });

  it('Markdown of 100,000 `*`, `_` and `[`, 1 MB of spaces, and 20,000 nested list items', () => {
    const marks = '*_['.repeat(33_334);
    // Passages of at most 1,200 characters (core/chunking.ts), every character kept.
    const marked = withinBound(kb(marks), () => chunkDocument(doc(marks)));
    expect(Math.max(...marked.map((c) => c.text.length))).toBeLessThanOrEqual(1_200);
    expectSameText(marked.map((c) => c.text).join(''), marks);
    const spaces = ' '.repeat(1024 * 1024);
    expect(withinBound(kb(spaces), () => chunkDocument(doc(spaces)))).toEqual([]);
    const list = Array.from({ length: 20_000 }, (_, i) => `${'  '.repeat(i % 100)}- item ${i}`).join('\n');
    // Cut at line breaks into passages of at most 1,200 characters, every item kept whole.
    const chunks = withinBound(kb(list), () => chunkDocument(doc(list)));
    expect(Math.max(...chunks.map((c) => c.text.length))).toBeLessThanOrEqual(1_200);
    const items = chunks.flatMap((c) => c.text.split('\n'));
    expect(items).toHaveLength(20_000);
    expect(items.join('\n')).toMatch(/^- item 0\n- item 1\n.*- item 19999$/s);
  });

  it('a passage of a 100,000-digit number (the duration pattern was quadratic: 10 s)', () => {
    const { indexJson, chunksJson } = buildIndex(entriesOfDocument(doc(`${'1'.repeat(100_000)}\n\nDelivery takes 2-3 days.`)));
    const index = withinBound(100, () => loadIndex(indexJson, chunksJson, noLexicon));
    // The number is cut into passages of at most 1,200 digits; none is a duration, the delivery time is.
    const durations = [...index.passages.values()].map((p) => p.facts.duration);
    expect(durations.at(-1)).toBe(true);
    expect(durations.slice(0, -1).every((d) => d === false)).toBe(true);
    expect(durations.length).toBeGreaterThan(80);
  });

  it('a word of 300,000 hyphenated parts (it overflowed the call stack)', () => {
    const word = 'a-'.repeat(300_000);
    const tokens = withinBound(kb(word), () => tokenize(word));
    expect(tokens).toHaveLength(300_001);
    expect(tokens.at(-1)).toBe('a'.repeat(300_000));
  });
});

// The patterns the parsers replace, kept here as the reference: on text short enough for them,
// both must read everything alike, so an index trained today equals yesterday's.
const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const QA_PAIR = /^\s*(?:q|question)\s*[:.)\-–]\s*([\s\S]+?)\n\s*(?:a|answer)\s*[:.)\-–]\s*([\s\S]+)$/i;
const DURATION =
  /\b\d+(?:[.,]\d+)?\s?(?:[-–]|to)?\s?\d*\s?(?:minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?)\b|\b(?:an?|one|two|three|four|five|six|seven|ten|twelve|fourteen|thirty)\s(?:minutes?|hours?|days?|weeks?|months?|years?)\b|\bsame[- ]day\b|\bovernight\b/i;

function referenceHtmlToText(html: string): string {
  const entities: Record<string, string> = {
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    nbsp: ' ',
    hellip: '…',
    mdash: '—',
    ndash: '–',
    euro: '€',
    pound: '£',
  };
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|head|template|svg|iframe)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(
      /<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi,
      (_m, level: string, inner: string) => `\n\n${'#'.repeat(Number(level))} ${inner.replace(/<[^>]*>/g, ' ').trim()}\n\n`,
    )
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|section|article|ul|ol|table|tr|blockquote|pre|header|footer|main|aside|dd|dt)\s*>/gi, '\n\n')
    .replace(/<\/(td|th)\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, code: string) => {
      if (code[0] === '#') {
        const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
        return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : ' ';
      }
      return entities[code.toLowerCase()] ?? m;
    })
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const textOf = (pieces: string[]) => fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join(''));

describe('the linear parsers read text as the patterns they replace', () => {
  it('headings', () => {
    const line = textOf(['#', '##', '#######', ' ', '  ', '\t', 'a', 'x?', '\u2028', '\u00a0', '\ufeff']);
    fc.assert(
      fc.property(line, (text) => {
        const match = HEADING.exec(text);
        expect(parseHeading(text)).toEqual(match ? { level: match[1]!.length, text: match[2]!.trim() } : undefined);
      }),
      { numRuns: 20_000 },
    );
  });

  it('question/answer blocks (trimmed lines, none empty, as chunking makes them)', () => {
    const lines = fc.array(textOf(['Q', 'q', 'Question', 'A', 'a', 'answer', 'ANSWER', ':', '.', ')', '-', '–', ' ', '\u2028', 'x', 'why?']), { maxLength: 6 });
    const block = lines.map((ls) =>
      ls
        .map((l) => l.trim())
        .filter(Boolean)
        .join('\n'),
    );
    fc.assert(
      fc.property(block, (text) => {
        const match = QA_PAIR.exec(text);
        expect(parsePair(text)).toEqual(match ? { question: match[1], answer: match[2]!.trim() } : undefined);
      }),
      { numRuns: 20_000 },
    );
  });

  it('whole documents', () => {
    const content = textOf(['#', '##', ' ', '\n', '\n\n', '\r\n', 'a', 'Hi.', 'Q:', 'A:', 'x?', 'Question -', 'answer)', '\u2028']);
    fc.assert(
      fc.property(content, (text) => {
        const entries = entriesOfDocument(doc(text));
        const chunks = chunksOfEntries(entries);
        for (const chunk of chunks) expect(chunk.text).not.toBe('');
        expect(entries.map((e) => e.id)).toEqual(entries.map((_, i) => `d#${i}`));
        for (const chunk of chunks) expect(chunk.id.startsWith(`${chunk.entryId}/`)).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('HTML', () => {
    const page = textOf([
      '<',
      '>',
      '</',
      '/',
      ' ',
      '\n',
      'x',
      'h1',
      'H2',
      'script',
      'SCRIPT',
      'style',
      'head',
      'header',
      'li',
      'br',
      'p',
      'pre',
      'td',
      '<!--',
      '-->',
      '&amp;',
      '&#65;',
      '&',
      ';',
      '<h1>',
      '</h1>',
      '<h2 a>',
      '</h2 >',
      '<li>',
      '<br/>',
      '</p>',
      '<script>',
      '</script>',
      '<svg>',
      '</svg>',
    ]);
    fc.assert(
      fc.property(page, (html) => {
        expect(htmlToText(html)).toBe(referenceHtmlToText(html));
      }),
      { numRuns: 30_000 },
    );
  });

  it('durations in passages', () => {
    const text = textOf(['1', '22', '.', ',', ' ', '  ', '-', '–', 'to', 'TO', 'days', 'hour', 'x', 'one', 's', '\n']);
    fc.assert(
      fc.property(text, (t) => {
        expect(passageFacts(t).duration).toBe(DURATION.test(t));
      }),
      { numRuns: 20_000 },
    );
  });
});
