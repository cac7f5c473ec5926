// Knowledge base routes (SPEC §7): add documents (JSON or a file upload), list, delete, train,
// and ask a question to try the answerer out.
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACCEPTED_FILES } from '../core/documents.js';
import { AppError, badRequest, notFound } from '../core/errors.js';
import { answerFromChoice, answerQuestion } from '../services/knowledge/answers.js';
import { documentFromUpload } from '../services/knowledge/document-files.js';
import { acceptSuggestion, dismissSuggestion, listSuggestions } from '../services/knowledge/suggestions.js';
import type { AppContext } from '../services/context.js';
import {
  addDocument,
  deleteDocument,
  knowledgeFreshness,
  listDocuments,
  MAX_DOCUMENT_CHARACTERS,
  previewDocumentRemoval,
  startTraining,
  trainingStatus,
} from '../services/knowledge/training.js';
import type { RouteModule } from './route.js';
import { organizationAccess, orgParams } from './auth.js';

const tags = ['knowledge'];
/** A PDF with pictures is often several MB; the text kept is bounded by MAX_DOCUMENT_CHARACTERS. */
const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

const documentBody = z.object({
  title: z.string().trim().min(1, 'title must not be empty').max(200),
  content: z.string().max(MAX_DOCUMENT_CHARACTERS),
});
const askBody = z
  .object({
    question: z.string().trim().max(2000).optional(),
    /** a choice an earlier answer offered (its `id`): answers from that passage */
    choice: z.string().trim().min(1).max(200).optional(),
  })
  .refine((b) => Boolean(b.question) || b.choice, { message: 'question must not be empty', path: ['question'] });
const suggestionParams = orgParams.extend({ suggestionId: z.string().min(1).max(100) });
const acceptBody = z
  .object({
    answer: z.string().trim().min(1, 'answer must not be empty').max(4000).optional(),
    question: z.string().trim().min(1, 'question must not be empty').max(500).optional(),
  })
  .nullish();

/** A multipart upload: the `file` part, and an optional `title` field sent before it. */
async function readUpload(request: FastifyRequest) {
  let file: MultipartFile | undefined;
  let data: Buffer;
  try {
    file = await request.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
    if (!file) throw badRequest('The upload has no file; send it in a part named "file".', 'NO_FILE');
    data = await file.toBuffer();
  } catch (err) {
    // The multipart parser throws plain errors for a broken body (no boundary, cut short).
    const status = (err as { statusCode?: number }).statusCode;
    if (err instanceof AppError || (status && status < 500)) throw err;
    throw badRequest('The upload could not be read: send the file as multipart/form-data with a boundary.', 'INVALID_UPLOAD');
  }
  const titleField = file.fields.title;
  const title = titleField && !Array.isArray(titleField) && titleField.type === 'field' ? String(titleField.value) : undefined;
  return documentFromUpload(file.filename ?? '', data, title);
}

