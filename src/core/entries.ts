// The knowledge base as entries (SPEC §7 "Entries, not chunks"): a question, the other ways of
// asking it, and its answer. An entry is what is answered, offered as a choice and named as a
// source; the chunks it is cut into for searching (its answer's pieces, each phrasing) all lead
// back to it, so a menu never offers one entry twice.
import { MERGE_UP_TO, parsePair, sections, shortened, splitLong } from './chunking.js';

export interface KnowledgeEntry {
  /** `${documentId}#${n}`: stable, because a document is never changed, only added or removed */
  id: string;
  documentId: string;
  documentTitle: string;
  /** how the entry is named (a choice's title, a source); '' for prose under no heading */
  question: string;
  /** other ways of asking the same question, each searched as the question is */
  phrasings: string[];
  answer: string;
}

/** A piece of an entry the search index holds. */
export interface Chunk {
  /** `${entryId}/${n}` */
  id: string;
  entryId: string;
  documentId: string;
  /** the document's title */
  title: string;
  /** the question (or one phrasing) this piece is found by */
  question: string;
  /** a piece of the entry's answer; '' for a piece that is only another phrasing */
  text: string;
}

/** "a | b | c" → the question and its other phrasings, each once. */
function phrasingsOf(question: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of question.split('|')) {
    const phrasing = shortened(part.replace(/\s+/g, ' ').trim());
    if (!phrasing || seen.has(phrasing.toLowerCase())) continue;
    seen.add(phrasing.toLowerCase());
    out.push(phrasing);
  }
  return out;
}

/**
 * A document's entries, in order: each question/answer pair ("Q: a | b" gives the phrasings
 * a and b — a CSV's extra question columns arrive so), the prose under a heading as one entry
 * named by the heading, and prose under no heading as paragraphs merged while short.
 */
export function entriesOfDocument(doc: { id: string; title: string; content: string }): KnowledgeEntry[] {
  const entries: KnowledgeEntry[] = [];
  const add = (question: string, answer: string): KnowledgeEntry => {
    const [first = '', ...phrasings] = phrasingsOf(question);
    const entry = { id: `${doc.id}#${entries.length}`, documentId: doc.id, documentTitle: doc.title, question: first, phrasings, answer };
    entries.push(entry);
    return entry;
  };
  for (const section of sections(doc.content)) {
    const heading = section.headings.at(-1) ?? '';
    // Under a heading, the section's prose is one entry the heading names ("## Do you rent bikes?"),
    // where its first paragraph is; under none, paragraphs are merged while short.
    let prose: KnowledgeEntry | undefined;
    for (const block of section.blocks) {
      const pair = parsePair(block);
      if (pair) {
        add(pair.question, pair.answer);
        if (!heading) prose = undefined;
      } else if (prose && (heading || prose.answer.length + block.length + 2 <= MERGE_UP_TO)) {
        prose.answer = `${prose.answer}\n\n${block}`;
      } else {
        prose = add(heading.replace(/\|/g, ' '), block);
      }
    }
  }
  // A document of prose alone that makes one entry ("Opening hours": one paragraph) is named by its title.
  if (entries.length === 1 && !entries[0]!.question) entries[0]!.question = doc.title;
  return entries;
}

/** The chunks the index holds for the entries: each answer's pieces, then each other phrasing. */
export function chunksOfEntries(entries: KnowledgeEntry[]): Chunk[] {
  const chunks: Chunk[] = [];
  for (const entry of entries) {
    let n = 0;
    const add = (question: string, text: string) =>
      chunks.push({ id: `${entry.id}/${n++}`, entryId: entry.id, documentId: entry.documentId, title: entry.documentTitle, question, text });
    for (const piece of splitLong(entry.answer)) add(entry.question, piece);
    for (const phrasing of entry.phrasings) add(phrasing, '');
  }
  return chunks;
}
