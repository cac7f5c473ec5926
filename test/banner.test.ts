// The start-up banner names the first step until the operator has an organization of their own,
// with the key they actually have.
import { describe, expect, it } from 'vitest';
import { startupBanner } from '../src/banner.js';

const base = { publicUrl: 'https://sb.example', simulator: false, adminKeyConfigured: false, ownOrganizations: 0 };
const lastLine = (banner: string) => banner.trimEnd().split('\n').at(-1);

describe('start-up banner', () => {
  it('ends with the first step, naming the key printed above on the first start', () => {
    const banner = startupBanner({ ...base, generatedAdminKey: 'sb_admin_x' });
    expect(banner).toContain('Admin API key: sb_admin_x');
    expect(lastLine(banner)).toBe(
      'First step: open https://sb.example/ and sign in with the admin API key above, then create your organization (the dashboard opens on Organizations).',
    );
  });

  it('names ADMIN_API_KEY when the operator chose the key', () => {
    expect(lastLine(startupBanner({ ...base, adminKeyConfigured: true }))).toContain('sign in with your ADMIN_API_KEY, then create your organization');
  });

  it('leaves the first step out once an organization of the operator exists', () => {
    const banner = startupBanner({ ...base, adminKeyConfigured: true, ownOrganizations: 1 });
    expect(banner).not.toContain('First step');
    expect(lastLine(banner)).toBe('  Dashboard:     https://sb.example/');
  });
});
