// Greetings, thanks, goodbyes and "ok": a customer who says "hi", "Thankyou", "ok bye" or 👍 is
// not asking the knowledge base anything, and must get a short friendly word back — never a
// passage, never "not sure". Small talk is recognised by its words, in the spellings customers use
// ("thx", "tysm", "byee", "gud mrng"), with letters held down ("thanksss", "okkk") and a slip of
// one letter ("thnak you", "helo"), however many of them and whoever they are addressed to
// ("Good morning sir"). Small talk in front of a question ("hi, do you rent bikes?", "thanks! and
// the price?") leaves the question.
export type SmallTalk = 'greeting' | 'thanks' | 'goodbye' | 'assistant';

/**
 * Each kind's phrases, as patterns over lower-case words joined by single spaces. A phrase marked
 * "!" is small talk only as a whole message: in front of more words it is the question's own
 * ("top up my phone?", "how far is it?", "sound system for hire?").
 */
const PHRASES: Record<SmallTalk, string[]> = {
  greeting: [
    'h+i+',
    'h+e+y+',
    'heya',
    'hiya',
    'hel+o+w?',
    'hal+o+',
    'hai',
    'hie',
    'h+l+o+',
    'howdy',
    'yo',
    'greetings(?: of the day)?',
    'namaste',
    'namaskar',
    'jambo',
    'habari(?: (?:yako|zako|yenu|gani|za asubuhi|ya asubuhi|za mchana|za jioni|ya leo))?',
    'maayong (?:buntag|udto|hapon|gabii|adlaw)',
    'hola',
    'salaam',
    'as+alamu ?alaikum',
    'g(?:oo+|u+)?d ?(?:morning|mornin|mrng|mng|afternoon|arvo|evening|evng|eve|day|am|pm)',
    "g'?day",
    'gidday',
    // the season's wishes
    '(?:merry|happy) (?:christmas|xmas|new year|holidays|diwali|eid|easter|holi|ramadan|hanukkah|thanksgiving|sunday|weekend|friday)',
    'eid mubarak',
    'ramadan kareem',
    "season'?s greetings",
    // the answer to "how are you", and the question back
    "(?:i'?m|i am|am) (?:good|fine|ok|okay|well|great|doing (?:well|good|fine))",
    'doing (?:well|good|fine|great)(?: (?:and )?(?:you|u))?',
    '(?:and|how about) (?:you|u)',
    '(?:same to|and) (?:you|u) too',
    'same to (?:you|u)',
    '(?:you|u) too',
    'likewise',
    // Filipino, South African and Nigerian greetings
    'magandang (?:umaga|hapon|gabi|araw)',
    'kumusta',
    'musta',
    'howzit',
    'sawubona',
    'dumela',
    'molo',
    'hallo',
    'bawo ni',
    'kedu',
    'gm',
    'morning',
    'mrng',
    'afternoon',
    'evening',
    "what'?s ?up",
    'wass?up',
    'sup',
    'h(?:o?w) (?:are|r) (?:you|u|ya)(?: doing)?(?: today)?',
    "hope (?:you(?:'re| are)|ur|u r|you) (?:well|good|fine|doing well|keeping well)",
    '(?:is )?(?:any ?one|any ?body|some ?one) (?:there|here|available)',
    '(?:are|r) (?:you|u) (?:there|available|online)',
    "how'?s it going",
    'how are things',
    '!how (?:are|r|ya|you|u) (?:you |ya |u )?going',
    'hey hey',
    'ram ram',
    'how do you do',
    // Nigerian, Kenyan and Ghanaian greetings: "how far" alone is "how are you"
    '!how far(?: (?:now|na|bros?|o))?',
    '!how body',
    'wetin dey',
    'niaje',
    '!mambo',
    '!sasa',
    'vipi',
    '!chale',
    'ete sen',
    // Portuguese, Spanish, Indonesian, Malay, Urdu and Arabic greetings
    'ola',
    '!oi',
    'bom dia',
    'boa (?:tarde|noite)',
    'buen(?:os|as) (?:dias|tardes|noches)',
    'buen dia',
    'selamat (?:pagi|siang|sore|malam)',
    'apa kabar',
    'wa ?alaikum (?:as)?salaam?',
    'as+ala+m+ ?(?:o|u|w)? ?alaikum',
    'marhaba',
    'sat sri akal',
    'vanakkam',
  ],
  thanks: [
    'thanks*',
    'thanx',
    'thnx',
    'thnks',
    'tnx',
    'thx',
    'than?k ?(?:you|u|yu|q)',
    'thankyou',
    'thanku',
    'thnku',
    'thanq',
    'tku',
    'ta',
    'ty',
    'tysm',
    'tq',
    'tqsm',
    'cheers',
    // thanks and "ok" in the languages customers mix in: Swahili, Filipino, Afrikaans, Zulu, Xhosa, Yoruba, Hausa, Hindi/Urdu, Arabic, Spanish, French, German
    'asante(?: sana)?',
    '(?:maraming |daghang )?salamat',
    'sige',
    'dankie',
    'baie dankie',
    'ngiyabonga',
    'enkosi',
    'ese',
    'nagode',
    'sawa',
    'shukriya',
    'dhanya(?:v|w)aa?d',
    'siyabonga',
    'ta muchly',
    'thanks again',
    'too easy',
    'no (?:dramas|stress|rush)',
    "(?:that'?s|thats|that is) (?:great|perfect|awesome|lovely|fine|good|brilliant|wonderful|helpful|fantastic|amazing|cool)",
    'sounds (?:great|perfect|lovely|fine|awesome|brilliant)',
    'all sorted',
    'sorted',
    'righto',
    '(?:roger|copy) that',
    'haan(?: ji)?',
    'ji haan',
    'cool cool',
    'shukran',
    'gracias',
    'merci(?: beaucoup)?',
    'danke',
    'obrigad[oa](?: (?:pela|por) (?:ajuda|informacao))?',
    'valeu',
    'muchas gracias',
    'de nada',
    'terima ?kasih(?: banyak)?',
    'makasih',
    'jazak ?allah(?: ?(?:khair|khairan))?',
    'medaase',
    '!e se',
    'no wahala',
    'e don do',
    '!oya',
    // South African, British, Irish and Australian acknowledgements
    '!sharp(?: sharp)?',
    '!shot',
    'lekker',
    '!sho',
    '!ja',
    '!sound(?: as)?',
    '!grand',
    '!ace',
    '!lush',
    '!legend',
    "(?:you(?:'re| are)|ur|u r) a legend",
    '!top',
    '!magic',
    '!champion',
    '!spot on',
    '!bang on',
    '!sweet(?: as)?',
    'good on (?:you|ya|u)',
    '!fair enough',
    '!done',
    '!deal',
    '!will do',
    'many thanks',
    'much appreciated',
    'appreciated?',
    '(?:i )?appreciate (?:it|that|you|ur help|your help)',
    // thanks for what was given, and an acknowledgement of what the customer will do next
    // "thanks for the info", "many thanks for the quick reply": read after the thanks, as its own phrase
    'for (?:the |your |ur |all the |all your |a |such a )?(?:quick |fast |prompt |kind |great )?(?:info|information|help|reply|response|answer|answers|time|assistance|update|details|feedback|support|explanation|clarification|getting back(?: to me)?|letting me know)',
    "(?:i(?:'ll| will| shall)|will) (?:let (?:you|u) know|get back(?: to (?:you|u))?|revert|think about it|check(?: and (?:get back|revert|let (?:you|u) know))?|call(?: (?:you|u))?(?: (?:later|back|tomorrow))?|confirm(?: later)?|come(?: (?:tomorrow|today|later|soon|then|over))?|be there|do|pass by|drop by|visit(?: (?:tomorrow|soon|later))?)",
    'let me (?:think about it|check|get back to (?:you|u)|confirm|know)',
    'sounds good',
    'that works',
    'no worries',
    'no wu(?:c?k)+(?:a|ie)s',
    'okies',
    'tqvm',
    'much love',
    'bless(?: (?:you|u))?',
    'nice one',
    'sure thing',
    'yup',
    'ya',
    'lol',
    'nope',
    'not now',
    'maybe later',
    'poa',
    't(?:h)?e+k hai',
    'thik hai',
    'ach+a',
    "(?:you(?:'re| are)|ur|u r|you guys (?:are|r)) (?:the best|a star|amazing|great|awesome|so helpful|very helpful)",
    'o+k+(?:a+y+)?',
    'oh?k+y?',
    'okey',
    'okie(?: dokie)?',
    'oki',
    'k+',
    'alright(?:y)?',
    'aight',
    'all right',
    "you'?re welcome",
    'god bless(?: you| u)?',
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
    'kwaheri',
    'ingat',
    'totsiens',
    'later',
    'laters',
    'ttyl',
    'g(?:oo+|u+)?d ?(?:night|nite|nyt|n8)',
    'bye for now',
    'talk (?:to (?:you|u) )?(?:later|soon)',
    'catch (?:you|u|ya) (?:later|soon)',
    'night night',
    'nite nite',
    "that'?s all (?:i (?:needed|wanted)|for now|thanks)",
    'gn',
    'tc',
    'have a (?:nice|good|great|lovely|blessed|wonderful|fab|fantastic) (?:day|evening|weekend|one|night|arvo|afternoon|week|morning)',
    'take care',
    'take it easy',
    '(?:chat|speak) soon',
    'hooroo',
    'hamba kahle',
    'sala kahle',
    'enjoy (?:your|the|ur) (?:day|evening|weekend|afternoon|arvo)',
    "that'?s all",
    'that is all',
    'nothing else',
    'no thanks',
    'no thank (?:you|u)',
    'all good',
    'adios',
    'hasta (?:luego|manana|pronto)',
    'tchau',
    'ate (?:logo|mais)',
    'sampai jumpa',
    '!dah',
    'allah hafiz',
    'khuda hafiz',
  ],
  // Whether a person or a program is answering: said plainly, with the way to a person.
  assistant: [
    '(?:are|r) (?:you|u) (?:a |an )?(?:real person|real human|person|human|bot|robot|machine|computer|ai|chat ?bot|automated|automatic|real)(?: or (?:a |an )?(?:real )?(?:person|human|bot|robot|machine|ai))?',
    '(?:is|iz) (?:this|dis|it) (?:a |an )?(?:real person|real human|person|human|bot|robot|machine|ai|chat ?bot|automated|automatic|real)(?: or (?:a |an )?(?:real )?(?:person|human|bot|robot|machine|ai))?',
    '(?:am i|i am|im) (?:talking|chatting|speaking) (?:to|with) (?:a |an )?(?:real person|real human|person|human|bot|robot|machine|ai)',
    '(?:bot|robot|human) or (?:human|person|bot|robot)',
  ],
};

