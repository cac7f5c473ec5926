// Words for retrieval: lower-cased, filler words dropped, reduced to a stem so "repairs",
// "repaired" and "repairing" meet. The same functions index the knowledge base and read questions.
import { stemmer } from 'stemmer';

/**
 * Words that carry no topic: English function words plus the filler of chat messages
 * ("hey, can u tell me…"). Question words stay out of this list's meaning: intent.ts reads them
 * from the raw question before they are dropped here.
 */
const STOP_WORDS = new Set(
  `a about above after again against all am an and any are aren as at be because been before being below
  between both but by can cannot could couldn did didn do does doesn doing don down during each few for from
  further had hadn has hasn have haven having he her here hers herself him himself his how i if in into is
  isn it its itself just let me more most my myself no nor not of off on once only or other ought our ours
  ourselves out over own same us she should shouldn so some such than that the their theirs them themselves then
  there these they this those through to too under until up very was wasn we were weren what when where which
  while who whom why will with won would wouldn you your yours yourself yourselves
  hi hey hello hiya howdy yo dear thanks thank thx ty please pls plz ok okay okey yes yeah yep sure hmm um uh
  u ur ya im ive id youre youve youd theyre weve hes shes thats theres heres lets its
  dont doesnt didnt cant couldnt wont wouldnt shouldnt isnt arent wasnt werent havent hasnt whats hows wheres whens whos
  tell know wonder wondering want wanna gonna gotta need like also maybe possible possibly really actually quick
  question ask asking help anyone somebody someone something anything stuff thing things get got guys folks
  kindly require required requirement option options available facility`.split(/\s+/),
);

/**
 * Shorthand customers type for what a knowledge base writes out ("COD option required" for cash on
 * delivery). A question's shorthand is read as its words only where the knowledge base does not
 * use the shorthand itself.
 */
const SHORTHAND: Record<string, string> = {
  cod: 'cash on delivery',
  emi: 'monthly instalments installments',
  eta: 'arrival time',
  asap: 'soon',
  appt: 'appointment',
  appts: 'appointments',
  info: 'information',
  pic: 'photo',
  pics: 'photos',
  qty: 'quantity',
  amt: 'amount',
  avail: 'available',
  addr: 'address',
  dlvry: 'delivery',
  pmt: 'payment',
  pymt: 'payment',
  wknd: 'weekend',
  tmrw: 'tomorrow',
  tmr: 'tomorrow',
  tdy: 'today',
  hrs: 'hours',
  mins: 'minutes',
  xmas: 'christmas',
  bday: 'birthday',
  msg: 'message',
  num: 'number',
  govt: 'government',
  refnd: 'refund',
  exch: 'exchange',
  wifi: 'wifi internet',
  brekkie: 'breakfast',
  brekky: 'breakfast',
  ig: 'instagram',
  insta: 'instagram',
  fb: 'facebook',
  thru: 'through',
  dept: 'department',
  docs: 'documents',
};

/**
 * Words of the languages customers mix into English on WhatsApp — Nigerian Pidgin, Tagalog and
 * Cebuano, Swahili and Sheng, Hindi and Marathi, Afrikaans — in English: "una dey open on
 * saturday?", "magkano po", "bei ni ngapi", "kitna hai". Their function words become English
 * filler (a word the knowledge base does not use would otherwise read as the message's unknown
 * subject: "not sure"); their question words ask for a price, a place, a time. Only words no
 * English message uses in another sense are here ("fit", "may", "me", "he" are not).
 */