export const knowledgeRoutes: RouteModule = async (app, ctx: AppContext) => {
  const guard = organizationAccess(ctx);
  // Multipart parsing only where files are accepted; other routes keep answering 415 to it.
  await app.register(async (scope: FastifyInstance) => {
    await scope.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5 } });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/organizations/:orgId/knowledge',
      {
        ...guard,
        schema: {
          tags,
          summary: `Add a document: JSON {title, content}, or a multipart upload (field "file": ${ACCEPTED_FILES}, a .csv with question/answer columns, at most 25 MB; optional field "title" first)`,
          params: orgParams,
        },
      },
      async (request, reply) => {
        const doc = request.isMultipart() ? await readUpload(request) : documentBody.parse(request.body ?? {});
        const document = await addDocument(ctx, request.params.orgId, doc);
        return reply.status(201).send({ ok: true, document });
      },
    );
  });

  app.get(
    '/api/organizations/:orgId/knowledge',
    {
      ...guard,
      schema: {
        tags,
        summary:
          'List the documents of the knowledge base, with when it was last trained (null: never), whether it changed since (documents added or removed, entries edited: train again) and its latest training in this process (why it failed, when it did)',
        params: orgParams,
      },
    },
    async (request) => {
      const { orgId } = request.params;
      const documents = await listDocuments(ctx, orgId);
      return { ok: true, documents, ...(await knowledgeFreshness(ctx, orgId)), training: (await trainingStatus(ctx, orgId)) ?? null };
    },
  );

  const documentParams = orgParams.extend({ documentId: z.string().min(1).max(100) });
  app.get(
    '/api/organizations/:orgId/knowledge/:documentId/removal',
    {
      ...guard,
      schema: {
        tags,
        summary: "What deleting this document would do to the bot's answers (nothing changes): the dashboard's confirmation",
        params: documentParams,
      },
    },
    async (request) => {
      return { ok: true, ...(await previewDocumentRemoval(ctx, request.params.orgId, request.params.documentId)) };
    },
  );

  app.delete(
    '/api/organizations/:orgId/knowledge/:documentId',
    {
      ...guard,
      schema: { tags, summary: 'Delete a document (a trained knowledge base is retrained at once); the answer says what it did', params: documentParams },
    },
    async (request) => {
      const removal = await deleteDocument(ctx, request.params.orgId, request.params.documentId);
      return { ok: true, message: 'Document deleted.', ...removal };
    },
  );

  app.post(
    '/api/organizations/:orgId/train',
    {
      ...guard,
      schema: {
        tags,
        summary:
          'Chunk and index the knowledge base. Answers when it is stored; with wait=false at once (202), with the training to follow at GET …/train/:trainingId',
        params: orgParams,
        querystring: z.object({ wait: z.enum(['true', 'false']).default('true') }),
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      if ((await listDocuments(ctx, orgId)).length === 0) {
        throw badRequest('There is nothing to train on yet; add a document to the knowledge base first.', 'NO_DOCUMENTS');
      }
      const training = await startTraining(ctx, orgId);
      if (request.query.wait === 'false') {
        return reply.status(202).header('location', `/api/organizations/${orgId}/train/${training.status.id}`).send({ ok: true, training: training.status });
      }
      return { ok: true, ...(await training.finished) };
    },
  );

  app.get(
    '/api/organizations/:orgId/train',
    {
      ...guard,
      schema: {
        tags,
        summary:
          "The knowledge base's latest training in this process (queued, running or finished; null when none), when it was last trained and whether it changed since",
        params: orgParams,
      },
    },
    async (request) => {
      const { orgId } = request.params;
      return { ok: true, training: (await trainingStatus(ctx, orgId)) ?? null, ...(await knowledgeFreshness(ctx, orgId)) };
    },
  );

  app.get(
    '/api/organizations/:orgId/train/:trainingId',
    {
      ...guard,
      schema: {
        tags,
        summary: 'How far a training is: its phase, documents chunked and passages indexed of their totals',
        params: orgParams.extend({ trainingId: z.string().min(1).max(100) }),
      },
    },
    async (request) => {
      const training = await trainingStatus(ctx, request.params.orgId, request.params.trainingId);
      if (!training) throw notFound('Training');
      return { ok: true, training };
    },
  );

  app.post(
    '/api/organizations/:orgId/ask',
    {
      ...guard,
      schema: {
        tags,
        summary:
          'Ask the answerer a question, as a customer would: {answer, sources, confidence, choices?, offerHuman}, answer being the text a WhatsApp customer gets; {choice: id} answers from one of the choices offered',
        params: orgParams,
        body: askBody,
      },
    },
    async (request) => {
      const { question, choice } = request.body;
      const answer = choice ? await answerFromChoice(ctx, request.params.orgId, choice) : await answerQuestion(ctx, request.params.orgId, question!);
      // Said plainly to whoever tries it out; a customer gets the answer's own text.
      const notice = answer.untrained ? 'The knowledge base has not been trained yet: add documents and train it, then ask again.' : undefined;
      return { ok: true, ...answer, ...(notice ? { notice } : {}) };
    },
  );

  app.get(
    '/api/organizations/:orgId/knowledge/suggestions',
    { ...guard, schema: { tags, summary: "Suggested answers: questions the bot was not sure of, with an agent's answer", params: orgParams } },
    async (request) => {
      return { ok: true, suggestions: await listSuggestions(ctx, request.params.orgId) };
    },
  );

  app.post(
    '/api/organizations/:orgId/knowledge/suggestions/:suggestionId/accept',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Accept a suggested answer into the knowledge base (optionally edited: {answer, question}); it is indexed at once',
        params: suggestionParams,
        body: acceptBody,
      },
    },
    async (request) => {
      const accepted = await acceptSuggestion(ctx, request.params.orgId, request.params.suggestionId, request.body ?? undefined);
      return { ok: true, ...accepted };
    },
  );

  app.delete(
    '/api/organizations/:orgId/knowledge/suggestions/:suggestionId',
    { ...guard, schema: { tags, summary: 'Dismiss a suggested answer', params: suggestionParams } },
    async (request) => {
      await dismissSuggestion(ctx, request.params.orgId, request.params.suggestionId);
      return { ok: true, message: 'Suggestion dismissed.' };
    },
  );
};
