// The shared sentence encoder is handed out fairly (issue 20): a customer's question goes before
// any training's batch, organizations' trainings take turns, and a batch past its time limit
// fails alone while a new thread takes the next. The encoder's own scheduling runs here on a
// stand-in thread (test/fakes/slow-encoder.mjs) that spends a set time a text, so the order and
// the waits do not depend on how busy the machine is; the model itself is meaning.test.ts's.
import { afterEach, describe, expect, it } from 'vitest';
import { EncoderTimeoutError, type SentenceEncoder, workerEncoder } from '../../../src/services/knowledge/meaning/encoder.js';

const SLOW_THREAD = new URL('../../fakes/slow-encoder.mjs', import.meta.url);

function slowEncoder(msPerText: number, timeoutMs = 60_000): SentenceEncoder {
  return workerEncoder({ timeoutMs, thread: { script: SLOW_THREAD, data: { msPerText } } });
}

const texts = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix} passage ${i} about bikes`);

const pending: Promise<unknown>[] = [];
afterEach(async () => {
  await Promise.allSettled(pending.splice(0));
});

describe('the shared sentence encoder', () => {
  it('answers a question before the batches a training queued earlier', async () => {
    // 200 passages at 25 ms: five seconds of training, in batches of 4 (100 ms each).
    const encoder = slowEncoder(25);
    await encoder.embed(['warm up']);
    const training = encoder.embed(texts(200, 'catalogue'), { lane: 'training', organizationId: 'org-a' });
    pending.push(training);
    let trained = false;
    void training.then(() => (trained = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const asked = performance.now();
    const [vector] = await encoder.embed(['when are you open?'], { lane: 'question' });
    const waited = performance.now() - asked;
    expect(vector).toHaveLength(64);
    // Behind the whole training it would have waited about five seconds; one batch is 100 ms.
    expect(trained).toBe(false);
    expect(waited).toBeLessThan(2_000);
  });

  it("takes organizations' training batches in turn, so a small training is not held behind a large one", async () => {
    const encoder = slowEncoder(10);
    const finished: string[] = [];
    const large = encoder.embed(texts(400, 'large'), { lane: 'training', organizationId: 'org-large' }).then(() => finished.push('large'));
    pending.push(large);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const small = encoder.embed(texts(12, 'small'), { lane: 'training', organizationId: 'org-small' }).then(() => finished.push('small'));
    await small;
    expect(finished).toEqual(['small']);
    await large;
    expect(finished).toEqual(['small', 'large']);
  });

  it('fails a batch that passes its time limit, and a new thread answers the next call', async () => {
    // The limit counts from when a batch is sent, a new thread's start included: generous for a busy machine.
    const encoder = slowEncoder(1, 5_000);
    const started = performance.now();
    const stuck = encoder.embed(['<'.repeat(50) + 'STUCK'], { lane: 'training', organizationId: 'org-a' });
    const question = encoder.embed(['do you deliver?'], { lane: 'question' });
    await expect(stuck).rejects.toThrow(EncoderTimeoutError);
    await expect(stuck).rejects.toThrow(/took longer than 5000 ms/);
    expect(performance.now() - started).toBeLessThan(30_000);
    // The question queued behind the stuck batch is answered by the thread that replaced it.
    const [vector] = await question;
    expect(vector).toHaveLength(64);
    const [again] = await encoder.embed(['and on sundays?']);
    expect(again).toHaveLength(64);
  });
});