const MIXED_IN: Record<string, string> = {
  // Nigerian Pidgin
  una: 'you',
  dey: 'are',
  wey: 'that',
  abeg: 'please',
  wetin: 'what',
  pikin: 'child',
  wahala: 'problem',
  sef: '',
  // Tagalog and Cebuano
  magkano: 'how much price',
  saan: 'where',
  kailan: 'when',
  ilan: 'how many',
  pwede: 'can',
  puwede: 'can',
  po: '',
  opo: 'yes',
  ba: '',
  kayo: 'you',
  nyo: 'your',
  niyo: 'your',
  ninyo: 'your',
  ako: 'i',
  namin: 'our',
  lang: 'only',
  naman: '',
  rin: 'also',
  wala: 'no',
  meron: 'have',
  mayroon: 'have',
  ng: 'of',
  ang: 'the',
  yung: 'the',
  mga: '',
  kasi: 'because',
  pila: 'how much price',
  asa: 'where',
  unsa: 'what',
  naa: 'have',
  kaayo: 'very',
  dili: 'not',
  diri: 'here',
  // Swahili and Sheng
  bei: 'price',
  ngapi: 'how many',
  saa: 'time',
  mtakuwa: 'will you be',
  gani: 'what',
  wapi: 'where',
  lini: 'when',
  leo: 'today',
  kesho: 'tomorrow',
  nataka: 'i want',
  mko: 'are you',
  uko: 'are you',
  niko: 'i am',
  iko: 'is there',
  kuna: 'is there',
  hii: 'this',
  sana: 'very',
  kidogo: 'little',
  pesa: 'money',
  // Hindi and Marathi
  kitna: 'how much price',
  kitne: 'how much price',
  kitni: 'how much price',
  kiti: 'how much price',
  kab: 'when',
  kadhi: 'when',
  kahan: 'where',
  kaha: 'where',
  kidhar: 'where',
  kuthe: 'where',
  kya: 'what',
  kaise: 'how',
  hai: 'is',
  hain: 'are',
  ahe: 'is',
  aap: 'you',
  aapka: 'your',
  apka: 'your',
  mujhe: 'i',
  chahiye: 'need',
  pahije: 'need',
  nahi: 'not',
  nahin: 'not',
  bhi: 'also',
  aur: 'and',
  aaj: 'today',
  abhi: 'now',
  milega: 'available',
  chalega: 'accepted',
  chalegi: 'accepted',
  hoga: 'will be',
  hogi: 'will be',
  tak: 'until',
  undi: 'is there',
  milegi: 'available',
  sakte: 'can',
  sakta: 'can',
  chal: 'working',
  chalta: 'working',
  chalu: 'working',
  raha: '',
  rahi: '',
  rahe: '',
  band: 'down off',
  bandh: 'down off',
  lagana: 'install',
  lagwana: 'install',
  lagao: 'install',
  lavun: 'install',
  karo: 'do',
  kardo: 'do',
  kara: 'do',
  kijiye: 'do',
  batao: 'tell',
  bataiye: 'tell',
  sanga: 'tell',
  konsa: 'which',
  kaunsa: 'which',
  sasta: 'cheap',
  sabse: 'most',
  mahina: 'month',
  mahine: 'month',
  mahinyala: 'per month',
  ghar: 'home',
  jaldi: 'quickly',
  kal: 'tomorrow',
  aayega: 'will come',
  ayega: 'will come',
  aaoge: 'will you come',
  milel: 'available',
  hoil: 'will be',
  kay: 'what',
  kasa: 'how',
  majha: 'my',
  maza: 'my',
  mera: 'my',
  meri: 'my',
  tumcha: 'your',
  tumhi: 'you',
  // Zulu and South African
  yebo: 'yes',
  // Afrikaans
  hoeveel: 'how much price',
  waar: 'where',
  wanneer: 'when',
  asseblief: 'please',
};

/** The question with each shorthand, and each word mixed in from another language, that the knowledge base does not use (`known` says which it does) written out. */
export function withShorthandWrittenOut(question: string, known: (word: string) => boolean): string {
  return question.replace(/[A-Za-z]+/g, (word) => {
    const lower = word.toLowerCase();
    // Own keys only: "constructor" is no shorthand.
    const written = Object.hasOwn(SHORTHAND, lower) ? SHORTHAND[lower] : Object.hasOwn(MIXED_IN, lower) ? MIXED_IN[lower] : undefined;
    return written !== undefined && written !== lower && !known(lower) ? written : word;
  });
}

