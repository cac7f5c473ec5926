// Shared by the adapter tests: the ProviderSendError a send or fetch must fail with.
import { expect } from 'vitest';
import { ProviderSendError } from '../../src/providers/provider.js';

export async function sendError(promise: Promise<unknown>): Promise<ProviderSendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderSendError);
  return error as ProviderSendError;
}
