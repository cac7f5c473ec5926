import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import { ManualClock } from '../../../src/core/clock.js';
import { PayloadError } from '../../../src/providers/provider.js';
import { simulator } from '../../../src/providers/simulator/index.js';
import { LocalBus, type LiveEvent } from '../../../src/realtime/bus.js';
import { webhookRequest } from '../../fixtures/providers/index.js';

const post = (body: unknown) => webhookRequest({ url: '/api/webhooks/sim', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('simulator webhooks', () => {
  it('parses a message with its id, name, media and reply context', () => {
    const [event] = simulator.parse(
      post({
        id: 'sim_page_1',
        from: '+15551230001',
        to: '+15550001000',
        text: 'Hi there',
        name: 'Ada',
        replyTo: 'sim_abc',
        media: { url: 'data:text/plain,hello', mimeType: 'text/plain', filename: 'hello.txt' },
      }),
    );
    expect(event).toEqual({
      kind: 'message',
      provider: 'simulator',
      providerMessageId: 'sim_page_1',
      to: { phone: '+15550001000' },
      from: { phone: '+15551230001', name: 'Ada' },
      text: 'Hi there',
      media: { type: 'document', url: 'data:text/plain,hello', mimeType: 'text/plain', filename: 'hello.txt' },
      replyToProviderMessageId: 'sim_abc',
    });
    expect(simulator.routingHint(post({ from: '+15551230001', to: '+15550001000', text: 'x' }))).toEqual({ phone: '+15550001000' });
  });

  it('generates a sim_ id when the post has none', () => {
    const [event] = simulator.parse(post({ from: '+15551230001', to: '+15550001000', text: 'x' }));
    expect(event).toMatchObject({ providerMessageId: expect.stringMatching(/^sim_[0-9a-f-]{36}$/) });
  });

  it('parses statuses and typing', () => {
    expect(simulator.parse(post({ type: 'status', id: 'sim_1', status: 'read' }))).toEqual([
      { kind: 'status', provider: 'simulator', providerMessageId: 'sim_1', status: 'read' },
    ]);
    expect(simulator.parse(post({ type: 'typing', from: '+15551230001', to: '+15550001000' }))).toEqual([
      { kind: 'typing', provider: 'simulator', to: { phone: '+15550001000' }, from: { phone: '+15551230001' } },
    ]);
  });

  it('throws PayloadError for bad posts', () => {
    for (const bad of [
      [],
      { from: '+15551230001', to: 'nobody', text: 'x' },
      { from: '??', to: '+15550001000', text: 'x' },
      { from: '+15551230001', to: '+15550001000' },
      { type: 'status', id: 'x', status: 'lost' },
      { type: 'dance' },
      { from: '+15551230001', to: '+15550001000', text: 5 },
    ]) {
      expect(() => simulator.parse(post(bad)), JSON.stringify(bad)).toThrow(PayloadError);
    }
    expect(() => simulator.parse(webhookRequest({ url: '/api/webhooks/sim', body: '{' }))).toThrow(PayloadError);
  });

  it('is never detected on the shared endpoint and keeps the 24-hour window like Meta', () => {
    expect(simulator.detect(post({ from: '+15551230001', to: '+15550001000', text: 'x' }))).toBe(false);
    expect(simulator.hasServiceWindow).toBe(true);
  });
});

describe('simulator send', () => {
  it('delivers to the simulated phone on the sim channel and reports sent', async () => {
    const bus = new LocalBus();
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    const seen: LiveEvent[] = [];
    bus.subscribe('sim', (event) => seen.push(event));
    const result = await simulator.send(
      { config: testConfig(), bus, clock },
      {},
      { from: { phone: '+15550001000' }, to: '+15551230001', text: 'Hello from the bot', replyToProviderMessageId: 'sim_page_1' },
    );
    expect(result).toEqual({ providerMessageId: expect.stringMatching(/^sim_/), status: 'sent' });
    expect(seen).toEqual([
      {
        channel: 'sim',
        type: 'message',
        data: {
          id: result.providerMessageId,
          from: '+15550001000',
          to: '+15551230001',
          text: 'Hello from the bot',
          media: null,
          replyTo: 'sim_page_1',
          createdAt: '2026-03-01T10:00:00.000Z',
        },
      },
    ]);
  });

  it('refuses without a bus or with a bad recipient', async () => {
    await expect(simulator.send({ config: testConfig() }, {}, { from: { phone: '+15550001000' }, to: '+15551230001', text: 'x' })).rejects.toMatchObject({
      kind: 'permanent',
      code: 'NO_BUS',
    });
    await expect(
      simulator.send({ config: testConfig(), bus: new LocalBus() }, {}, { from: { phone: '+15550001000' }, to: '<>', text: 'x' }),
    ).rejects.toMatchObject({ code: 'BAD_RECIPIENT' });
  });

  it('reads data: URL media', async () => {
    const file = await simulator.fetchMedia!(
      { config: testConfig() },
      {},
      { type: 'image', url: `data:image/png;base64,${Buffer.from('PNG').toString('base64')}` },
    );
    expect(file).toEqual({ bytes: Buffer.from('PNG'), contentType: 'image/png' });
  });
});
