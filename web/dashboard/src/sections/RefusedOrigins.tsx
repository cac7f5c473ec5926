// The websites a widget refused lately (not in its allowed origins): a visitor there read "Chat is
// not enabled on this website". One click allows one, through the widget's own update.
import { get, patch } from '../api.js';
import { Card, ErrorBox, useAction, useLoad } from '../ui.js';
import type { RefusedOriginJson } from '../../../../src/services/widgets/refused-origins.js';
import type { WidgetJson as Widget } from '../../../../src/services/widgets/settings.js';

export function RefusedOrigins({ widget, onSaved }: { widget: Widget; onSaved: () => void }) {
  const refused = useLoad(
    () => get<{ origins: RefusedOriginJson[] }>(`/api/widgets/${widget.id}/refused-origins`).then((b) => b.origins),
    [widget.id, widget.allowedOrigins.join(' ')],
  );
  const action = useAction();
  const allow = (origin: string) =>
    action.run(async () => {
      await patch(`/api/widgets/${widget.id}`, { allowedOrigins: [...widget.allowedOrigins, origin] });
      onSaved();
    });
  const origins = refused.data ?? [];
  return (
    <Card title="Refused websites">
      <ErrorBox error={action.error ?? refused.error} />
      {refused.data && origins.length === 0 && <p className="muted">No website outside the allowed origins has tried to use this widget lately.</p>}
      {origins.length > 0 && (
        <>
          <p className="muted">
            These websites embed this widget but are not in its allowed origins; their visitors read “Chat is not enabled on this website”.
          </p>
          <ul className="list" data-testid="refused-origins">
            {origins.map((o) => (
              <li key={o.origin} className="refused-origin">
                <span>
                  <code>{o.origin}</code>{' '}
                  <span className="muted">
                    refused {o.count} {o.count === 1 ? 'time' : 'times'}, last {new Date(o.lastSeenAt).toLocaleString()}
                  </span>
                </span>
                <button type="button" className="small" disabled={action.busy} onClick={() => void allow(o.origin)}>
                  Allow {o.origin}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}
