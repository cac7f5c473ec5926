import { describe, expect, it } from 'vitest';
import { withShorthandWrittenOut } from '../../src/core/text.js';

describe('shorthand and words mixed in from other languages', () => {
  const knowsNothing = () => false;

  it('writes out the words customers mix into English: function words as filler, question words as what they ask', () => {
    expect(withShorthandWrittenOut('una dey open on saturday?', knowsNothing)).toBe('you are open on saturday?');
    expect(withShorthandWrittenOut('magkano po yung lechon', knowsNothing)).toBe('how much price  the lechon');
    expect(withShorthandWrittenOut('bei ya kunyoa ni ngapi', knowsNothing)).toBe('price ya kunyoa ni how many');
    expect(withShorthandWrittenOut('Kitna hai AC repair', knowsNothing)).toBe('how much price is AC repair');
    expect(withShorthandWrittenOut('gpay chalega?', knowsNothing)).toBe('gpay accepted?');
  });

  it('leaves a word the knowledge base uses as it is, and English words alone', () => {
    // A knowledge base that writes "Bei" (a name) or "COD" keeps them.
    expect(withShorthandWrittenOut('is bei in today', (word) => word === 'bei')).toBe('is bei in today');
    expect(withShorthandWrittenOut('COD available?', (word) => word === 'cod')).toBe('COD available?');
    expect(withShorthandWrittenOut('COD available?', knowsNothing)).toBe('cash on delivery available?');
    expect(withShorthandWrittenOut('will it fit me, may I try', knowsNothing)).toBe('will it fit me, may I try');
    expect(withShorthandWrittenOut('constructor toString', knowsNothing)).toBe('constructor toString');
  });
});
