// The handover templates the organization's agents are reached with when their 24-hour window is
// closed: one per provider account, created by the platform, with the provider's review.
import { get } from '../api.js';
import type { SectionProps } from '../main.js';
import { Card, ErrorBox, useLoad } from '../ui.js';
import type { HandoverTemplateJson } from '../../../../src/services/numbers/templates.js';

const STATUS_WORDS: Record<string, string> = {
  pending: 'in review',
  approved: 'approved: used when an agent’s window is closed',
  rejected: 'rejected',
  paused: 'paused by WhatsApp (low quality)',
  disabled: 'disabled',
};

export function HandoverTemplates({ org }: Pick<SectionProps, 'org'>) {
  const templates = useLoad(() => get<{ templates: HandoverTemplateJson[] }>(`/api/organizations/${org.id}/templates`).then((b) => b.templates), [org.id]);
  return (
    <Card title="Handover templates">
      <p className="muted">
        WhatsApp lets a number write to an agent only within 24 hours of the agent's last message to it; after that, only an approved template. The platform
        creates one for each account your widgets hand over from and submits it for review.
      </p>
      <ErrorBox error={templates.error} />
      {templates.data && templates.data.length === 0 && (
        <p className="muted">None yet: one is requested when a widget is saved with a pool or handover number.</p>
      )}
      {templates.data && templates.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Account</th>
                <th>Template</th>
                <th>Review</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {templates.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.account}</td>
                  <td>
                    {t.name} ({t.language})
                  </td>
                  <td>
                    {STATUS_WORDS[t.status] ?? t.status}
                    {t.rejectionReason && <div className="muted">{t.rejectionReason}</div>}
                  </td>
                  <td>{new Date(t.updatedAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
