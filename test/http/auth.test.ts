// Who may call is decided before what was sent: on every admin route — read from the app's own
// route list, so a new route is walked too — a missing key is 401, an organization key on a
// platform route is 403, and another organization's resource is 404, whatever the body says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContact, makeConversation } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;
let victim: { id: string; key: string };
let intruder: { id: string; key: string };
let victimWidgetId: string;
let victimConversationId: string;

beforeAll(async () => {
  api = await startAdminApi();
  victim = await api.organizationWithKey('Victim');
  intruder = await api.organizationWithKey('Intruder');
  const widget = await api.call('POST', `/api/organizations/${victim.id}/widgets`, { body: { name: 'Site', allowedOrigins: ['https://victim.example'] } });
  expect(widget.status).toBe(201);
  victimWidgetId = widget.body.widget.id;
  const contact = await makeContact(api.ctx, { organization_id: victim.id });
  victimConversationId = (await makeConversation(api.ctx, { organization_id: victim.id, contact_id: contact.id })).id;
});
afterAll(async () => {
  await api.server.stop();
});

type Route = { method: string; url: string };

/** Every method and full path from fastify's route tree (`printRoutes` nests each path under its prefix). */
function routeList(): Route[] {
  const routes: Route[] = [];
  const path: string[] = [];
  for (const line of api.server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    path.length = m[1]!.length / 4;
    path.push(m[2]!);
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) routes.push({ method, url: path.join('') });
  }
  return routes;
}

// Not admin routes: provider webhooks (signed), the visitor API (session tokens), media by
// unguessable id, the simulator (only when it is on), and signing in and out of the dashboard
// (the key is the body; signing out needs nothing).
const PUBLIC = [/^\/api\/webhooks\//, /^\/api\/widget\//, /^\/api\/media\//, /^\/api\/simulator/, /^\/api\/session$/];

const adminRoutes = () =>
  routeList().filter((r) => r.url.startsWith('/api/') && !PUBLIC.some((p) => p.test(r.url)) && r.method !== 'HEAD' && r.method !== 'OPTIONS');

const name = (r: Route) => `${r.method} ${r.url}`;

/** A route on one organization's data: by its id in the path, or by a widget's or conversation's id. */
const isOrganizationRoute = (r: Route) => r.url.includes(':orgId') || /^\/api\/(widgets|conversations)\/:id/.test(r.url);
const isPlatformRoute = (r: Route) => r.url.startsWith('/api/admin/') || name(r) === 'POST /api/organizations';
/** Any valid key may call these; each shows or searches only what that key may see. */
const ANY_KEY = ['GET /api/organizations', 'GET /api/organizations/search-numbers', 'GET /api/whoami'];
/** Organization routes that only the platform key may use, even on the organization's own data. */
const PLATFORM_ON_OWN_ORGANIZATION = ['DELETE /api/organizations/:orgId', 'PATCH /api/organizations/:orgId/numbers/:numberId'];

/** The route's path with the victim's ids in it. */
function urlOf(r: Route): string {
  return r.url
    .replace(/^\/api\/widgets\/:id/, `/api/widgets/${victimWidgetId}`)
    .replace(/^\/api\/conversations\/:id/, `/api/conversations/${victimConversationId}`)
    .replace(':orgId', victim.id)
    .replace(':storeId', victim.id)
    .replace(':number', '+15550100011')
    .replace(/:\w+/g, '1');
}

const hasBody = (r: Route) => ['POST', 'PUT', 'PATCH'].includes(r.method);
/** An empty body and one with nothing the route expects: both must lose to the key check. */
const BAD_BODIES = [{}, { unexpected: ['not', 'a', 'valid', 'body'] }];

/** The statuses each route answered with this key and each bad body, to compare all at once. */
async function answers(routes: Route[], key: string | null) {
  const seen: Array<{ route: string; statuses: number[] }> = [];
  for (const r of routes) {
    const statuses = new Set<number>();
    for (const body of hasBody(r) ? BAD_BODIES : [undefined]) statuses.add((await api.call(r.method, urlOf(r), { key, body })).status);
    seen.push({ route: name(r), statuses: [...statuses] });
  }
  return seen;
}

const all = (seen: Array<{ route: string }>, status: number) => seen.map(({ route }) => ({ route, statuses: [status] }));

describe('access before validation, on every admin route', () => {
  it('finds the admin routes and knows who each one is for', () => {
    const routes = adminRoutes();
    // A sanity floor: the walk below must not pass by finding nothing.
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.map(name)).toEqual(
      expect.arrayContaining(['POST /api/widgets/:id/pool', 'POST /api/conversations/:id/messages', ...PLATFORM_ON_OWN_ORGANIZATION]),
    );
    // A new route that is neither an organization's nor the platform's must be placed here on purpose.
    const unplaced = routes.filter((r) => !isOrganizationRoute(r) && !isPlatformRoute(r)).map(name);
    expect(unplaced.sort()).toEqual([...ANY_KEY].sort());
  });

  it('answers 401 without a key', async () => {
    const seen = await answers(adminRoutes(), null);
    expect(seen).toEqual(all(seen, 401));
  });

  it('answers 403 to an organization key on platform routes', async () => {
    const platform = await answers(adminRoutes().filter(isPlatformRoute), intruder.key);
    expect(platform).toEqual(all(platform, 403));
    const own = await answers(
      adminRoutes().filter((r) => PLATFORM_ON_OWN_ORGANIZATION.includes(name(r))),
      victim.key,
    );
    expect(own).toEqual(
      all(
        PLATFORM_ON_OWN_ORGANIZATION.map((route) => ({ route })),
        403,
      ),
    );
  });

  it("answers 404 to another organization's key, never 400, whatever the body", async () => {
    const seen = await answers(adminRoutes().filter(isOrganizationRoute), intruder.key);
    expect(seen).toEqual(all(seen, 404));
    // Nothing of the victim's was touched on the way.
    expect((await api.call('GET', `/api/widgets/${victimWidgetId}`)).status).toBe(200);
    expect((await api.call('GET', `/api/conversations/${victimConversationId}/messages`)).body.messages).toEqual([]);
  });

  it('still validates the body for a caller who may use the route', async () => {
    const created = await api.call('POST', `/api/organizations/${victim.id}/widgets`, { key: victim.key, body: {} });
    expect(created.status).toBe(400);
    const sent = await api.call('POST', `/api/conversations/${victimConversationId}/messages`, { key: victim.key, body: {} });
    expect(sent.status).toBe(400);
  });
});