/** How customers address a person ("sir", "ji", "ma", "aunty", "kuya", "bhaiya", "boss"): words that name nothing a business offers. */
const TITLES =
  "sir|sirs|madam|mam|maam|ma'am|ma|mma|ate|kuya|boet|bru|bra|chief|hun|hon|babe|darling|senhor|senhora|senor|senora|amiga|amigo|pak|bu|kak|mba|ji|sahib|saheb|bhai|bhaiya|didi|aunty|auntie|oga|boss|mate|pal|buddy|bro|bruh|bud|dear";

/**
 * Words around small talk that say nothing more: who it is addressed to (the titles above, and
 * words that may also name a thing asked about: "doctor", "love", "team"), the respect of "po", its
 * intensifiers ("a million") and the particles of local English ("alright o").
 */
const ADDRESS = `${TITLES}|po|opo|love|luv|pet|abeg|jare|ooo|na|kaayo|jud|gyud|mas|miss|doctor|doc|uncle|friend|team|guys|all|everyone|there|again|so|very|much|a lot|lot|a ton|tons|a million|a bunch|loads|heaps|indeed|bahut|stuff|too|and|also|then|with|please|pls|plz|oh|ah|o+|wow|hmm+|lol|ha(?:ha)+|he(?:he)+|xx+|x`;

