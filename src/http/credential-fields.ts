// Credentials a user gives reach providers inside HTTP headers (`Authorization: Bearer …`, Basic
// auth). A line break or another control character cannot travel in a header — Node refuses to send
// it, which would surface as a 502 — so such a value is refused at the door: 400 naming the field.
import { z } from 'zod';

/** Visible ASCII without spaces: what the providers' tokens and secrets are made of. */
const HEADER_SAFE = /^[\x21-\x7E]+$/;

/** A token or secret a provider issued, checked before any provider call carries it. */
export const credentialField = () =>
  z.string().trim().min(8).max(500).regex(HEADER_SAFE, 'must be the value as the provider shows it: visible characters only, no spaces or line breaks');
