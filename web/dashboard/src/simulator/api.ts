// The simulator's calls: no key needed, the simulator exists only where its provider is on.
import { ApiError } from '../api.js';
import type { BusinessNumber } from '../../../../src/services/platform/simulator.js';

export type { BusinessNumber };

export async function simulatorCall<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.error ?? `The server answered ${response.status}.`);
  return data as T;
}
