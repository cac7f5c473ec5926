// Signing in to the dashboard: the key is exchanged once for an HttpOnly, SameSite=Strict session
// cookie, so the key never stays where a script on our origin could read it; http/auth.ts accepts
// the cookie on every admin route (the dashboard's event stream included).
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { endDashboardSession, SESSION_TTL_MS, sessionPrincipal, startDashboardSession, type SessionPrincipal } from '../services/tenancy/sessions.js';
import { cookieValue, principalOfKey, SESSION_COOKIE } from './auth.js';
import { AppError } from '../core/errors.js';
import { countAttempt, peekAttempts } from '../services/rate-limits.js';
import type { RouteModule } from './route.js';

const tags = ['organizations'];
/** Failed sign-ins an address may make per window of RATE_LIMIT_WINDOWS['sign-in'] (`request.ip` believes X-Forwarded-For only from TRUSTED_PROXIES). */
const FAILED_SIGN_INS_PER_WINDOW = 10;

const whoJson = (principal: SessionPrincipal) =>
  principal.kind === 'platform' ? { kind: 'platform' as const } : { kind: 'organization' as const, organizationId: principal.organizationId };

export const sessionRoutes: RouteModule = (app, ctx) => {
  // Secure whenever the dashboard is served over https; a plain-http local install still signs in.
  const secure = ctx.config.publicUrl.startsWith('https:') ? '; Secure' : '';
  const setCookie = (reply: FastifyReply, value: string, maxAgeSeconds: number) =>
    reply.header('set-cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`);

  app.post(
    '/api/session',
    {
      schema: {
        tags,
        summary: 'Sign in to the dashboard: exchanges a key for an HttpOnly session cookie',
        security: [],
        body: z.object({ key: z.string().trim().min(1, 'key is the platform key or an organization key').max(500) }),
      },
    },
    async (request, reply) => {
      // Keys cannot be guessed one after another: past the failed tries an address may make, every
      // sign-in from it is refused until the window ends, a right key too.
      const failed = await peekAttempts(ctx, 'sign-in', request.ip);
      if (failed.count >= FAILED_SIGN_INS_PER_WINDOW) {
        const minutes = Math.ceil(failed.resetsInSeconds / 60);
        reply.header('retry-after', String(failed.resetsInSeconds));
        throw new AppError(429, 'RATE_LIMITED', `Too many failed sign-ins from this address; wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`);
      }
      const principal = await principalOfKey(ctx, request.body.key).catch(async (err: unknown) => {
        await countAttempt(ctx, 'sign-in', request.ip);
        throw err;
      });
      const { token } = await startDashboardSession(ctx, request.body.key, principal);
      setCookie(reply, token, Math.floor(SESSION_TTL_MS / 1000));
      return { ok: true, ...whoJson(principal) };
    },
  );

  // Whether the browser is signed in, answered 200 either way: the dashboard asks on every load,
  // and a signed-out visitor is not an error.
  app.get('/api/session', { schema: { tags, summary: 'Whether the dashboard session cookie is signed in, and as whom', security: [] } }, async (request) => {
    const token = cookieValue(request, SESSION_COOKIE);
    const principal = token ? await sessionPrincipal(ctx, token) : undefined;
    return principal ? { ok: true, signedIn: true, ...whoJson(principal) } : { ok: true, signedIn: false };
  });

  app.delete(
    '/api/session',
    { schema: { tags, summary: 'Sign out of the dashboard: the session ends and its cookie is cleared', security: [] } },
    async (request, reply) => {
      const token = cookieValue(request, SESSION_COOKIE);
      if (token) await endDashboardSession(ctx, token);
      setCookie(reply, '', 0);
      return { ok: true };
    },
  );
};
