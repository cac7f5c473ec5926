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
  return {
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
  };
}
