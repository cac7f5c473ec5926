// A provider's refusal of a number call (ProviderRequestError, classified by the adapter) as the
// sentence and status an operator gets; one wording for every provider, named by its label.
import { AppError, badRequest } from '../../core/errors.js';
import { type ProviderAdapter, ProviderRequestError } from '../../providers/provider.js';

/** `whose`: the credentials the provider refused, by default the platform's. Anything but a ProviderRequestError passes as it is. */
export function providerError(adapter: Pick<ProviderAdapter, 'label' | 'numbers'>, err: unknown, doing: string, whose?: string): unknown {
  if (!(err instanceof ProviderRequestError)) return err;
  const label = adapter.label;
  switch (err.kind) {
    case 'unreachable':
      return new AppError(502, 'PROVIDER_UNREACHABLE', `${label} could not be reached while ${doing}; try again shortly.`);
    case 'auth':
      return new AppError(
        502,
        'PROVIDER_AUTH_FAILED',
        `${label} refused ${whose ?? `the platform's ${adapter.numbers?.credentialsName ?? 'credentials'}`} while ${doing}: ${err.detail}.`,
      );
    case 'busy':
      return new AppError(503, 'PROVIDER_BUSY', `${label} is rate limiting requests; try ${doing} again shortly.`);
    case 'rejected':
      return badRequest(`${label} refused ${doing}: ${err.detail}.`, 'PROVIDER_REJECTED');
    case 'unknown':
      return badRequest(`${label} does not know this while ${doing}: ${err.detail}.`, 'PROVIDER_REJECTED');
    case 'failed':
      return new AppError(502, 'PROVIDER_ERROR', `${label} failed while ${doing}: ${err.detail}.`);
  }
}
