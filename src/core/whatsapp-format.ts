// WhatsApp's text formatting, read the way the app renders it: *bold*, _italic_, ~strikethrough~
// and ```monospace```. A marker opens only at the start of a word and closes only at the end of
// one, on the same line, around text that neither starts nor ends with a space — so 2*3*4 or
// snake_case_names stay as typed. The simulator's phones draw messages with this.

export interface TextRun {
  text: string;
  bold?: boolean;
  italic?: boolean;
  strike?: boolean;
  mono?: boolean;
}

type Style = Omit<TextRun, 'text'>;

const STYLE_OF: Record<string, keyof Style> = { '*': 'bold', _: 'italic', '~': 'strike' };
const WORDISH = /[\p{L}\p{N}]/u;
const MARKED = /([*_~])(?=\S)([^\n]*?\S)\1/gu;

export function formatWhatsappText(text: string): TextRun[] {
  const runs: TextRun[] = [];
  // monospace first: nothing inside it is formatted
  const parts = text.split(/```([\s\S]+?)```/);
  parts.forEach((part, i) => {
    if (i % 2 === 1) runs.push({ text: part, mono: true });
    else styled(part, {}, runs);
  });
  return merge(runs);
}

function styled(text: string, style: Style, into: TextRun[]): void {
  let rest = 0;
  MARKED.lastIndex = 0;
  const matches = [...text.matchAll(MARKED)];
  for (const match of matches) {
    const start = match.index;
    if (start < rest) continue;
    const end = start + match[0].length;
    const before = text[start - 1];
    const after = text[end];
    if ((before && WORDISH.test(before)) || (after && WORDISH.test(after))) continue;
    if (start > rest) into.push({ text: text.slice(rest, start), ...style });
    styled(match[2]!, { ...style, [STYLE_OF[match[1]!]!]: true }, into);
    rest = end;
  }
  if (rest < text.length) into.push({ text: text.slice(rest), ...style });
}

/** Neighbouring runs of the same style become one. */
function merge(runs: TextRun[]): TextRun[] {
  const merged: TextRun[] = [];
  for (const run of runs) {
    const last = merged.at(-1);
    if (last && !!last.bold === !!run.bold && !!last.italic === !!run.italic && !!last.strike === !!run.strike && !!last.mono === !!run.mono) {
      last.text += run.text;
    } else merged.push({ ...run });
  }
  return merged.filter((r) => r.text !== '');
}
