// Documents cut into passages that can each answer a question on their own: one per
// question/answer pair, otherwise paragraphs under their heading, merged while short.
export interface Chunk {
  /** `<documentId>#<n>` */
  id: string;
  documentId: string;
  /** the document's title */
  title: string;
  /** the Markdown headings above the passage, outermost first, joined with " › " */
  heading: string;
  /** the question of a Q/A pair (or of an FAQ heading ending in "?"); '' for prose */
  question: string;
  /** what the customer is told: the answer of a pair, or the paragraph(s) */
  text: string;
}

export interface ChunkSource {
  id: string;
  title: string;
  content: string;
}

/** Prose paragraphs under one heading are merged up to this many characters. */
const MERGE_UP_TO = 600;
/** A paragraph longer than this is cut into groups of whole sentences. */
const SPLIT_ABOVE = 900;

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const QUESTION_LINE = /^\s*(?:q|question)\s*[:.)\-–]\s*/i;
const QA_PAIR = /^\s*(?:q|question)\s*[:.)\-–]\s*([\s\S]+?)\n\s*(?:a|answer)\s*[:.)\-–]\s*([\s\S]+)$/i;

interface Section {
  headings: string[];
  blocks: string[];
}

/** Splits into sections at Markdown headings, and each section into blocks at blank lines and `Q:` lines. */
function sections(content: string): Section[] {
  const out: Section[] = [];
  let headings: string[] = [];
  let current: Section = { headings, blocks: [] };
  let block: string[] = [];
  const endBlock = () => {
    const text = block.join('\n').trim();
    if (text) current.blocks.push(text);
    block = [];
  };
  for (const line of content.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = HEADING.exec(line);
    if (heading) {
      endBlock();
      if (current.blocks.length) out.push(current);
      const level = heading[1]!.length;
      headings = [...headings.slice(0, level - 1), heading[2]!.trim()];
      current = { headings, blocks: [] };
    } else if (!line.trim()) {
      endBlock();
    } else {
      if (QUESTION_LINE.test(line)) endBlock();
      block.push(line.trim());
    }
  }
  endBlock();
  if (current.blocks.length) out.push(current);
  return out;
}

function splitLong(text: string): string[] {
  if (text.length <= SPLIT_ABOVE) return [text];
  const groups: string[] = [];
  let group = '';
  for (const sentence of text.split(/(?<=[.!?])\s+/)) {
    if (group && group.length + sentence.length + 1 > MERGE_UP_TO) {
      groups.push(group);
      group = '';
    }
    group = group ? `${group} ${sentence}` : sentence;
  }
  if (group) groups.push(group);
  return groups;
}

export function chunkDocument(doc: ChunkSource): Chunk[] {
  const chunks: Chunk[] = [];
  const add = (headings: string[], question: string, text: string) => {
    for (const piece of splitLong(text)) {
      chunks.push({ id: `${doc.id}#${chunks.length}`, documentId: doc.id, title: doc.title, heading: headings.join(' › '), question, text: piece });
    }
  };
  for (const section of sections(doc.content)) {
    const last = section.headings[section.headings.length - 1] ?? '';
    // An FAQ written as "## Do you rent bikes?" + answer: the heading is the question and its
    // prose, however long, the one answer.
    const faq = last.endsWith('?');
    const headings = faq ? section.headings.slice(0, -1) : section.headings;
    let prose = '';
    const flushProse = () => {
      if (prose) add(headings, faq ? last : '', prose);
      prose = '';
    };
    for (const block of section.blocks) {
      const pair = QA_PAIR.exec(block);
      if (pair) {
        flushProse();
        add(headings, pair[1]!.replace(/\s+/g, ' ').trim(), pair[2]!.trim());
      } else if (prose && (faq || prose.length + block.length + 2 <= MERGE_UP_TO)) {
        prose = `${prose}\n\n${block}`;
      } else {
        flushProse();
        prose = block;
      }
    }
    flushProse();
  }
  return chunks;
}
