// The knowledge base through its API: documents as JSON and as uploaded files, training that
// survives a restart, asking, deleting, and tenancy (another organization's key sees nothing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunksOfEntries, entriesOfDocument } from '../../../src/core/entries.js';
import { htmlToText, trimToSentences } from '../../../src/core/text.js';
import { answerQuestion } from '../../../src/services/knowledge/answers.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { ADMIN_KEY, startAdminApi, type AdminApi } from '../../http/admin-client.js';
import { makeTestContext } from '../../support/context.js';

let api: AdminApi;
let org: { id: string; key: string };
let other: { id: string; key: string };

beforeAll(async () => {
  api = await startAdminApi();
  org = await api.organizationWithKey('Harbour Bikes');
  other = await api.organizationWithKey('Other Shop');
});
afterAll(() => api.server.stop());

/** A multipart/form-data body with an optional title field and one file part. */
async function upload(orgId: string, filename: string, content: string | Buffer, options: { key?: string; title?: string } = {}) {
  const boundary = '----switchboard-test-boundary';
  const parts: Buffer[] = [];
  if (options.title) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${options.title}\r\n`));
  parts.push(
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
  );
  parts.push(Buffer.isBuffer(content) ? content : Buffer.from(content));
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  const response = await api.server.app.inject({
    method: 'POST',
    url: `/api/organizations/${orgId}/knowledge`,
    headers: { authorization: `Bearer ${options.key ?? ADMIN_KEY}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat(parts),
  });
  return { status: response.statusCode, body: response.json() };
}

describe('knowledge documents', () => {
  it('adds a JSON document and lists it with its size', async () => {
    const added = await api.call('POST', `/api/organizations/${org.id}/knowledge`, {
      key: org.key,
      body: { title: 'Opening hours', content: 'We are open Monday to Saturday from 9am to 6pm.' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      ok: true,
      document: { id: expect.any(String), title: 'Opening hours', sourceType: 'json', createdAt: expect.any(String), characters: 47 },
    });
    const listed = await api.call('GET', `/api/organizations/${org.id}/knowledge`, { key: org.key });
    expect(listed.body.documents.map((d: { id: string }) => d.id)).toContain(added.body.document.id);
  });

  it('refuses an empty document and a missing title with a sentence', async () => {
    const empty = await api.call('POST', `/api/organizations/${org.id}/knowledge`, { body: { title: 'Empty', content: '   \n ' } });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ ok: false, code: 'EMPTY_DOCUMENT', error: expect.stringMatching(/empty/) });
    const untitled = await api.call('POST', `/api/organizations/${org.id}/knowledge`, { body: { content: 'Text' } });
    expect(untitled.status).toBe(400);
    expect(untitled.body.ok).toBe(false);
  });

  it('accepts .md, .txt, .html and .csv uploads, turning HTML into text and CSV rows into pairs', async () => {
    const md = await upload(org.id, 'repairs.md', '# Repairs\n\nA puncture repair costs $15.', { title: 'Workshop' });
    expect(md).toMatchObject({ status: 201, body: { document: { title: 'Workshop', sourceType: 'md' } } });
    const txt = await upload(org.id, 'parking-info.txt', 'Free parking behind the shop.');
    expect(txt).toMatchObject({ status: 201, body: { document: { title: 'parking info', sourceType: 'txt' } } });

    const html = await upload(
      org.id,
      'about.html',
      '<html><head><title>About us</title><style>p{color:red}</style></head><body><script>alert("x")</script><h2>Team</h2><p>Five mechanics &amp; three sellers.</p></body></html>',
    );
    expect(html).toMatchObject({ status: 201, body: { document: { title: 'About us', sourceType: 'html' } } });
    const htmlRow = await api.ctx.db.selectFrom('knowledge_documents').select('content').where('id', '=', html.body.document.id).executeTakeFirstOrThrow();
    expect(htmlRow.content).toBe('## Team\n\nFive mechanics & three sellers.');

    // Columns are found by their header names, in any order, with extra columns ignored.
    const csv = await upload(org.id, 'faq.csv', 'id,Answer,Customer question\n1,"Yes, from $8 an hour.",Do you rent bikes?\n2,,Empty answer row\n');
    expect(csv).toMatchObject({ status: 201, body: { document: { sourceType: 'csv' } } });
    const csvRow = await api.ctx.db.selectFrom('knowledge_documents').select('content').where('id', '=', csv.body.document.id).executeTakeFirstOrThrow();
    expect(csvRow.content).toBe('Q: Do you rent bikes?\nA: Yes, from $8 an hour.');
  });

  it('refuses other file types, binary files and CSVs without question/answer columns', async () => {
    const sheet = await upload(org.id, 'menu.xlsx', 'PK');
    expect(sheet).toMatchObject({ status: 400, body: { ok: false, code: 'UNSUPPORTED_FILE_TYPE', error: expect.stringContaining('.pdf or .docx') } });
    const binary = await upload(org.id, 'notes.txt', Buffer.from([0x68, 0x00, 0x69]));
    expect(binary).toMatchObject({ status: 400, body: { code: 'UNSUPPORTED_FILE_TYPE' } });
    const columns = await upload(org.id, 'faq.csv', 'name,price\nTune-up,$65\n');
    expect(columns).toMatchObject({ status: 400, body: { code: 'INVALID_FILE', error: expect.stringMatching(/question.*answer/) } });
    const blank = await upload(org.id, 'blank.md', '  \n');
    expect(blank).toMatchObject({ status: 400, body: { code: 'EMPTY_DOCUMENT' } });
    const broken = await api.server.app.inject({
      method: 'POST',
      url: `/api/organizations/${org.id}/knowledge`,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'multipart/form-data' },
      payload: '',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ ok: false, code: 'INVALID_UPLOAD' });
  });

  it("hides one organization's knowledge base from another organization's key (404)", async () => {
    for (const [method, url, body] of [
      ['GET', `/api/organizations/${org.id}/knowledge`, undefined],
      ['POST', `/api/organizations/${org.id}/knowledge`, { title: 'x', content: 'y' }],
      ['POST', `/api/organizations/${org.id}/train`, {}],
      ['POST', `/api/organizations/${org.id}/ask`, { question: 'hours?' }],
    ] as const) {
      const answer = await api.call(method, url, { key: other.key, body });
      expect(answer.status, `${method} ${url}`).toBe(404);
    }
    const uploaded = await upload(org.id, 'x.txt', 'secret', { key: other.key });
    expect(uploaded.status).toBe(404);
    const documents = (await api.call('GET', `/api/organizations/${org.id}/knowledge`, { key: org.key })).body.documents;
    const deleted = await api.call('DELETE', `/api/organizations/${org.id}/knowledge/${documents[0].id}`, { key: other.key });
    expect(deleted.status).toBe(404);
    const unknown = await api.call('DELETE', `/api/organizations/${org.id}/knowledge/no-such-document`, { key: org.key });
    expect(unknown).toMatchObject({ status: 404, body: { ok: false, error: 'Document not found.' } });
  });
});

