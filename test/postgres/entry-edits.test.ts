// Entry edits and learned phrasings on PostgreSQL (migration 361): an edit is stored once per
// entry and replaced; the same phrasing in another case is learned once (the unique index on
// lower(phrasing)); both go with their document and organization; the question that made a
// conversation's choices is kept with them.
import { afterEach, describe, expect, it } from 'vitest';
import { drainJobs } from '../../src/jobs/queue.js';
import { editEntry, getEntry } from '../../src/services/knowledge/entry-edits.js';
import { learnFromPick, TRAIN_LEARNED_JOB } from '../../src/services/knowledge/learning.js';
import { pickedChoice, rememberChoices } from '../../src/services/knowledge/choices.js';
import { deleteDocument, seedKnowledge } from '../../src/services/knowledge/training.js';
import { deleteOrganization } from '../../src/services/tenancy/organizations.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';
import { makeContact, makeConversation, makeOrganization } from '../support/factories.js';

/** What each test opened, closed after it: its context, then its database. */
const opened: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});

describe('entry edits and learned phrasings on PostgreSQL', () => {
  it('stores, replaces, learns once, and removes them with their document and organization', async () => {
    const database = await freshPostgresDatabase();
    opened.push(database.drop);
    const c = await makeTestContext({ databaseUrl: database.url });
    opened.push(() => c.database.close());
    const org = await makeOrganization(c);
    await seedKnowledge(c, org.id, [{ title: 'Hours', content: 'Q: What are your opening hours?\nA: Monday to Saturday, 9am to 6pm.' }]);
    const documentId = (await c.db.selectFrom('knowledge_documents').select('id').executeTakeFirstOrThrow()).id;
    const entryId = `${documentId}#0`;

    await editEntry(c, org.id, entryId, { answer: 'Every day, 8am to 8pm.' });
    const { entry } = await editEntry(c, org.id, entryId, { phrasings: ['When are you open?'] });
    expect(entry).toMatchObject({ answer: 'Every day, 8am to 8pm.', phrasings: ['When are you open?'], edited: true });
    expect(await c.db.selectFrom('knowledge_entry_edits').select('entry_id').execute()).toEqual([{ entry_id: entryId }]);

    expect(await learnFromPick(c, org.id, entryId, 'are you open on sundays?')).toBe(true);
    // Another case of the same words: the unique index keeps one, whoever writes it.
    await c.db
      .insertInto('knowledge_learned_phrasings')
      .values({ id: 'same-words', organization_id: org.id, document_id: documentId, entry_id: entryId, phrasing: 'ARE YOU OPEN ON SUNDAYS?', created_at: 'x' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    expect((await getEntry(c, org.id, entryId)).learnedPhrasings.map((p) => p.phrasing)).toEqual(['are you open on sundays?']);
    expect(await c.db.selectFrom('jobs').select('kind').where('kind', '=', TRAIN_LEARNED_JOB).execute()).toHaveLength(1);
    c.clock.advance(60_000);
    expect(await drainJobs(c)).toBe(1);
    expect(await c.db.selectFrom('jobs').select('status').where('kind', '=', TRAIN_LEARNED_JOB).execute()).toEqual([{ status: 'done' }]);

    // The choices' question is kept with them.
    const contact = await makeContact(c, { organization_id: org.id });
    const conversation = await makeConversation(c, { organization_id: org.id, contact_id: contact.id });
    await rememberChoices(c, conversation, [{ id: entryId, title: 'What are your opening hours?' }], 'open on sunday?');
    expect(await pickedChoice(c, conversation.id, '1')).toEqual({
      choice: { id: entryId, title: 'What are your opening hours?' },
      question: 'open on sunday?',
    });

    await deleteDocument(c, org.id, documentId);
    expect(await c.db.selectFrom('knowledge_entry_edits').selectAll().execute()).toEqual([]);
    expect(await c.db.selectFrom('knowledge_learned_phrasings').selectAll().execute()).toEqual([]);

    await seedKnowledge(c, org.id, [{ title: 'Hours', content: 'Q: What are your opening hours?\nA: Monday to Saturday, 9am to 6pm.' }]);
    const again = (await c.db.selectFrom('knowledge_documents').select('id').executeTakeFirstOrThrow()).id;
    await editEntry(c, org.id, `${again}#0`, { answer: 'Closed.' });
    await learnFromPick(c, org.id, `${again}#0`, 'are you open on mondays?');
    await deleteOrganization(c, org.id);
    expect(await c.db.selectFrom('knowledge_entry_edits').selectAll().execute()).toEqual([]);
    expect(await c.db.selectFrom('knowledge_learned_phrasings').selectAll().execute()).toEqual([]);
  });
});