const ORDINAL = /^(\d{1,4})(?:st|nd|rd|th)$/;

/**
 * Splits text into lower-case word tokens (letters, digits, contractions' endings and inner apostrophes dropped). A
 * hyphenated word gives its parts and the joined word: "e-bike" → e, bike, ebike, so that both
 * spellings customers use meet.
 */
export function tokenize(text: string): string[] {
  const clean = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    // "we'll", "she'll", "we'd" would otherwise read as "well", "shell", "wed"; "kid's" is "kid"
    .replace(/(?<=[a-z])['’](?:ll|re|ve|d|m|s)\b/g, '')
    .replace(/['’]/g, '');
  const tokens: string[] = [];
  for (const word of clean.match(/[a-z0-9]+(?:-[a-z0-9]+)*/g) ?? []) {
    if (!word.includes('-')) {
      tokens.push(word);
      // "7th", "3rd": also the number, as "class 7" and "3 floors" write it (the ordinal stays, as
      // indexes trained before read it)
      const ordinal = ORDINAL.exec(word)?.[1];
      if (ordinal) tokens.push(ordinal);
      continue;
    }
    // One push per part: spreading a word of 500,000 parts overflows the call stack.
    for (const part of word.split('-')) tokens.push(part);
    tokens.push(word.replace(/-/g, ''));
  }
  return tokens;
}

// Irregular forms the stemmer cannot bring home ("bought" → "buy").
const IRREGULAR: Record<string, string> = Object.fromEntries(
  `bought:buy sold:sell paid:pay broke:break broken:break went:go gone:go took:take taken:take brought:bring got:get gotten:get
  kept:keep left:leave lost:lose sent:send spent:spend rode:ride ridden:ride stole:steal stolen:steal bent:bend found:find
  made:make gave:give given:give taught:teach told:tell wore:wear worn:wear tore:tear torn:tear fell:fall fallen:fall
  chose:choose chosen:choose grew:grow grown:grow swollen:swell swelled:swell held:hold
  knew:know known:know ate:eat eaten:eat drove:drive driven:drive wrote:write written:write spoken:speak children:child men:man women:woman people:person feet:foot teeth:tooth mice:mouse`
    .split(/\s+/)
    .map((pair) => pair.split(':') as [string, string]),
);

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** The stem of one lower-case word; numbers stay as they are. */
export function stem(word: string): string {
  return /^\d/.test(word) ? word : stemmer(IRREGULAR[word] ?? word);
}

/** The searchable terms of a text: tokens minus filler, stemmed. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const word of tokenize(text)) {
    if (STOP_WORDS.has(word) || (word.length < 2 && !/\d/.test(word))) continue;
    out.push(stem(word));
  }
  return out;
}

/** The words of a question the customer typed, without filler, before stemming. */
export function contentWords(text: string): string[] {
  return tokenize(text).filter((w) => !STOP_WORDS.has(w) && (w.length >= 2 || /\d/.test(w)));
}

const SENTENCE_END = /(?<=[.!?…])\s+(?=[A-Z0-9"“(])|\n+/;

/**
 * Text shortened for one WhatsApp message: whole sentences up to `max` characters. A single
 * sentence longer than that is cut at a word and ends with "…".
 */
export function trimToSentences(text: string, max = 1000): string {
  const clean = text
    .replace(/[ \t]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (clean.length <= max) return clean;
  let out = '';
  for (const sentence of clean.split(SENTENCE_END)) {
    const piece = sentence.trim();
    if (!piece) continue;
    const next = out ? `${out} ${piece}` : piece;
    if (next.length > max) break;
    out = next;
  }
  if (out) return out;
  const cut = clean.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2)).trimEnd()}…`;
}

const ENTITIES: Record<string, string> = {
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

/**
 * Each tag that `open` finds, up to the first `>` after it, replaced: what a global replace of
 * `<[^>]*>` (or `<li\b[^>]*>`) does, in one pass. No `>` after one tag means none after a later
 * one either, so nothing is scanned twice.
 */
function replaceTags(html: string, open: RegExp, replacement: string): string {
  const out: string[] = [];
  let from = 0;
  open.lastIndex = 0;
  for (let start = open.exec(html); start; start = open.exec(html)) {
    const close = html.indexOf('>', open.lastIndex);
    if (close < 0) break;
    out.push(html.slice(from, start.index), replacement);
    from = close + 1;
    open.lastIndex = from;
  }
  out.push(html.slice(from));
  return out.join('');
}

const RAW_ELEMENTS = ['script', 'style', 'noscript', 'head', 'template', 'svg', 'iframe'];
const RAW_OPEN = /<(script|style|noscript|head|template|svg|iframe)\b/gi;
const RAW_CLOSE = Object.fromEntries(RAW_ELEMENTS.map((name) => [name, new RegExp(`</${name}\\s*>`, 'gi')]));
const HEADING_OPEN = /<h([1-6])\b/gi;
const HEADING_CLOSE = Object.fromEntries([1, 2, 3, 4, 5, 6].map((level) => [level, new RegExp(`</h${level}\\s*>`, 'gi')]));

/**
 * Elements from their opening tag to their closing one (`<script …>…</script >`), replaced as a
 * global replace of `<(name)\b[\s\S]*?<\/\1\s*>` would, without its quadratic rescans: when an
 * element's closing tag is missing, no later element of that name closes either. `bodyFrom` says
 * where the element's content starts after its name, -1 when no later element can match either.
 */
function replaceElements(
  html: string,
  open: RegExp,
  closeOf: Record<string, RegExp>,
  replace: (name: string, body: string) => string,
  bodyFrom: (afterName: number) => number = (afterName) => afterName,
): string {
  const out: string[] = [];
  const unclosed = new Set<string>();
  let from = 0;
  open.lastIndex = 0;
  for (let start = open.exec(html); start; start = open.exec(html)) {
    const name = start[1]!.toLowerCase();
    if (unclosed.has(name)) continue;
    const body = bodyFrom(open.lastIndex);
    if (body < 0) break;
    const close = closeOf[name]!;
    close.lastIndex = body;
    const end = close.exec(html);
    if (!end) {
      unclosed.add(name);
      continue;
    }
    out.push(html.slice(from, start.index), replace(name, html.slice(body, end.index)));
    from = close.lastIndex;
    open.lastIndex = from;
  }
  out.push(html.slice(from));
  return out.join('');
}

const TAG = /</g;
const LIST_ITEM = /<li\b/gi;

/**
 * Readable text from an HTML page: scripts, styles and the head dropped, headings kept as
 * Markdown headings (so chunking still sees sections), block ends as line breaks. Linear in the
 * page's length: every step is one pass (a page of 5 MB of `<` took minutes with `[^>]*>` scans).
 */
export function htmlToText(html: string): string {
  const withoutComments = replaceElements(html, /<!--()/g, { '': /-->/g }, () => ' ');
  const withoutRaw = replaceElements(withoutComments, RAW_OPEN, RAW_CLOSE, () => ' ');
  const withHeadings = replaceElements(
    withoutRaw,
    HEADING_OPEN,
    HEADING_CLOSE,
    (level, inner) => `\n\n${'#'.repeat(Number(level))} ${replaceTags(inner, TAG, ' ').trim()}\n\n`,
    // `<h2 class="x">`: the heading's text starts after the tag's own `>`.
    (afterName) => {
      const tagEnd = withoutRaw.indexOf('>', afterName);
      return tagEnd < 0 ? -1 : tagEnd + 1;
    },
  );
  const withBreaks = replaceTags(withHeadings, LIST_ITEM, '\n- ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|section|article|ul|ol|table|tr|blockquote|pre|header|footer|main|aside|dd|dt)\s*>/gi, '\n\n')
    .replace(/<\/(td|th)\s*>/gi, ' ');
  return replaceTags(withBreaks, TAG, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, code: string) => {
      if (code[0] === '#') {
        const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
        return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : ' ';
      }
      return ENTITIES[code.toLowerCase()] ?? m;
    })
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
