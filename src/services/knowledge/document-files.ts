// An uploaded file as a knowledge-base document. Text formats are read at once (core/documents.ts);
// a PDF or DOCX is read by its library (pdf-parse, mammoth) in a thread of its own, bounded in
// pages, characters, memory and time, so a large or hostile file holds up no other request.
import { Worker } from 'node:worker_threads';
import {
  type BinarySourceType,
  type DocumentText,
  documentFromFile,
  documentFromRead,
  type ReadFailure,
  sourceTypeOf,
  unreadableFile,
} from '../../core/documents.js';
import { MAX_DOCUMENT_CHARACTERS } from './training.js';

/** Pages a PDF may have (a book of 300 pages fills the character limit already). */
export const MAX_PDF_PAGES = 1000;
/** How long one file may take to read before it is refused. */
const READ_TIMEOUT_MS = 60_000;
/** The reading thread's heap: parsing a few tens of MB takes far less; a zip bomb stops here. */
const READER_HEAP_MB = 512;

const LIMITS = { maxPages: MAX_PDF_PAGES, maxCharacters: MAX_DOCUMENT_CHARACTERS };

export async function documentFromUpload(filename: string, data: Buffer, title?: string): Promise<DocumentText> {
  const type = sourceTypeOf(filename);
  if (type !== 'pdf' && type !== 'docx') return documentFromFile(filename, data, title);
  const read = await readInThread(type, data);
  if ('failure' in read) throw unreadableFile(type, read, LIMITS);
  return documentFromRead(filename, type, read.text, title);
}

function readInThread(type: BinarySourceType, data: Buffer): Promise<{ text: string } | ReadFailure> {
  return new Promise((resolve) => {
    // A copy of just the file's bytes, moved to the thread (the upload's buffer may be a slice of a larger one).
    const bytes = new Uint8Array(data).buffer;
    const worker = new Worker(new URL('./document-reader-worker.mjs', import.meta.url), {
      workerData: { type, data: bytes, limits: LIMITS },
      transferList: [bytes],
      resourceLimits: { maxOldGenerationSizeMb: READER_HEAP_MB },
    });
    let settled = false;
    const settle = (result: { text: string } | ReadFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => settle({ failure: 'too-slow' }), READ_TIMEOUT_MS);
    worker.on('message', settle);
    // Out of memory, or a crash inside the library: the file is what could not be read.
    worker.on('error', (err) => settle({ failure: 'unreadable', detail: err.message.slice(0, 200) }));
    worker.on('exit', () => settle({ failure: 'unreadable', detail: 'the reader stopped' }));
  });
}
