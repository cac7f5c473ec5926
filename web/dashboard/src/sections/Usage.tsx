// Usage and cost: the last six months side by side, and the chosen month per number.
import { useState } from 'react';
import { get, money } from '../api.js';
import type { SectionProps } from '../main.js';
import { Bars, Card, ErrorBox, useLoad } from '../ui.js';
export type { UsageReport } from '../../../../src/services/tenancy/usage.js';
import type { UsageReport } from '../../../../src/services/tenancy/usage.js';

export const currentMonth = () => new Date().toISOString().slice(0, 7);

export const usageOf = (orgId: string, month: string) => get<{ usage: UsageReport }>(`/api/organizations/${orgId}/usage?month=${month}`).then((b) => b.usage);

const numberLabel = (n: UsageReport['numbers'][number]) => n.phoneNumber ?? n.displayName ?? n.provider ?? 'number';

/**
 * The platform's margin on this organization: plan price minus cost. A free trial's is below zero,
 * which is the platform's loss, not money anyone owes: it is named so instead of shown as "$-0.04".
 */
function Margin({ margin }: { margin: number }) {
  const loss = margin < 0;
  return (
    <div>
      <span>{loss ? 'Loss (cost above plan price)' : 'Margin'}</span>
      <strong data-testid="usage-margin" className={loss ? 'bad' : ''}>
        {money(Math.abs(margin))}
      </strong>
    </div>
  );
}

function lastMonths(count: number): string[] {
  const now = new Date();
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (count - 1 - i), 1)).toISOString().slice(0, 7));
}

export function Usage({ org, platform }: SectionProps) {
  const months = lastMonths(6);
  const [month, setMonth] = useState(currentMonth());
  // six months in six reads: once a minute is current enough for figures that move slowly
  const reports = useLoad(() => Promise.all(months.map((m) => usageOf(org.id, m))), [org.id], 60_000);
  const chosen = reports.data?.find((r) => r.month === month);
  return (
    <>
      <ErrorBox error={reports.error} />
      {chosen && (
        <Card
          title={`Usage in ${month}`}
          actions={
            <select aria-label="Month" value={month} onChange={(e) => setMonth(e.target.value)}>
              {months.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          }
        >
          <div className="stats">
            <div>
              <span>Plan</span>
              <strong>{chosen.plan}</strong>
            </div>
            <div>
              <span>Customer messages (plan)</span>
              <strong data-testid="usage-used" className={chosen.limitState === 'ok' ? '' : 'bad'}>
                {chosen.used} / {chosen.limit}
              </strong>
            </div>
            <div>
              <span>Limit</span>
              <strong data-testid="usage-limit-state" className={chosen.limitState === 'ok' ? '' : 'bad'}>
                {chosen.limitState === 'reached' ? 'reached: the bot is silent' : chosen.limitState === 'near' ? 'near (80%)' : 'ok'}
              </strong>
            </div>
            <div>
              <span>Remaining</span>
              <strong>{chosen.remaining}</strong>
            </div>
            <div>
              <span>Customers' WhatsApp in / out</span>
              <strong>
                {chosen.messages.in.total} / {chosen.messages.out.total}
              </strong>
            </div>
            <div>
              <span>With your agents (not counted)</span>
              <strong data-testid="usage-agent-messages">{chosen.agentMessages.in + chosen.agentMessages.out}</strong>
            </div>
            <div>
              <span>Website chat (not counted)</span>
              <strong data-testid="usage-website-chat">{chosen.websiteChat.total}</strong>
            </div>
            <div>
              <span>Cost</span>
              <strong>{money(chosen.cost.total)}</strong>
            </div>
            <div>
              <span>Plan price</span>
              <strong>{money(chosen.planPrice)}</strong>
            </div>
            {platform && <Margin margin={chosen.margin} />}
          </div>
          <h3>Cost by part</h3>
          <Bars
            rows={[
              { label: 'Provider fees', value: chosen.cost.provider },
              { label: 'Meta fees', value: chosen.cost.meta },
              { label: 'Number rental', value: chosen.cost.rental },
              { label: 'Messages with agents', value: chosen.cost.agents },
            ]}
            format={money}
          />
          <h3>Messages by number</h3>
          <Bars
            rows={[
              ...chosen.numbers.map((n) => ({ label: numberLabel(n), value: n.messagesIn + n.messagesOut })),
              { label: 'website chat', value: chosen.websiteChat.total },
            ]}
            format={String}
          />
          <h3>Cost by number</h3>
          <Bars rows={chosen.numbers.map((n) => ({ label: numberLabel(n), value: n.cost.total }))} format={money} />
        </Card>
      )}
      {reports.data && (
        <Card title="By month">
          <h3>Messages</h3>
          <Bars rows={reports.data.map((r) => ({ label: r.month, value: r.used }))} format={String} />
          <h3>Cost</h3>
          <Bars rows={reports.data.map((r) => ({ label: r.month, value: r.cost.total }))} format={money} />
        </Card>
      )}
    </>
  );
}