describe('training and asking', () => {
  it('trains, answers from the trained passages, and forgets a deleted document at once', async () => {
    const shop = await api.organizationWithKey('Training Shop');
    const call = (method: string, path: string, body?: unknown) => api.call(method, `/api/organizations/${shop.id}${path}`, { key: shop.key, body });
    expect((await call('POST', '/train', {})).body).toMatchObject({ ok: false, code: 'NO_DOCUMENTS' });

    await call('POST', '/knowledge', { title: 'Hours', content: '# Opening hours\n\nWe are open every weekday from 8am to 6pm.' });
    const rentals = await call('POST', '/knowledge', { title: 'Rentals', content: 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour.' });
    expect((await call('GET', '/knowledge')).body.trainedAt).toBeNull();
    const trained = await call('POST', '/train', {});
    expect(trained.body).toEqual({ ok: true, trainedAt: expect.any(String), documents: 2, chunks: 2, byMeaning: true });
    // the list says when, from the stored index (the dashboard's guide compares it with the documents)
    expect((await call('GET', '/knowledge')).body.trainedAt).toBe(trained.body.trainedAt);

    const asked = await call('POST', '/ask', { question: 'how much to hire a bicycle?' });
    expect(asked.body).toMatchObject({ ok: true, answer: 'Yes, city bikes cost $8 per hour.', confident: true });
    // The source names the entry by its question, not the document it is in.
    const entryId = `${rentals.body.document.id}#0`;
    expect(asked.body.sources).toEqual([{ documentId: rentals.body.document.id, entryId, title: 'Do you rent bikes?', chunkId: `${entryId}/0` }]);
    expect(asked.body.confidence).toBeGreaterThan(0.35);
    expect(asked.body.confidence).toBeLessThanOrEqual(1);

    await call('DELETE', `/knowledge/${rentals.body.document.id}`);
    const after = await call('POST', '/ask', { question: 'how much to hire a bicycle?' });
    expect(after.body).toMatchObject({ ok: true, confident: false });
    expect(after.body.answer).not.toContain('$8');
  });

  it('refuses an empty question', async () => {
    const asked = await api.call('POST', `/api/organizations/${org.id}/ask`, { body: { question: '  ' } });
    expect(asked).toMatchObject({ status: 400, body: { ok: false, code: 'VALIDATION_ERROR' } });
  });

  it('keeps the trained index across a restart: no retraining needed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-knowledge-'));
    try {
      const databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
      const first = await makeTestContext({ databaseUrl });
      const shop = await createOrganization(first, { name: 'Restart Shop' });
      await seedKnowledge(first, shop.id, [{ title: 'Parking', content: 'Free customer parking is behind the shop.' }]);
      await first.database.close();

      const second = await makeTestContext({ databaseUrl });
      const answer = await answerQuestion(second, shop.id, 'where do I park?');
      expect(answer).toMatchObject({ confident: true, answer: 'Free customer parking is behind the shop.' });
      await second.database.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('training in the background', () => {
  it('answers 202 with the training at once when asked not to wait, and its status shows progress until done', async () => {
    const shop = await api.organizationWithKey('Background Shop');
    const call = (method: string, path: string, body?: unknown) => api.call(method, `/api/organizations/${shop.id}${path}`, { key: shop.key, body });
    expect((await call('GET', '/train')).body).toEqual({ ok: true, training: null, trainedAt: null, changedSinceTraining: false, knowledgeChangedAt: null });
    await call('POST', '/knowledge', { title: 'Rentals', content: 'Q: Do you rent tandems?\nA: Yes, tandems cost $30 a day.' });

    const started = await api.server.app.inject({
      method: 'POST',
      url: `/api/organizations/${shop.id}/train?wait=false`,
      headers: { authorization: `Bearer ${shop.key}` },
    });
    expect(started.statusCode).toBe(202);
    const { training } = started.json();
    expect(training).toMatchObject({
      id: expect.any(String),
      phase: expect.stringMatching(/^(queued|chunking|indexing|meaning|storing|done)$/),
      startedAt: expect.any(String),
    });
    expect(started.headers.location).toBe(`/api/organizations/${shop.id}/train/${training.id}`);

    let status = training;
    while (status.phase !== 'done' && status.phase !== 'failed') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await call('GET', `/train/${training.id}`)).body.training;
    }
    expect(status).toMatchObject({ id: training.id, phase: 'done', documents: 1, documentsDone: 1, chunks: 1, chunksDone: 1, finishedAt: expect.any(String) });
    expect(status.result).toEqual({ trainedAt: expect.any(String), documents: 1, chunks: 1, byMeaning: true });
    expect((await call('GET', '/train')).body.training).toEqual(status);
    const asked = await call('POST', '/ask', { question: 'can I rent a tandem?' });
    expect(asked.body).toMatchObject({ confident: true, answer: 'Yes, tandems cost $30 a day.' });

    expect(await call('GET', '/train/no-such-training')).toMatchObject({ status: 404, body: { ok: false, error: 'Training not found.' } });
    const foreign = await api.call('GET', `/api/organizations/${shop.id}/train/${training.id}`, { key: other.key });
    expect(foreign.status).toBe(404);
    expect((await call('POST', '/train?wait=soon', {})).status).toBe(400);
  });
});

describe('chunks and text', () => {
  it('keeps Q/A pairs and FAQ headings whole, and makes the prose under a heading one entry named by it', () => {
    const chunks = chunksOfEntries(
      entriesOfDocument({
        id: 'd',
        title: 'Guide',
        content: [
          '# Shop',
          'Founded in 1998.',
          'Family run.',
          '## Do you deliver?',
          'Yes, within 15 km.',
          '',
          'Further away it costs $25.',
          'Q: Can I pay by card?',
          'A: Yes, all cards.',
          'Q: Cheques?',
          'Answer: No.',
        ].join('\n'),
      }),
    );
    expect(chunks.map((c) => ({ question: c.question, text: c.text }))).toEqual([
      { question: 'Shop', text: 'Founded in 1998.\nFamily run.' },
      { question: 'Do you deliver?', text: 'Yes, within 15 km.\n\nFurther away it costs $25.' },
      { question: 'Can I pay by card?', text: 'Yes, all cards.' },
      { question: 'Cheques?', text: 'No.' },
    ]);
    expect(chunks.map((c) => c.id)).toEqual(['d#0/0', 'd#1/0', 'd#2/0', 'd#3/0']);
  });

  it('trims long passages to whole sentences for WhatsApp', () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const trimmed = trimToSentences(long, 100);
    expect(trimmed.length).toBeLessThanOrEqual(100);
    expect(trimmed).toMatch(/^Sentence number 0 is here\..*\.$/);
    expect(trimToSentences(`${'x'.repeat(50)} ${'y'.repeat(80)}`, 60)).toMatch(/…$/);
  });

  it('turns HTML into text without scripts, styles or entities', () => {
    expect(htmlToText('<p>A &lt;b&gt; &#39;quoted&#39;</p><script>var x = "<p>no</p>";</script><ul><li>one</li><li>two</li></ul>')).toBe(
      "A <b> 'quoted'\n\n- one\n- two",
    );
  });
});
