// Knowledge entries (SPEC §7 "Entries, not chunks"): list them by document, view and edit one
// (question, phrasings, answer), restore its document's text, and remove a phrasing it learned
// from a customer's pick. Each change is retrained before the answer, so the next question is
// answered from it. Entry ids hold a '#': send it as %23.
import { z } from 'zod';
import type { AppContext } from '../services/context.js';
import { editEntry, entryJson, getEntry, listEntries, removeLearnedPhrasing, restoreEntry } from '../services/knowledge/entry-edits.js';
import type { RouteModule } from './route.js';
import { organizationAccess, orgParams } from './auth.js';

const tags = ['knowledge'];
const entryParams = orgParams.extend({ entryId: z.string().min(1).max(200) });
const text = (what: string, max: number) => z.string().trim().min(1, `${what} must not be empty`).max(max, `${what} is longer than ${max} characters`);
const entryPatch = z
  .object({
    question: text('question', 300).optional(),
    phrasings: z.array(text('each phrasing', 300)).max(30, 'an entry takes at most 30 phrasings').optional(),
    answer: text('answer', 20_000).optional(),
  })
  .strict()
  .refine((b) => b.question !== undefined || b.phrasings !== undefined || b.answer !== undefined, {
    message: 'give at least one of question, phrasings or answer',
  });

export const knowledgeEntryRoutes: RouteModule = (app, ctx: AppContext) => {
  const guard = organizationAccess(ctx);

  app.get(
    '/api/organizations/:orgId/knowledge/entries',
    {
      ...guard,
      schema: {
        tags,
        summary: "The knowledge base's entries by document, as answered: edits applied, learned phrasings listed (only one document's with ?documentId=)",
        params: orgParams,
        querystring: z.object({ documentId: z.string().min(1).max(100).optional() }),
      },
    },
    async (request) => {
      return { ok: true, entries: await listEntries(ctx, request.params.orgId, request.query.documentId) };
    },
  );

  app.get(
    '/api/organizations/:orgId/knowledge/entries/:entryId',
    { ...guard, schema: { tags, summary: 'One entry: question, phrasings, learned phrasings, answer, and whether it was edited', params: entryParams } },
    async (request) => {
      return { ok: true, entry: entryJson(await getEntry(ctx, request.params.orgId, request.params.entryId)) };
    },
  );

  app.patch(
    '/api/organizations/:orgId/knowledge/entries/:entryId',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Edit an entry ({question?, phrasings?, answer?}, the rest kept); a trained knowledge base is retrained before the answer',
        params: entryParams,
        body: entryPatch,
      },
    },
    async (request) => {
      return { ok: true, ...(await editEntry(ctx, request.params.orgId, request.params.entryId, request.body)) };
    },
  );

  app.delete(
    '/api/organizations/:orgId/knowledge/entries/:entryId/edit',
    { ...guard, schema: { tags, summary: "Restore an entry to its document's text (retrained)", params: entryParams } },
    async (request) => {
      return { ok: true, ...(await restoreEntry(ctx, request.params.orgId, request.params.entryId)) };
    },
  );

  app.delete(
    '/api/organizations/:orgId/knowledge/entries/:entryId/learned/:phrasingId',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Remove a phrasing the entry learned from a pick (retrained)',
        params: entryParams.extend({ phrasingId: z.string().min(1).max(100) }),
      },
    },
    async (request) => {
      const { orgId, entryId, phrasingId } = request.params;
      return { ok: true, ...(await removeLearnedPhrasing(ctx, orgId, entryId, phrasingId)) };
    },
  );
};
