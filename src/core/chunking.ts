// The pieces of a document's text: its sections under Markdown headings, the question/answer
// pairs and paragraphs in them, and long answers cut into passages that can be searched on their
// own. What an entry is, and which pieces belong to one, is core/entries.ts's.
/** Prose paragraphs under one heading are merged up to this many characters. */
export const MERGE_UP_TO = 600;
/** A paragraph longer than this is cut into groups of whole sentences. */
const SPLIT_ABOVE = 900;
/**
 * No passage is longer than this, whatever the text: a "sentence" with no full stop (200 KB of
 * `<` in an .html) is cut at spaces, or anywhere when it has none. The sentence encoder's time
 * grows with a text's length, and one endless text would hold it from every organization.
 */
export const MAX_PASSAGE_CHARACTERS = 1200;
/** A question (or heading) beyond this is cut: it names an entry, it is not a passage. */
export const MAX_QUESTION_CHARACTERS = 300;

// Lines are read by hand rather than by one pattern each: `^(#{1,6})\s+(.+?)\s*#*\s*$` takes cubic
// time on "# a" + 10,000 spaces + "x" (the lazy text, the spaces and the closing hashes can split
// the spaces every which way). Everything here is one pass over the line.
const QUESTION_LINE = /^\s*(?:q|question)\s*[:.)\-–]\s*/i;
/** what makes a block a question: "Q:", "Question -", … at its start… */
const QUESTION_START = /^\s*(?:q|question)\s*[:.)\-–]\s*/iy;
/** …and, after a line break, what starts its answer: "A:", "Answer." (read at each line break) */
const ANSWER_START = /\s*(?:a|answer)\s*[:.)\-–]/iy;
const WHITESPACE = /\s/;
/** What `.` of a pattern does not match: a heading ends at them. */
const LINE_BREAKS = /[\n\r\u2028\u2029]/;

/**
 * A Markdown heading ("## Hours ##"): its level and text, or undefined. Reads the line as
 * `^(#{1,6})\s+(.+?)\s*#*\s*$` did (the text trimmed, closing hashes dropped), in one pass.
 */
export function parseHeading(line: string): { level: number; text: string } | undefined {
  let level = 0;
  while (level < line.length && line[level] === '#') level++;
  if (level < 1 || level > 6 || !WHITESPACE.test(line[level] ?? '')) return undefined;
  let start = level + 1;
  while (start < line.length && WHITESPACE.test(line[start]!)) start++;
  if (start === line.length) {
    // Only spaces after the hashes: one of them is the (empty) text, if any is not a line break.
    for (let i = level + 1; i < line.length; i++) if (!LINE_BREAKS.test(line[i]!)) return { level, text: '' };
    return undefined;
  }
  let end = line.length;
  while (end > start && WHITESPACE.test(line[end - 1]!)) end--;
  while (end > start && line[end - 1] === '#') end--;
  while (end > start && WHITESPACE.test(line[end - 1]!)) end--;
  const text = line.slice(start, Math.max(end, start + 1));
  return LINE_BREAKS.test(text) ? undefined : { level, text: text.trim() };
}

/**
 * A block that is one question and its answer ("Q: …" then a line "A: …"), or undefined: as
 * `^\s*(?:q|question)\s*[:.)\-–]\s*([\s\S]+?)\n\s*(?:a|answer)\s*[:.)\-–]\s*([\s\S]+)$` read it, which
 * is quadratic on a long question line. Each line break is tried once, in order. The block's lines
 * are trimmed and not empty (sections() makes them so), so no line break hides in the spaces
 * after "Q:".
 */
export function parsePair(block: string): { question: string; answer: string } | undefined {
  QUESTION_START.lastIndex = 0;
  if (!QUESTION_START.test(block)) return undefined;
  const from = QUESTION_START.lastIndex;
  // The question holds at least one character: the first line break that can end it is after that.
  for (let end = block.indexOf('\n', from + 1); end >= 0; end = block.indexOf('\n', end + 1)) {
    ANSWER_START.lastIndex = end + 1;
    if (!ANSWER_START.test(block) || ANSWER_START.lastIndex === block.length) continue;
    return { question: block.slice(from, end), answer: block.slice(ANSWER_START.lastIndex).trim() };
  }
  return undefined;
}

export interface Section {
  headings: string[];
  blocks: string[];
}

/** Splits into sections at Markdown headings, and each section into blocks at blank lines and `Q:` lines. */
export function sections(content: string): Section[] {
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
    const heading = parseHeading(line);
    if (heading) {
      endBlock();
      if (current.blocks.length) out.push(current);
      headings = [...headings.slice(0, heading.level - 1), heading.text];
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

/** A long text cut into groups of whole sentences, none longer than MAX_PASSAGE_CHARACTERS. */
export function splitLong(text: string): string[] {
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
  return groups.flatMap(cutToLength);
}

/** Pieces of at most MAX_PASSAGE_CHARACTERS: cut at the last line break, else space, in the second half; else at the limit. */
function cutToLength(text: string): string[] {
  const pieces: string[] = [];
  let rest = text;
  const half = MAX_PASSAGE_CHARACTERS / 2;
  while (rest.length > MAX_PASSAGE_CHARACTERS) {
    let end = rest.lastIndexOf('\n', MAX_PASSAGE_CHARACTERS);
    if (end <= half) end = rest.lastIndexOf(' ', MAX_PASSAGE_CHARACTERS);
    if (end <= half) end = MAX_PASSAGE_CHARACTERS;
    const piece = rest.slice(0, end).trimEnd();
    if (piece) pieces.push(piece);
    rest = rest.slice(end).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** A question or heading cut to MAX_QUESTION_CHARACTERS. */
export function shortened(text: string): string {
  return text.length <= MAX_QUESTION_CHARACTERS ? text : `${text.slice(0, MAX_QUESTION_CHARACTERS - 1).trimEnd()}…`;
}
