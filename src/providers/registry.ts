// The one list of providers. Adding a provider: a folder and one line here.
import type { ProviderAdapter, ProviderName } from './provider.js';
import { meta } from './meta/index.js';
import { simulator } from './simulator/index.js';
import { twilio } from './twilio/index.js';
import { whapi } from './whapi/index.js';

export const providers: Record<ProviderName, ProviderAdapter<any>> = { twilio, meta, whapi, simulator };

export function providerByName(name: string): ProviderAdapter<any> | undefined {
  return (providers as Record<string, ProviderAdapter<any>>)[name];
}
