import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../src/core/certainty.js';
import { asksInItsOwnWords, coverageOf, withCoverageChecked } from '../../src/core/coverage.js';
import type { KnowledgeEntry } from '../../src/core/entries.js';
import { buildIndex, loadIndex } from '../../src/core/retrieval.js';
import { wordnetLexicon } from '../../src/services/knowledge/synonyms.js';

/** A trained index of entries given as [question, answer], the words alone (no sentence vectors). */
function studioIndex(pairs: [string, string][]) {
  const entries: KnowledgeEntry[] = pairs.map(([question, answer], n) => ({
    id: `faq#${n}`,
    documentId: 'faq',
    documentTitle: 'Studio FAQ',
    question,
    phrasings: [],
    answer,
  }));
  const built = buildIndex(entries);
  return loadIndex(built.indexJson, built.chunksJson, wordnetLexicon);
}

// An invented pottery studio: "pottery" is in nearly every entry, the rest in one or two.
const studio = studioIndex([
  ['Do you sell pottery?', 'Our pottery shop sells mugs, bowls and plates made in the studio.'],
  ['Can I book a pottery class?', 'Book a pottery class online; classes run Tuesday to Saturday.'],
  ['Do you rent pottery wheels?', 'Wheel rental is £12 an hour, clay included.'],
  ['Do you fire pottery made elsewhere?', 'We fire pottery from other studios in our kiln for £5 a shelf.'],
  ['Is there parking at the pottery?', 'Free parking is behind the pottery.'],
  ['What glazes do you use?', 'All our pottery glazes are food safe and lead free.'],
]);

describe('whether the knowledge base covers what a message asks about', () => {
  it('is not covered when the thing asked for is a word the knowledge base never uses and only request words matched', () => {
    expect(coverageOf(studio, 'do you sell pizza')).toMatchObject({ covered: false, missing: ['pizza'] });
    expect(coverageOf(studio, 'can I book a flight to Paris?')).toMatchObject({ covered: false, missing: ['flight'] });
    expect(coverageOf(studio, 'do u repair washing machines')).toMatchObject({ covered: false });
    // "help me with", "looking for": what follows the preposition is what is asked for.
    expect(coverageOf(studio, 'can you help me with my tax return')).toMatchObject({ covered: false, missing: expect.arrayContaining(['tax']) });
    expect(coverageOf(studio, 'do you make mugs for a cafe')).toMatchObject({ covered: true, missing: [] });
  });

  it('reads a word nearly every entry holds as the business itself, not the subject of the question', () => {
    // "pottery" is in every entry: "lamps" is what is asked about.
    expect(coverageOf(studio, 'do you sell pottery lamps?')).toMatchObject({ covered: false, missing: ['lamps'] });
  });

  it('is not covered when the thing asked for is a rare word, though other words of the message match some entries', () => {
    // "classes" and "kiln" are the studio's words; "biryani" is rarely said, and never by the studio.
    expect(coverageOf(studio, 'do you do biryani classes')).toMatchObject({ covered: false, missing: ['biryani'], specific: ['classes'] });
    expect(coverageOf(studio, 'can you bake biryani in the kiln')).toMatchObject({ covered: false, missing: ['biryani'] });
    // A commoner missing word beside a word particular to some entries keeps the menu ("brake pads" at a bike shop)…
    expect(coverageOf(studio, 'do you fire dentist plates')).toMatchObject({ covered: true, missing: ['dentist'] });
    // …but not beside a place the message is put in: "a dentist near the kiln" is not about the kiln.
    expect(coverageOf(studio, 'do you know a good dentist near the kiln')).toMatchObject({ covered: false, missing: ['dentist'], specific: [] });
    // The business itself, however it is called, is never what is missing.
    expect(coverageOf(studio, 'where is your shop located')).toMatchObject({ covered: true, missing: [] });
  });

  it('does not take a word of everyday speech, or a verb alone, for the thing asked about', () => {
    // "somewhere" and "money" are said too often to name a subject; "provided" names what is done, not a thing.
    expect(coverageOf(studio, 'is there somewhere to park')).toMatchObject({ covered: true, missing: [] });
    expect(coverageOf(studio, 'can I get my money back on a class')).toMatchObject({ covered: true, missing: [] });
    expect(coverageOf(studio, 'is clay provided in the class')).toMatchObject({ covered: true, missing: [] });
  });

  it('is covered when a word of the knowledge base matches, in another form or as a synonym', () => {
    expect(coverageOf(studio, 'do you sell glazes? the pink ones')).toMatchObject({ covered: true, missing: [], specific: ['glazes'] });
    expect(coverageOf(studio, 'can I hire a wheel')).toMatchObject({ covered: true });
    expect(coverageOf(studio, 'do you do rentals')).toMatchObject({ covered: true });
  });

  it('does not take the words that only place a request, or say when, for its subject', () => {
    for (const question of ['can I book a class for my granddaughter on saturday', 'is there parking near the cathedral', 'do you sell mugs tomorrow']) {
      expect(coverageOf(studio, question), question).toMatchObject({ covered: true, missing: [] });
    }
  });

  it('judges the request, not a problem told in words of its own, nor what follows the request', () => {
    expect(coverageOf(studio, 'a crack appeared in my teapot after firing, can you help')).toMatchObject({ covered: true, missing: [] });
    // "pots": pottery's short word, a form of it.
    expect(coverageOf(studio, 'do you fire pots from other studios? mine is a porcelain teapot')).toMatchObject({ covered: true });
  });
});

