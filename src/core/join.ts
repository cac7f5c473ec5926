// Join codes: how a customer on the shared trial number picks an organization (`join amber-otter`).
// Two short everyday words are easy to read out and type on a phone, and there are enough pairs
// (64 × 64) that a collision is retried, then widened with a number.

const FIRST = [
  'amber', 'apple', 'aqua', 'autumn', 'bold', 'brave', 'breezy', 'bright', 'calm', 'cedar', 'clear', 'clever',
  'coral', 'cosy', 'crisp', 'daring', 'dawn', 'eager', 'early', 'fair', 'fancy', 'fresh', 'gentle', 'glad',
  'golden', 'grand', 'happy', 'honey', 'jolly', 'keen', 'kind', 'lemon', 'lively', 'lucky', 'maple', 'merry',
  'mint', 'misty', 'noble', 'olive', 'pearl', 'plum', 'polite', 'proud', 'quick', 'quiet', 'rapid', 'rosy',
  'ruby', 'sandy', 'silver', 'smart', 'snowy', 'solar', 'sunny', 'swift', 'tidy', 'tiny', 'topaz', 'true',
  'velvet', 'vivid', 'warm', 'witty',
];
const SECOND = [
  'badger', 'bear', 'beaver', 'bison', 'crane', 'cricket', 'deer', 'dolphin', 'eagle', 'falcon', 'ferret', 'finch',
  'fox', 'gecko', 'goose', 'hare', 'hawk', 'heron', 'ibis', 'jaguar', 'koala', 'lark', 'lemur', 'lion',
  'lynx', 'magpie', 'marten', 'mole', 'moose', 'newt', 'otter', 'owl', 'panda', 'parrot', 'pelican', 'penguin',
  'puffin', 'quail', 'rabbit', 'raven', 'robin', 'salmon', 'seal', 'shark', 'sparrow', 'squid', 'stork', 'swan',
  'tiger', 'toucan', 'trout', 'turtle', 'walrus', 'whale', 'wolf', 'wombat', 'wren', 'yak', 'zebra', 'bee',
  'camel', 'dove', 'frog', 'hippo',
];

/** A new code; `attempt` > 2 adds a number so that retries after collisions always make progress. */
export function newJoinCode(random: () => number, attempt = 0): string {
  const pick = (words: string[]) => words[Math.floor(random() * words.length)]!;
  const base = `${pick(FIRST)}-${pick(SECOND)}`;
  return attempt > 2 ? `${base}-${Math.floor(random() * 900) + 100}` : base;
}

/** `join Amber-Otter ` → `amber-otter`; anything else → undefined. Case and extra spaces do not matter. */
export function parseJoinCommand(text: string | null | undefined): string | undefined {
  const m = /^\s*join\s+([a-z0-9][a-z0-9-]{0,62})\s*$/i.exec(text ?? '');
  return m ? m[1]!.toLowerCase() : undefined;
}
