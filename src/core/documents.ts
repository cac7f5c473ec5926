// Uploaded files turned into knowledge-base text: .txt and .md as they are, .html as readable
// text, .csv as "Q:/A:" pairs (so each row is one entry, its extra question columns more phrasings),
// .pdf as its pages' text and .docx as Markdown (its headings kept, so entries split at them). PDF
// and DOCX are read by their libraries in a thread (services/knowledge/document-files.ts); the
// sentences for a file they cannot read are here.
import { parse } from 'csv-parse/sync';
import { badRequest } from './errors.js';
import { htmlToText } from './text.js';

export type SourceType = 'json' | 'txt' | 'md' | 'html' | 'csv' | 'pdf' | 'docx';
/** Files read by a library rather than as text. */
export type BinarySourceType = 'pdf' | 'docx';

export interface DocumentText {
  title: string;
  content: string;
  sourceType: SourceType;
}

const EXTENSIONS: Record<string, SourceType> = {
  txt: 'txt',
  text: 'txt',
  md: 'md',
  markdown: 'md',
  html: 'html',
  htm: 'html',
  csv: 'csv',
  pdf: 'pdf',
  docx: 'docx',
};

/** What the sentences about uploads list as accepted. */
export const ACCEPTED_FILES = '.txt, .md, .html, .csv, .pdf or .docx';

/** Why a PDF or DOCX could not be read, as its reader says (document-reader-worker.mjs). */
export type ReadFailure =
  | { failure: 'encrypted' | 'not-pdf' | 'not-docx' | 'unreadable' | 'too-slow'; detail?: string }
  | { failure: 'too-many-pages'; pages: number }
  | { failure: 'too-long'; characters: number };

/** The 400 for a PDF or DOCX that cannot be read, naming why. */
export function unreadableFile(type: BinarySourceType, read: ReadFailure, limits: { maxPages: number; maxCharacters: number }) {
  const kind = type === 'pdf' ? 'PDF' : 'DOCX';
  switch (read.failure) {
    case 'encrypted':
      return badRequest('The PDF is encrypted (protected by a password); save it without protection and upload it again.', 'ENCRYPTED_FILE');
    case 'not-pdf':
      return badRequest('The file is not a readable PDF (its structure is broken or it is another kind of file).', 'INVALID_FILE');
    case 'not-docx':
      return badRequest('The file is not a DOCX document (a Word file saved as .docx); an older .doc must be saved as .docx first.', 'INVALID_FILE');
    case 'too-many-pages':
      return badRequest(`The PDF has ${read.pages} pages; at most ${limits.maxPages} are read. Split it into several.`, 'DOCUMENT_TOO_LARGE');
    case 'too-long':
      return badRequest(
        `The ${kind} holds more than ${limits.maxCharacters} characters of text, the most a document may have. Split it into several.`,
        'DOCUMENT_TOO_LARGE',
      );
    case 'too-slow':
      return badRequest(`The ${kind} took too long to read; split it into smaller files.`, 'INVALID_FILE');
    default:
      return badRequest(`The ${kind} could not be read${read.detail ? ` (${read.detail})` : ''}.`, 'INVALID_FILE');
  }
}

/** The file's type by its extension; anything else is a 400 naming what is accepted. */
export function sourceTypeOf(filename: string): SourceType {
  const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  const sourceType = EXTENSIONS[extension];
  if (!sourceType) {
    throw badRequest(`Files of this type cannot be added${extension ? ` (.${extension})` : ''}; upload a ${ACCEPTED_FILES} file.`, 'UNSUPPORTED_FILE_TYPE');
  }
  return sourceType;
}

/** A PDF's text or a DOCX's HTML as its reader gave it, as knowledge-base text; a 400 when there is none. */
export function documentFromRead(filename: string, type: BinarySourceType, read: string, title?: string): DocumentText {
  // A PDF's lines come with the layout's spacing; a DOCX comes as HTML, its headings as Markdown's.
  const content = (type === 'docx' ? htmlToText(read) : read.replace(/[ \t\f\v\u00a0]+/g, ' ').replace(/ *\n */g, '\n')).replace(/\n{3,}/g, '\n\n').trim();
  if (!content) {
    const why = type === 'pdf' ? 'The PDF has no text to read (a scan of pages is only pictures of text)' : 'The DOCX has no text';
    throw badRequest(`${why}; upload a document with text in it.`, 'EMPTY_DOCUMENT');
  }
  return { title: documentTitle(filename, title), content, sourceType: type };
}

function documentTitle(filename: string, title?: string, fromFile?: string): string {
  const name =
    title?.trim() ||
    fromFile ||
    filename
      .replace(/\.[^.]+$/, '')
      .replace(/[-_]+/g, ' ')
      .trim() ||
    filename;
  return name.slice(0, 200);
}

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

/** The text of an uploaded text file (.txt, .md, .html, .csv), by its extension. */
export function documentFromFile(filename: string, data: Buffer, title?: string): DocumentText {
  const sourceType = sourceTypeOf(filename);
  if (sourceType === 'pdf' || sourceType === 'docx') throw new Error(`a .${sourceType} file is read by its library, not as text`);
  if (data.includes(0)) throw badRequest(`This file is not text; upload a ${ACCEPTED_FILES} file.`, 'UNSUPPORTED_FILE_TYPE');
  const raw = data.toString('utf8').replace(/^\uFEFF/, '');
  const content = sourceType === 'html' ? htmlToText(raw) : sourceType === 'csv' ? csvToPairs(raw) : raw;
  const htmlTitle = sourceType === 'html' ? titleOf(raw) : undefined;
  return { title: documentTitle(filename, title, htmlToText(htmlTitle ?? '')), content, sourceType };
}
