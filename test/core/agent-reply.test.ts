import { describe, expect, it } from 'vitest';
import { parseAgentCommand, parseAgentReply, sameVisitorName } from '../../src/core/agent-reply.js';

describe('parseAgentReply', () => {
  it('reads #ref: text as a reply to that conversation', () => {
    expect(parseAgentReply('#282: Hello there')).toEqual({ kind: 'message', target: { by: 'ref', ref: 282 }, text: 'Hello there' });
    expect(parseAgentReply('  #7 :  multi\nline ')).toEqual({ kind: 'message', target: { by: 'ref', ref: 7 }, text: 'multi\nline' });
  });

  it('reads a message that starts with #ref and a space, -, . or , as naming that conversation too', () => {
    expect(parseAgentReply('#5 hello')).toEqual({ kind: 'message', target: { by: 'ref', ref: 5 }, text: 'hello' });
    expect(parseAgentReply('#5- hello')).toEqual({ kind: 'message', target: { by: 'ref', ref: 5 }, text: 'hello' });
    expect(parseAgentReply('#5.hello')).toEqual({ kind: 'message', target: { by: 'ref', ref: 5 }, text: 'hello' });
    expect(parseAgentReply('#5, hello')).toEqual({ kind: 'message', target: { by: 'ref', ref: 5 }, text: 'hello' });
    expect(parseAgentReply('#5')).toEqual({ kind: 'message', target: { by: 'ref', ref: 5 }, text: '' });
    expect(parseAgentReply('#5 - /close')).toEqual({ kind: 'close', target: { by: 'ref', ref: 5 } });
  });

  it('never reads a message that starts like a reference as text for another conversation', () => {
    expect(parseAgentReply('#5abc hello')).toEqual({ kind: 'message', target: { by: 'unclear', start: '#5abc' }, text: '#5abc hello' });
    expect(parseAgentReply('#12345678901 hi')).toMatchObject({ target: { by: 'unclear', start: '#12345678901' } });
    // Spaced, full-width or other-script digits are asked again rather than guessed at.
    expect(parseAgentReply('# 282 hi')).toMatchObject({ target: { by: 'unclear', start: '# 282' } });
    expect(parseAgentReply('＃282 hi')).toMatchObject({ target: { by: 'unclear', start: '＃282' } });
    expect(parseAgentReply('#２８２ hi')).toMatchObject({ target: { by: 'unclear', start: '#２８２' } });
    expect(parseAgentReply('#٢٨٢ hi')).toMatchObject({ target: { by: 'unclear' } });
    // Invisible marks a phone puts before the text (direction marks, zero-width spaces) are not text.
    expect(parseAgentReply('\u200e#282 hi')).toEqual({ kind: 'message', target: { by: 'ref', ref: 282 }, text: 'hi' });
    expect(parseAgentReply('\u200b@Ana: hi')).toEqual({ kind: 'message', target: { by: 'name', name: 'Ana' }, text: 'hi' });
    expect(parseAgentReply('#0282: hi')).toEqual({ kind: 'message', target: { by: 'ref', ref: 282 }, text: 'hi' });
    // A number sign not followed by a digit is ordinary text.
    expect(parseAgentReply('#hashtag fun')).toEqual({ kind: 'message', target: null, text: '#hashtag fun' });
  });

  it('reads ACCEPT <code> in any case and STOP AGENT; anything else is not a command', () => {
    expect(parseAgentCommand('accept k7qm2x')).toEqual({ kind: 'accept', code: 'K7QM2X' });
    expect(parseAgentCommand('  ACCEPT K7QM2X ')).toEqual({ kind: 'accept', code: 'K7QM2X' });
    expect(parseAgentCommand('Stop Agent')).toEqual({ kind: 'stop' });
    // A direction mark the phone put first does not turn the command into text for a visitor.
    expect(parseAgentCommand('\u200fSTOP AGENT')).toEqual({ kind: 'stop' });
    expect(parseAgentCommand('I accept your offer')).toBeUndefined();
    expect(parseAgentCommand('accept')).toBeUndefined();
    expect(parseAgentCommand(null)).toBeUndefined();
  });

  it('reads @Name: and @visitor_…: prefixes', () => {
    expect(parseAgentReply('@Viral tarpara: on my way')).toEqual({ kind: 'message', target: { by: 'name', name: 'Viral tarpara' }, text: 'on my way' });
    expect(parseAgentReply('@visitor_abc123: hi')).toEqual({ kind: 'message', target: { by: 'session', sessionPrefix: 'visitor_abc123' }, text: 'hi' });
  });

  it('reads /list and /close, with or without a reference', () => {
    expect(parseAgentReply('/list')).toEqual({ kind: 'list' });
    expect(parseAgentReply(' /LIST ')).toEqual({ kind: 'list' });
    expect(parseAgentReply('#282 /close')).toEqual({ kind: 'close', target: { by: 'ref', ref: 282 } });
    expect(parseAgentReply('#282: /close')).toEqual({ kind: 'close', target: { by: 'ref', ref: 282 } });
    expect(parseAgentReply('@Ana: /close')).toEqual({ kind: 'close', target: { by: 'name', name: 'Ana' } });
    expect(parseAgentReply('/close')).toEqual({ kind: 'close', target: null });
  });

  it('reads help, /ai, /wrong and a bare number (a pick), and never takes "help" as text for a visitor', () => {
    for (const text of ['help', 'HELP', '/help', ' /Help ', '#282 /help', '#282 help', '#282: help']) expect(parseAgentReply(text)).toEqual({ kind: 'help' });
    expect(parseAgentReply('#282 /ai')).toEqual({ kind: 'ai', target: { by: 'ref', ref: 282 } });
    expect(parseAgentReply('#282 /AI')).toEqual({ kind: 'ai', target: { by: 'ref', ref: 282 } });
    expect(parseAgentReply('#282: /wrong')).toEqual({ kind: 'wrong', target: { by: 'ref', ref: 282 } });
    expect(parseAgentReply('@Ana: /wrong')).toEqual({ kind: 'wrong', target: { by: 'name', name: 'Ana' } });
    expect(parseAgentReply('/ai')).toEqual({ kind: 'ai', target: null });
    expect(parseAgentReply('2')).toEqual({ kind: 'pick', choice: 2 });
    expect(parseAgentReply(' 1. ')).toEqual({ kind: 'pick', choice: 1 });
    expect(parseAgentReply('help me with this')).toEqual({ kind: 'message', target: null, text: 'help me with this' });
    expect(parseAgentReply('2 bikes are ready')).toEqual({ kind: 'message', target: null, text: '2 bikes are ready' });
    expect(parseAgentReply('#282: 2')).toEqual({ kind: 'message', target: { by: 'ref', ref: 282 }, text: '2' });
  });

  it('leaves text without a prefix (and a caption-less photo) untargeted', () => {
    expect(parseAgentReply('Sure, one moment')).toEqual({ kind: 'message', target: null, text: 'Sure, one moment' });
    expect(parseAgentReply(null)).toEqual({ kind: 'message', target: null, text: '' });
    expect(parseAgentReply('#282 /unknown')).toEqual({ kind: 'message', target: { by: 'ref', ref: 282 }, text: '/unknown' });
  });

  it('compares visitor names without case or extra spaces', () => {
    expect(sameVisitorName('viral  Tarpara ', 'Viral tarpara')).toBe(true);
    expect(sameVisitorName('Viral', 'Viral tarpara')).toBe(false);
  });
});
