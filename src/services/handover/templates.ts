// What an agent whose window with a sender is closed is sent instead of free-form (SPEC §8 "The
// path of one notification"): the widget's own approved template, named by the operator, else the
// managed template of the sender's provider account once it is approved.
import { templateValue } from '../../core/handover-template.js';
import { clip, oneLine } from '../../core/handover-text.js';
import type { NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { accountOfNumber, ensureHandoverTemplate, templateOfAccount } from '../numbers/templates.js';
import type { SendRequest } from '../outbound/send.js';
import type { WidgetSettings } from '../widgets/settings.js';

export interface HandoverTemplateValues {
  visitorName: string;
  /** "#282" */
  ref: string;
  excerpt: string;
  /** the visitor's session id, for an operator's template that names `{session}` */
  session?: string;
}

/**
 * What to send instead of free-form when the agent's window with this sender is closed: the widget's own
 * operator-named template when it has one, else the managed template of the sender's account when approved;
 * undefined when none is usable (the caller then tries another path).
 */
export async function handoverTemplateFor(
  ctx: AppContext,
  sender: NumberRow,
  settings: WidgetSettings | null,
  values: HandoverTemplateValues,
): Promise<SendRequest['template'] | undefined> {
  if (settings?.handoverTemplate) return operatorTemplate(settings.handoverTemplate, values);
  const managed = await templateOfAccount(ctx, accountOfNumber(sender));
  if (!managed) {
    // Never asked for (a number added since start-up, no widget saved with it): asked for now, usable once approved.
    await ensureHandoverTemplate(ctx, sender).catch((err) => ctx.log.error({ err, numberId: sender.id }, 'the handover template could not be requested'));
    return undefined;
  }
  if (managed.status !== 'approved' || !managed.provider_template_id) return undefined;
  return {
    name: managed.name,
    language: managed.language,
    variables: [templateValue(values.visitorName), templateValue(values.ref), templateValue(values.excerpt)],
    providerTemplateId: managed.provider_template_id,
  };
}

/**
 * The operator's template with its variables filled: `{name}`, `{ref}`, `{session}` and `{message}`
 * stand for the visitor's name, the reference (#282), the session id and the last message — each one
 * line (WhatsApp refuses line breaks in template variables, and a visitor cannot add lines).
 */
function operatorTemplate(template: NonNullable<WidgetSettings['handoverTemplate']>, values: HandoverTemplateValues): SendRequest['template'] {
  const filled: Record<string, string> = {
    name: oneLine(values.visitorName),
    ref: values.ref,
    session: oneLine(values.session ?? ''),
    message: clip(oneLine(values.excerpt), 500),
  };
  return {
    name: template.name,
    language: template.language,
    variables: template.variables.map((v) => v.replace(/\{(name|ref|session|message)\}/g, (_, key: string) => filled[key]!)),
  };
}