describe("a message in the knowledge base's own words", () => {
  it('names only words the knowledge base uses as they are: a synonym or another form is not its own word', () => {
    expect(asksInItsOwnWords(coverageOf(studio, 'do you rent pottery wheels'))).toBe(true);
    expect(coverageOf(studio, 'can I hire a wheel')).toMatchObject({ covered: true, namedOtherwise: ['hire'] });
    expect(asksInItsOwnWords(coverageOf(studio, 'can I hire a wheel'))).toBe(false);
    expect(asksInItsOwnWords(coverageOf(studio, 'do you sell pizza'))).toBe(false);
  });
});

describe('a message asking for work', () => {
  it('is not covered unless the knowledge base speaks of working there, though "hire" rents the wheels', () => {
    for (const question of [
      'are you hiring? looking for a part time job',
      'Do you take apprentices? I want to learn',
      'are u hiring wheel throwers for summer',
    ]) {
      expect(coverageOf(studio, question), question).toMatchObject({ covered: false, offTopic: true });
    }
    expect(coverageOf(studio, 'can I hire a wheel for the summer')).toMatchObject({ covered: true, offTopic: false });
    const hiringStudio = studioIndex([
      ['Do you sell pottery?', 'Our pottery shop sells mugs and bowls.'],
      ['Are you hiring?', 'We post jobs for studio assistants on our careers page.'],
    ]);
    expect(coverageOf(hiringStudio, 'are you hiring? looking for a part time job')).toMatchObject({ offTopic: false });
    // A place named "CV Raman Nagar" is no talk of CVs; working "at the studio" in exchange is asking for work,
    // working "there on Sunday" at a coworking space is not.
    const inNagar = studioIndex([['Where are you?', 'We are in CV Raman Nagar, near the metro.']]);
    expect(coverageOf(inNagar, 'are u hiring, i am a trained potter')).toMatchObject({ offTopic: true });
    expect(coverageOf(studio, 'can i work at the studio in exchange for free classes?')).toMatchObject({ offTopic: true });
    expect(coverageOf(studio, 'can i work there on sunday also')).toMatchObject({ offTopic: false });
  });
});

describe('chat of the weather and the news', () => {
  it('is not covered unless the knowledge base speaks of it', () => {
    for (const question of [
      'what is the weather in town today, will it rain',
      'who won the match last night',
      'arsenal vs chelsea score?',
      'who is going to win the election',
      'tell me a joke',
    ]) {
      expect(coverageOf(studio, question), question).toMatchObject({ covered: false, offTopic: true });
    }
    const outdoorStudio = studioIndex([
      ['Do you fire outdoors?', 'Our raku firings are outdoors; if the weather turns to rain we move inside.'],
      ['Do you sell pottery?', 'Our pottery shop sells mugs and bowls.'],
    ]);
    expect(coverageOf(outdoorStudio, 'what if the forecast says rain tomorrow?')).toMatchObject({ offTopic: false });
  });
});

