// Reads one uploaded PDF or DOCX in a thread of its own (document-files.ts starts one per upload):
// the libraries parse on the thread that calls them, and a large file would otherwise hold up every
// request. Plain JavaScript: it needs no loader, from the sources or compiled. It posts
// `{text}` (a PDF's pages' text, a DOCX as HTML so its headings survive) or `{failure}`, a word
// saying why the file cannot be read.
import { parentPort, workerData } from 'node:worker_threads';
import mammoth from 'mammoth';
import { PDFParse } from 'pdf-parse';

/** Pages read per call: between two calls the text read so far is measured against the limit. */
const PAGES_AT_ONCE = 20;

async function readPdf(data, { maxPages, maxCharacters }) {
  const parser = new PDFParse({ data, verbosity: 0 });
  try {
    const info = await parser.getInfo();
    const pages = info.total;
    if (pages > maxPages) return { failure: 'too-many-pages', pages };
    const texts = [];
    let characters = 0;
    for (let first = 1; first <= pages; first += PAGES_AT_ONCE) {
      const last = Math.min(pages, first + PAGES_AT_ONCE - 1);
      const read = await parser.getText({ partial: Array.from({ length: last - first + 1 }, (_, i) => first + i) });
      for (const page of read.pages) {
        texts.push(page.text);
        characters += page.text.length;
      }
      if (characters > maxCharacters) return { failure: 'too-long', characters };
    }
    return { text: texts.join('\n\n') };
  } catch (err) {
    const name = err?.name ?? '';
    if (name === 'PasswordException') return { failure: 'encrypted' };
    return { failure: 'not-pdf', detail: String(err?.message ?? err).slice(0, 200) };
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

async function readDocx(data, { maxCharacters }) {
  let html;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(data) })).value;
  } catch (err) {
    return { failure: 'not-docx', detail: String(err?.message ?? err).slice(0, 200) };
  }
  // Markup is about as long as the text again: twice the limit is surely too long.
  if (html.length > maxCharacters * 2) return { failure: 'too-long', characters: html.length };
  return { text: html };
}

const { type, data, limits } = workerData;
const read = type === 'pdf' ? readPdf : readDocx;
read(new Uint8Array(data), limits).then(
  (result) => parentPort.postMessage(result),
  (err) => parentPort.postMessage({ failure: 'unreadable', detail: String(err?.message ?? err).slice(0, 200) }),
);
