// PDF and DOCX knowledge documents over the upload route: real small files made here (a PDF
// written by hand, a DOCX zipped), read by their libraries in a thread, then trained and asked.
// A file that cannot be read — encrypted, not what its name says, no text — is a 400 naming why.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { docxFile, pdfFile } from '../support/documents.js';
import { ADMIN_KEY, type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;
let shop: { id: string; key: string };
beforeEach(async () => {
  api = await startAdminApi();
  shop = await api.organizationWithKey('Harbour Bakery');
});
afterEach(() => api.server.stop());

async function upload(filename: string, content: Buffer, orgId = shop.id) {
  const boundary = '----switchboard-file-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const response = await api.server.app.inject({
    method: 'POST',
    url: `/api/organizations/${orgId}/knowledge`,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
  return { status: response.statusCode, body: response.json() };
}

const ask = async (question: string) => (await api.call('POST', `/api/organizations/${shop.id}/ask`, { key: shop.key, body: { question } })).body;
const train = async () => expect((await api.call('POST', `/api/organizations/${shop.id}/train`, { key: shop.key })).status).toBe(200);

describe('PDF and DOCX uploads', () => {
  it('reads a PDF page by page and answers from it', async () => {
    const pdf = pdfFile([
      ['Opening hours', 'The bakery is open Tuesday to Sunday from 7am to 3pm.'],
      ['Custom cakes', 'Birthday cakes are ordered at least three days ahead and cost from $45.'],
    ]);
    const added = await upload('bakery-guide.pdf', pdf);
    expect(added.status).toBe(201);
    expect(added.body.document).toMatchObject({ title: 'bakery guide', sourceType: 'pdf' });
    await train();
    expect((await ask('how far ahead do I order a birthday cake?')).answer).toContain('three days ahead');
    expect((await ask('when are you open?')).answer).toContain('7am to 3pm');
  });

  it('reads a DOCX with its headings as sections and answers from them', async () => {
    const docx = await docxFile([
      { heading: 1, text: 'Harbour Bakery help' },
      { heading: 2, text: 'Gluten-free bread' },
      { text: 'Our gluten-free loaves are baked on Fridays in a separate oven.' },
      { heading: 2, text: 'Wholesale orders' },
      { text: 'Cafés can order wholesale by emailing orders@harbour.example before noon.' },
    ]);
    const added = await upload('Bakery FAQ.docx', docx);
    expect(added.status).toBe(201);
    expect(added.body.document).toMatchObject({ title: 'Bakery FAQ', sourceType: 'docx' });
    const stored = await api.ctx.db.selectFrom('knowledge_documents').select('content').where('id', '=', added.body.document.id).executeTakeFirstOrThrow();
    expect(stored.content).toContain('## Gluten-free bread\n\nOur gluten-free loaves');
    await train();
    const answer = await ask('do you have gluten free bread?');
    expect(answer.answer).toContain('baked on Fridays');
    expect(answer.answer).not.toContain('wholesale');
  });

  it('refuses with a 400 naming why: encrypted, not a PDF, not a DOCX, no text', async () => {
    const encrypted = await upload('secret.pdf', pdfFile([['Prices', 'Bread costs $4.']], { encrypted: true }));
    expect(encrypted).toMatchObject({ status: 400, body: { ok: false, code: 'ENCRYPTED_FILE' } });
    expect(encrypted.body.error).toMatch(/encrypted/);

    const notPdf = await upload('menu.pdf', Buffer.from('%PDF-1.4 this is not really a PDF'));
    expect(notPdf).toMatchObject({ status: 400, body: { ok: false, code: 'INVALID_FILE' } });
    expect(notPdf.body.error).toMatch(/not a readable PDF/);

    const notDocx = await upload('menu.docx', Buffer.from('Just some text saved with the wrong name.'));
    expect(notDocx).toMatchObject({ status: 400, body: { ok: false, code: 'INVALID_FILE' } });
    expect(notDocx.body.error).toMatch(/not a DOCX/);

    const scanned = await upload('scan.pdf', pdfFile([[], []]));
    expect(scanned).toMatchObject({ status: 400, body: { ok: false, code: 'EMPTY_DOCUMENT' } });
    expect(scanned.body.error).toMatch(/no text/);

    const other = await upload('menu.xlsx', Buffer.from('x'));
    expect(other).toMatchObject({ status: 400, body: { code: 'UNSUPPORTED_FILE_TYPE' } });
    expect(other.body.error).toContain('.pdf or .docx');
    expect((await api.call('GET', `/api/organizations/${shop.id}/knowledge`, { key: shop.key })).body.documents).toEqual([]);
  });

  it('refuses a PDF whose text is longer than a document may be, before reading all of it', async () => {
    const line = (n: number) => `${n}: Sourdough, rye, spelt, brioche, focaccia and baguettes baked every day.`;
    // 260 pages of 50 lines of about 85 characters, each line within the page: over a million characters.
    const pdf = pdfFile(Array.from({ length: 260 }, (_, page) => Array.from({ length: 50 }, (_, i) => line(page * 50 + i))));
    const added = await upload('huge.pdf', pdf);
    expect(added).toMatchObject({ status: 400, body: { code: 'DOCUMENT_TOO_LARGE' } });
    expect(added.body.error).toMatch(/more than 1000000 characters/);
  });
});
