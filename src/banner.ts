// What a person starting Switchboard reads between the log lines: where to go, a key when one was
// made for them, and, until they have an organization of their own, the first step to take.
import type { RunningServer } from './server.js';

export interface BannerFacts {
  publicUrl: string;
  simulator: boolean;
  demo?: RunningServer['demo'];
  generatedAdminKey?: string;
  /** ADMIN_API_KEY is set */
  adminKeyConfigured: boolean;
  /** organizations other than the demo's */
  ownOrganizations: number;
}

export function startupBanner(facts: BannerFacts): string {
  const base = facts.publicUrl;
  const demo = facts.demo;
  const lines = ['', `Switchboard is running at ${base}`, `  Dashboard:     ${base}/`];
  if (demo?.widgetPublicKey) lines.push(`  Demo website:  ${base}/demo`);
  if (facts.simulator) lines.push(`  Simulator:     ${base}/simulator`);
  if (facts.generatedAdminKey) {
    lines.push(`  Admin API key: ${facts.generatedAdminKey}  (shown once; set ADMIN_API_KEY to choose your own)`);
  }
  if (demo?.apiKey) lines.push(`  Demo organization "${demo.organizationName}" key: ${demo.apiKey}  (shown once)`);
  if (demo) {
    lines.push(
      `  Try it: on the simulator, write to ${demo.businessNumber} from ${demo.customerNumber};`,
      `  on the demo website, ask for a human and answer from an agent's phone (${demo.agentNumbers.join(', ')}).`,
    );
  }
  if (facts.ownOrganizations === 0) {
    const key = facts.generatedAdminKey
      ? 'the admin API key above'
      : facts.adminKeyConfigured
        ? 'your ADMIN_API_KEY'
        : 'the admin API key printed at the first start';
    lines.push('', `First step: open ${base}/ and sign in with ${key}, then create your organization (the dashboard opens on Organizations).`);
  }
  return `${lines.join('\n')}\n`;
}
