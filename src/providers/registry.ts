// The one list of providers. Adding a provider: a folder and one line here.
import type { ProviderAdapter, ProviderName } from './provider.js';
import { meta } from './meta/index.js';
import { simulator } from './simulator/index.js';
import { twilio } from './twilio/index.js';
import { whapi } from './whapi/index.js';

// Each adapter's credentials have their own shape; the registry erases it, and credentialsForNumber supplies
// the shape of the number's own provider.
// biome-ignore lint/suspicious/noExplicitAny: see above
export const providers: Record<ProviderName, ProviderAdapter<any>> = { twilio, meta, whapi, simulator };

// biome-ignore lint/suspicious/noExplicitAny: see above
export function providerByName(name: string): ProviderAdapter<any> | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: see above
  return (providers as Record<string, ProviderAdapter<any>>)[name];
}