describe('what every business is asked', () => {
  it('is not covered unless the knowledge base speaks of it: another branch, instalments, gift cards, loyalty points, a discount, classes, films, airtime', () => {
    const shop = studioIndex([
      ['Where is your shop?', 'Our shop is at 4 Mill Lane, behind the market; we install shelves on request.'],
      ['Do you sell pottery?', 'Our pottery shop sells mugs, bowls and plates made here.'],
      ['How can I pay?', 'We take cash, cards and bank transfer.'],
    ]);
    for (const question of [
      'do you have a branch in Leeds?',
      'any other outlets near the station',
      'can I pay in instalments',
      'do you sell gift cards',
      'do you have a loyalty card or points',
      'do you give student discount',
      'do you run pottery classes?',
      'do you train people? i want to learn',
      'pushpa 2 show timings',
      'Leeds United score?',
      "who's playing at the stadium on saturday",
      'abeg send me recharge card',
      'can you lend me 2000',
    ]) {
      expect(coverageOf(shop, question), question).toMatchObject({ covered: false, offTopic: true });
    }
    // The business itself, a way to come, and paying as the shop speaks of it are asked like any subject.
    for (const question of ['where is your branch?', 'can I come by train?', 'can I pay by card?']) {
      expect(coverageOf(shop, question), question).toMatchObject({ offTopic: false });
    }
    // A knowledge base that speaks of it answers it: the studio's classes, its vouchers, its payment plan.
    const studioWithMore = studioIndex([
      ['Can I book a pottery class?', 'Book a pottery class online; classes run Tuesday to Saturday.'],
      ['Do you sell gift vouchers?', 'Gift vouchers from £20, online or in the shop.'],
      ['Can I spread the cost?', 'Courses can be paid in three monthly instalments.'],
    ]);
    for (const question of ['do you run pottery classes?', 'do you sell gift cards', 'can I pay in installments']) {
      expect(coverageOf(studioWithMore, question), question).toMatchObject({ offTopic: false });
    }
  });

  it('does not take the word a customer addresses the business by for a subject: "bhaiya", "boss"', () => {
    expect(coverageOf(studio, 'Bhaiya pottery wheel kitna per hour?')).toMatchObject({ covered: true, missing: [] });
    expect(coverageOf(studio, 'boss, wheel rental price?')).toMatchObject({ covered: true, missing: [] });
    // A word said to a person that may also name a thing asked about is still the subject: "pet".
    expect(coverageOf(studio, 'do you sell pet food?').missing).toContain('pet');
  });

  it('reads two known words written as one as known: "hayfever", "cutoff"', () => {
    const pharmacy = studioIndex([
      ['Do you sell hay fever tablets?', 'Yes, hay fever tablets and sprays are on the shelf by the till.'],
      ['When must I order?', 'The cut-off for next-day orders is 4pm.'],
    ]);
    expect(coverageOf(pharmacy, 'have u got hayfever tablets')).toMatchObject({ missing: [] });
    expect(coverageOf(pharmacy, 'cutoff for orders?')).toMatchObject({ missing: [] });
    expect(coverageOf(pharmacy, 'do you sell vapes')).toMatchObject({ covered: false, missing: ['vapes'], unheardOf: true });
  });
});

describe('a menu for a message the knowledge base does not cover', () => {
  const entry = studio.entries.values().next().value!;
  const passage = studio.passages.values().next().value!;
  const candidate: Candidate = { entry, passage, score: 0.3, wordScore: 2, coverage: 0.4, similarity: 0.5, wordRank: 0, meaningRank: 0 };

  it('becomes "not sure" (a person is offered), keeping its confidence', () => {
    const menu = { kind: 'choices' as const, candidates: [candidate, candidate], confidence: 0.41 };
    expect(withCoverageChecked(menu, coverageOf(studio, 'do you sell pizza'))).toEqual({ kind: 'not-sure', confidence: 0.41 });
    expect(withCoverageChecked(menu, coverageOf(studio, 'do you sell glazed bowls'))).toBe(menu);
  });

  it('leaves an answer alone, unless the message asks for work or names its subject by a word of no dictionary alone', () => {
    const answer = { kind: 'answer' as const, candidate, confidence: 0.7 };
    expect(withCoverageChecked(answer, coverageOf(studio, 'do you sell pizza'))).toBe(answer);
    expect(withCoverageChecked(answer, coverageOf(studio, 'are you hiring wheel instructors?'))).toEqual({ kind: 'not-sure', confidence: 0.7 });
    // "vapes" is in no dictionary and nothing else asked is the studio's; "glazed vapes" names the studio's glazes too.
    expect(withCoverageChecked(answer, coverageOf(studio, 'do you sell vapes'))).toEqual({ kind: 'not-sure', confidence: 0.7 });
    expect(withCoverageChecked(answer, coverageOf(studio, 'do you sell glazed vapes'))).toBe(answer);
  });
});
