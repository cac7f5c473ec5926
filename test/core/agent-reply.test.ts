import { describe, expect, it } from 'vitest';
import { parseAgentReply, sameVisitorName } from '../../src/core/agent-reply.js';

describe('parseAgentReply', () => {
  it('reads #ref: text as a reply to that conversation', () => {
    expect(parseAgentReply('#282: Hello there')).toEqual({ kind: 'message', target: { by: 'ref', ref: 282 }, text: 'Hello there' });
    expect(parseAgentReply('  #7 :  multi\nline ')).toEqual({ kind: 'message', target: { by: 'ref', ref: 7 }, text: 'multi\nline' });
  });

  it('needs the colon after #ref, so text that starts with a number sign is not a prefix', () => {
    expect(parseAgentReply('#1 priority is your bike')).toEqual({ kind: 'message', target: null, text: '#1 priority is your bike' });
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

  it('leaves text without a prefix (and a caption-less photo) untargeted', () => {
    expect(parseAgentReply('Sure, one moment')).toEqual({ kind: 'message', target: null, text: 'Sure, one moment' });
    expect(parseAgentReply(null)).toEqual({ kind: 'message', target: null, text: '' });
    expect(parseAgentReply('#282 /unknown')).toEqual({ kind: 'message', target: null, text: '#282 /unknown' });
  });

  it('compares visitor names without case or extra spaces', () => {
    expect(sameVisitorName('viral  Tarpara ', 'Viral tarpara')).toBe(true);
    expect(sameVisitorName('Viral', 'Viral tarpara')).toBe(false);
  });
});
