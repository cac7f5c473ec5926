// Uploaded files turned into knowledge-base text: .txt and .md as they are, .html as readable
// text, .csv as "Q:/A:" pairs (so each row is one entry, its extra question columns more phrasings).
import { parse } from 'csv-parse/sync';
import { badRequest } from './errors.js';
import { htmlToText } from './text.js';

export type SourceType = 'json' | 'txt' | 'md' | 'html' | 'csv';

export interface DocumentText {
  title: string;
  content: string;
  sourceType: SourceType;
}

const EXTENSIONS: Record<string, SourceType> = { txt: 'txt', text: 'txt', md: 'md', markdown: 'md', html: 'html', htm: 'html', csv: 'csv' };

const QUESTION_HEADER = /^(questions?|q|query|faq|prompt)$|question/i;
const ANSWER_HEADER = /^(answers?|a|response|reply)$|answer/i;

/** A header naming more ways of asking the row's question ("Question 2", "Other phrasings", "Variations"). */
const PHRASING_HEADER = /question|phrasing|variant|variation|alternat|synonym|also asked/i;

/**
 * "Q: …\nA: …" pairs from a CSV whose header row names a question and an answer column. Further
 * question columns hold more phrasings of the row's question: they join it as "Q: a | b | c".
 */
export function csvToPairs(csv: string): string {
  let rows: string[][];
  try {
    rows = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (err) {
    throw badRequest(`The CSV file could not be read: ${(err as Error).message.split('\n')[0]}`, 'INVALID_FILE');
  }
  const header = rows[0] ?? [];
  const q = header.findIndex((h) => QUESTION_HEADER.test(h));
  const a = header.findIndex((h, i) => i !== q && ANSWER_HEADER.test(h));
  if (q < 0 || a < 0) {
    throw badRequest('The CSV file needs a header row with a "question" column and an "answer" column.', 'INVALID_FILE');
  }
  const more = header.flatMap((h, i) => (i !== q && i !== a && PHRASING_HEADER.test(h) && !ANSWER_HEADER.test(h) ? [i] : []));
  return rows
    .slice(1)
    .filter((row) => row[q] && row[a])
    .map((row) => {
      const question = [row[q]!, ...more.map((i) => row[i] ?? '')].map((cell) => cell.replace(/\s+/g, ' ').trim()).filter(Boolean);
      return `Q: ${question.join(' | ')}\nA: ${row[a]}`;
    })
    .join('\n\n');
}

/**
 * The page's `<title>`, as `/<title[^>]*>([\s\S]*?)<\/title>/i` finds it but in one pass: that
 * pattern rescans the rest of the page from every `<title` when there is no `>` or `</title>`.
 * Only the first `<title` can match: a later one has no `>` or `</title>` after it either.
 */
function titleOf(html: string): string | undefined {
  const open = /<title/gi;
  if (!open.test(html)) return undefined;
  const tagEnd = html.indexOf('>', open.lastIndex);
  if (tagEnd < 0) return undefined;
  const close = /<\/title>/gi;
  close.lastIndex = tagEnd + 1;
  const end = close.exec(html);
  return end ? html.slice(tagEnd + 1, end.index) : undefined;
}

/** The text of an uploaded file, by its extension; anything else is a 400 naming what is accepted. */
export function documentFromFile(filename: string, data: Buffer, title?: string): DocumentText {
  const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  const sourceType = EXTENSIONS[extension];
  if (!sourceType) {
    throw badRequest(
      `Files of this type cannot be added${extension ? ` (.${extension})` : ''}; upload a .txt, .md, .html or .csv file.`,
      'UNSUPPORTED_FILE_TYPE',
    );
  }
  if (data.includes(0)) throw badRequest('This file is not text; upload a .txt, .md, .html or .csv file.', 'UNSUPPORTED_FILE_TYPE');
  const raw = data.toString('utf8').replace(/^\uFEFF/, '');
  const content = sourceType === 'html' ? htmlToText(raw) : sourceType === 'csv' ? csvToPairs(raw) : raw;
  const htmlTitle = sourceType === 'html' ? titleOf(raw) : undefined;
  const name =
    title?.trim() ||
    htmlToText(htmlTitle ?? '') ||
    filename
      .replace(/\.[^.]+$/, '')
      .replace(/[-_]+/g, ' ')
      .trim() ||
    filename;
  return { title: name.slice(0, 200), content, sourceType };
}
