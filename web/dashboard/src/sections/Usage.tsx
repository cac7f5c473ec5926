// Usage and cost: the last six months side by side, and the chosen month per number.
import { useState } from 'react';
import { get, money } from '../api.js';
import type { SectionProps } from '../main.js';
import { Bars, Card, ErrorBox, useLoad } from '../ui.js';
export type { UsageReport } from '../../../../src/services/tenancy/usage.js';
import type { UsageReport } from '../../../../src/services/tenancy/usage.js';

export const currentMonth = () => new Date().toISOString().slice(0, 7);

export const usageOf = (orgId: string, month: string) => get<{ usage: UsageReport }>(`/api/organizations/${orgId}/usage?month=${month}`).then((b) => b.usage);

/** Messages without a number are the website chat's (visitor ↔ bot). */
const numberLabel = (n: UsageReport['numbers'][number]) => n.phoneNumber ?? n.displayName ?? 'website chat';

function lastMonths(count: number): string[] {
  const now = new Date();
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (count - 1 - i), 1)).toISOString().slice(0, 7));
}

export function Usage({ org }: SectionProps) {
  const months = lastMonths(6);
  const [month, setMonth] = useState(currentMonth());
  const reports = useLoad(() => Promise.all(months.map((m) => usageOf(org.id, m))), [org.id], 10_000);
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
              <span>Messages</span>
              <strong data-testid="usage-used">
                {chosen.used} / {chosen.limit}
              </strong>
            </div>
            <div>
              <span>Remaining</span>
              <strong>{chosen.remaining}</strong>
            </div>
            <div>
              <span>In / out</span>
              <strong>
                {chosen.messages.in.total} / {chosen.messages.out.total}
              </strong>
            </div>
            <div>
              <span>Cost</span>
              <strong>{money(chosen.cost.total)}</strong>
            </div>
            <div>
              <span>Plan price</span>
              <strong>{money(chosen.planPrice)}</strong>
            </div>
            <div>
              <span>Margin</span>
              <strong>{money(chosen.margin)}</strong>
            </div>
          </div>
          <h3>Cost by part</h3>
          <Bars
            rows={[
              { label: 'Provider fees', value: chosen.cost.provider },
              { label: 'Meta fees', value: chosen.cost.meta },
              { label: 'Number rental', value: chosen.cost.rental },
            ]}
            format={money}
          />
          <h3>Messages by number</h3>
          <Bars rows={chosen.numbers.map((n) => ({ label: numberLabel(n), value: n.messagesIn + n.messagesOut }))} format={String} />
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