/** Whether a word is a title a customer addresses a person by ("bhaiya", "sir", "boss"): it names nothing asked about. */
const TITLE_WORDS = new Set(TITLES.split('|'));
export const isAddressWord = (word: string) => TITLE_WORDS.has(word);

/** A word with its doubled letters made single: "thanksss", "okkk" and "byeee" read as "thanks", "ok", "bye". */
const squeezed = (text: string) => text.replace(/([a-z])\1+/g, '$1');

const KINDS = Object.keys(PHRASES) as SmallTalk[];
// Patterns are matched against squeezed words, so they are squeezed too ("good" → "god", "all" → "al").
const PATTERNS = KINDS.flatMap((kind) =>
  PHRASES[kind].map((phrase) => {
    const alone = phrase.startsWith('!');
    return { kind, alone, pattern: new RegExp(`^(?:${squeezed(alone ? phrase.slice(1) : phrase)})(?: |$)`) };
  }),
);
const FILLER = new RegExp(`^(?:${squeezed(ADDRESS)})(?: |$)`);

/**
 * Whole small-talk words a customer may misspell by one letter ("thnak", "helo", "thaks"). Only a
 * message of nothing else is read through these: in front of a question a slip could be a real
 * word of it ("mourning flowers").
 */
const SLIPPED = ['thanks', 'thank', 'hello', 'goodbye', 'cheers', 'morning', 'evening', 'afternoon', 'alright', 'awesome', 'perfect', 'appreciated'].map(
  squeezed,
);

