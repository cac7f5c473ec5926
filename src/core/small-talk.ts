// Greetings, thanks, goodbyes and "ok": a customer who says "hi", "Thankyou", "ok bye" or 👍 is
// not asking the knowledge base anything, and must get a short friendly word back — never a
// passage, never "not sure". Small talk is recognised by its words, in the spellings customers use
// ("thx", "tysm", "byee", "gud mrng"), however many of them and whoever they are addressed to
// ("Good morning sir"). Small talk in front of a question ("hi, do you rent bikes?", "thanks! and
// the price?") leaves the question.
export type SmallTalk = 'greeting' | 'thanks' | 'goodbye';

/** Each kind's phrases, as patterns over lower-case words joined by single spaces. */
const PHRASES: Record<SmallTalk, string[]> = {
  greeting: [
    'h+i+',
    'h+e+y+',
    'heya',
    'hiya',
    'hel+o+',
    'hal+o+',
    'howdy',
    'yo',
    'greetings',
    'namaste',
    'salaam',
    'as+alamu ?alaikum',
    'g(?:oo+|u+)d ?(?:morning|mornin|mrng|mng|afternoon|evening|eve|day)',
    'gm',
    'morning',
    'mrng',
    'afternoon',
    'evening',
    "what'?s ?up",
    'wass?up',
    'sup',
    'how (?:are|r) (?:you|u|ya)(?: doing| today)?',
    "how'?s it going",
    'how are things',
    'how do you do',
  ],
  thanks: [
    'thanks*',
    'thanx',
    'thnx',
    'thnks',
    'tnx',
    'thx',
    'than?k ?(?:you|u|yu)',
    'thankyou',
    'thanku',
    'ty',
    'tysm',
    'tq',
    'tqsm',
    'cheers',
    'many thanks',
    'much appreciated',
    'appreciated?',
    '(?:i )?appreciate it',
    'o+k+(?:a+y+)?',
    'okey',
    'okie',
    'oki',
    'k+',
    'alright',
    'all right',
    'fine',
    'noted',
    'got it',
    'understood',
    'great',
    'perfect',
    'brilliant',
    'awesome',
    'lovely',
    'nice',
    'cool',
    'super',
    'good',
    'wonderful',
    'excellent',
    'amazing',
    'that helps',
    "that'?s helpful",
    'very helpful',
    'helpful',
    'sure',
    'yes',
    'yeah',
    'yep',
    'no problem',
    'np',
  ],
  goodbye: [
    'b+y+e+(?: b+y+e+)?',
    'goodbye',
    'good bye',
    'see (?:you|ya|u)(?: (?:later|soon|then|tomorrow|on [a-z]+|[a-z]+day|next week))?',
    'cya',
    'later',
    'laters',
    'ttyl',
    'good ?night',
    'gn',
    'have a (?:nice|good|great|lovely) (?:day|evening|weekend|one)',
    'take care',
    "that'?s all",
    'that is all',
    'nothing else',
    'no thanks',
    'no thank (?:you|u)',
    'all good',
  ],
};

/** Words around small talk that say nothing more: who it is addressed to, and its intensifiers. */
const ADDRESS =
  "sir|sirs|madam|mam|maam|ma'am|bro|bruh|dear|friend|team|guys|all|everyone|there|again|so|very|much|a lot|lot|too|and|also|then|please|pls|plz|oh|ah|hmm+|lol|xx+|x";

const KINDS = Object.keys(PHRASES) as SmallTalk[];
const PATTERNS = KINDS.flatMap((kind) => PHRASES[kind].map((phrase) => ({ kind, pattern: new RegExp(`^(?:${phrase})(?: |$)`) })));
const FILLER = new RegExp(`^(?:${ADDRESS})(?: |$)`);

/** The longest small-talk phrase at the start of the words, with its kind. */
function phraseAt(words: string): { kind: SmallTalk; length: number } | undefined {
  let found: { kind: SmallTalk; length: number } | undefined;
  for (const { kind, pattern } of PATTERNS) {
    const match = pattern.exec(words);
    if (match && match[0].length > (found?.length ?? 0)) found = { kind, length: match[0].length };
  }
  return found;
}

/** The text as small talk is matched: lower-case words (letters, digits, apostrophes), emoji and punctuation gone. */
function plain(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Reads small-talk phrases from the start of the words: their kinds, and how many characters of
 * `words` they (and the words around them that say nothing more) take up.
 */
function leadingSmallTalk(words: string): { kinds: SmallTalk[]; length: number } {
  const kinds: SmallTalk[] = [];
  let length = 0;
  let fillers = 0;
  for (;;) {
    const rest = words.slice(length);
    const phrase = phraseAt(rest);
    const filler = phrase ? undefined : FILLER.exec(rest)?.[0].length;
    if (phrase) kinds.push(phrase.kind);
    else if (filler) fillers++;
    else break;
    length += phrase?.length ?? filler!;
  }
  return { kinds, length: kinds.length === 0 || fillers > kinds.length + 2 ? 0 : length };
}

/** Which kind of small talk a whole message is, or undefined when it says more. */
export function smallTalkOf(text: string): SmallTalk | undefined {
  const words = plain(text);
  // 👍, 🙏, ❤️: a message of emoji alone acknowledges.
  if (!words) return /\p{Extended_Pictographic}/u.test(text) && !/[\p{L}\p{N}]/u.test(text) ? 'thanks' : undefined;
  if (words.length > 60) return undefined;
  const { kinds, length } = leadingSmallTalk(words);
  if (length < words.length) return undefined;
  // "ok bye", "thanks, bye": a message ends as its last part does; "ok" after a greeting or thanks adds nothing.
  return kinds.at(-1);
}

/**
 * The question without the small talk in front of it: "hi, do you rent bikes?" → "do you rent
 * bikes?", "Thank you sir. And the price?" → "And the price?". The text as it was when nothing
 * but small talk is left.
 */
export function withoutSmallTalk(text: string): string {
  // Words are read on the plain text; the question is cut from the original at the same word.
  const words = plain(text);
  const { length } = leadingSmallTalk(words);
  if (length === 0 || length >= words.length) return text;
  const wordsBefore = words.slice(0, length).trim().split(' ').length;
  // The same words plain() keeps: runs of letters, digits and apostrophes.
  const pattern = /[a-z0-9'’`]+/gi;
  const original = text.match(pattern) ?? [];
  let seen = 0;
  let at = 0;
  for (let match = pattern.exec(text); match && seen < wordsBefore; match = pattern.exec(text)) {
    seen++;
    at = match.index + match[0].length;
  }
  const rest = text
    .slice(at)
    .replace(/^[\s,!.:;\-–—)]+/, '')
    .trim();
  return rest && original.length > seen ? rest : text;
}

/** The reply to small talk, in the organization's name. */
export function smallTalkReply(kind: SmallTalk, organizationName: string, greeting?: string | null): string {
  switch (kind) {
    case 'greeting':
      return greeting?.trim() || `Hi! This is ${organizationName}. How can I help you today?`;
    case 'thanks':
      return `You're welcome! Anything else ${organizationName} can help you with?`;
    case 'goodbye':
      return `Thanks for getting in touch with ${organizationName}. Have a good day!`;
  }
}
