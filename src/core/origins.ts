// Which websites may use a widget: its allowed origins (`*` for any), compared without a trailing slash.

export function originAllowed(allowed: string[], origin: string): boolean {
  return allowed.includes('*') || allowed.includes(origin.replace(/\/+$/, ''));
}

/** `origin` when it is a plain scheme://host[:port] a browser sends (at most 200 characters), else undefined. */
export function plainOrigin(origin: string): string | undefined {
  if (origin.length > 200) return undefined;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin ? origin : undefined;
  } catch {
    return undefined;
  }
}
