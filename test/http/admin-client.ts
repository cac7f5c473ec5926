// A started app (in-process, no port) and a one-line way to call the admin API with a key.
import { startServer, type RunningServer } from '../../src/server.js';
import { makeTestContext, type TestContextOptions } from '../support/context.js';

export const ADMIN_KEY = 'test-platform-key-0123456789';

export interface AdminApi {
  server: RunningServer;
  ctx: RunningServer['ctx'] & { clock: import('../../src/core/clock.js').ManualClock };
  call(
    method: string,
    url: string,
    options?: { key?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; text: string }>;
  /** A new organization (platform key) and a key of its own. */
  organizationWithKey(name: string, extra?: Record<string, unknown>): Promise<{ id: string; key: string; organization: any }>;
  /** A new organization with a key, its documents added in order (their ids returned) and trained. */
  organizationWithKnowledge(name: string, documents: { title: string; content: string }[]): Promise<{ id: string; key: string; documentIds: string[] }>;
}

export async function startAdminApi(options: TestContextOptions = {}): Promise<AdminApi> {
  const ctx = await makeTestContext({ ...options, env: { ADMIN_API_KEY: ADMIN_KEY, ...options.env } });
  const server = await startServer(ctx, { listen: false });
  const call: AdminApi['call'] = async (method, url, { key = ADMIN_KEY, body, headers = {} } = {}) => {
    const response = await server.app.inject({
      method: method as 'GET',
      url,
      headers: { ...headers, ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    let parsed: unknown;
    try {
      parsed = response.json();
    } catch {
      parsed = undefined;
    }
    return { status: response.statusCode, body: parsed, text: response.body };
  };
  const api: AdminApi = {
    server,
    ctx,
    call,
    async organizationWithKey(name, extra = {}) {
      const created = await call('POST', '/api/organizations', { body: { name, ...extra } });
      if (created.status !== 201) throw new Error(`organization not created: ${created.text}`);
      const id = created.body.organization.id as string;
      const issued = await call('POST', `/api/organizations/${id}/api-keys`);
      return { id, key: issued.body.key as string, organization: created.body.organization };
    },
    async organizationWithKnowledge(name, documents) {
      const { id, key } = await api.organizationWithKey(name);
      const documentIds: string[] = [];
      for (const body of documents) {
        const added = await call('POST', `/api/organizations/${id}/knowledge`, { key, body });
        if (added.status !== 201) throw new Error(`document not added: ${added.text}`);
        documentIds.push(added.body.document.id);
        ctx.clock.advance(1000); // listed in the order they were added
      }
      const trained = await call('POST', `/api/organizations/${id}/train`, { key });
      if (trained.status !== 200) throw new Error(`not trained: ${trained.text}`);
      return { id, key, documentIds };
    },
  };
  return api;
}