/** The longest small-talk phrase at the start of the words, with its kind; phrases said alone only when the words are the whole message. */
function phraseAt(words: string, whole: boolean): { kind: SmallTalk; length: number } | undefined {
  let found: { kind: SmallTalk; length: number } | undefined;
  for (const { kind, alone, pattern } of PATTERNS) {
    if (alone && !whole) continue;
    const match = pattern.exec(words);
    if (match && match[0].length > (found?.length ?? 0)) found = { kind, length: match[0].length };
  }
  return found;
}

/** The text as small talk is matched: lower-case squeezed words (letters, digits, apostrophes), emoji and punctuation gone. */
function plain(text: string): string {
  return squeezed(
    text
      .toLowerCase()
      // "olá", "adiós", "mañana": read without their accents
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(/[’`]/g, "'")
      .replace(/[^a-z0-9' ]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

/** Whether two words differ by at most one letter added, dropped, changed or two swapped. */
export function withinOneSlip(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const rest = (x: string, from: number) => x.slice(from);
  if (a.length === b.length) {
    if (rest(a, i + 1) === rest(b, i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && rest(a, i + 2) === rest(b, i + 2);
  }
  return a.length > b.length ? rest(a, i + 1) === rest(b, i) : rest(a, i) === rest(b, i + 1);
}

/**
 * The words with each one-letter slip of a small-talk word put right ("thnak u" → "thank u"). Short
 * words are left alone: "tank" or "think" alone may be a question, "thnak you" is not.
 */
function withSlipsMended(words: string): string {
  const all = words.split(' ');
  const shortest = all.length === 1 ? 6 : 5;
  return all.map((word) => (word.length >= shortest ? (SLIPPED.find((known) => withinOneSlip(word, known)) ?? word) : word)).join(' ');
}

/**
 * Reads small-talk phrases from the start of the words: their kinds, and how many characters of
 * `words` they (and the words around them that say nothing more) take up.
 */
function leadingSmallTalk(words: string, whole: boolean): { kinds: SmallTalk[]; length: number } {
  const kinds: SmallTalk[] = [];
  let length = 0;
  let fillers = 0;
  for (;;) {
    const rest = words.slice(length);
    const phrase = phraseAt(rest, whole);
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
  let { kinds, length } = leadingSmallTalk(words, true);
  if (length < words.length) {
    const mended = withSlipsMended(words);
    ({ kinds, length } = leadingSmallTalk(mended, true));
    if (length < mended.length) return undefined;
  }
  // "ok bye", "thanks, bye": a message ends as its last part does; "ok" after a greeting or thanks adds nothing.
  return kinds.at(-1);
}

/** A bare time of day opening a message with no pause after it. */
const TIME_OF_DAY_IN_QUESTION = /^\s*(?:morning|afternoon|evening)\s+(?!(?:sir|madam|ma'?am|all|everyone|team|guys|there)\b)[a-z]/i;

/**
 * The question without the small talk in front of it: "hi, do you rent bikes?" → "do you rent
 * bikes?", "Thank you sir. And the price?" → "And the price?". The text as it was when nothing
 * but small talk is left.
 */
export function withoutSmallTalk(text: string): string {
  // "Evening classes?", "morning slots free?": a time of day run into the next word is the question's own.
  if (TIME_OF_DAY_IN_QUESTION.test(text)) return text;
  // Words are read on the plain text; the question is cut from the original at the same word.
  const words = plain(text);
  const { length } = leadingSmallTalk(words, false);
  if (length === 0 || length >= words.length) return text;
  const wordsBefore = words.slice(0, length).trim().split(' ').length;
  // The same words plain() keeps: runs of letters, digits and apostrophes.
  const pattern = /[\p{L}\p{N}'’`]+/gu;
  const original = text.match(pattern) ?? [];
  let seen = 0;
  let at = 0;
  for (let match = pattern.exec(text); match && seen < wordsBefore; match = pattern.exec(text)) {
    seen++;
    at = match.index + match[0].length;
  }
  const rest = text
    .slice(at)
    .replace(/^[\s,!?.:;\-–—)]+/, '')
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
    case 'assistant':
      return `I'm ${organizationName}'s automatic assistant: ask me anything about us, or reply *human* to talk to a person.`;
  }
}
