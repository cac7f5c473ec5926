// The template that tells an agent of a handover when the sender's 24-hour window with them is
// closed: the widget's own approved template, named by the operator.
import { clip, oneLine } from '../../core/handover-text.js';
import type { NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import type { SendRequest } from '../outbound/send.js';
import type { WidgetSettings } from '../widgets/settings.js';

export interface HandoverTemplateValues {
  visitorName: string;
  /** "#282" */
  ref: string;
  excerpt: string;
}

/**
 * The widget's template with its variables filled (`{name}`, `{ref}`, `{message}`; `{session}` is
 * kept for templates named before it was dropped and is filled with the reference), or undefined
 * when none can be sent from this sender.
 */
export async function handoverTemplateFor(
  _ctx: AppContext,
  _sender: NumberRow,
  settings: WidgetSettings | null,
  values: HandoverTemplateValues,
): Promise<SendRequest['template'] | undefined> {
  const template = settings?.handoverTemplate;
  if (!template) return undefined;
  // What the visitor typed stays one line here too (and WhatsApp refuses line breaks in template variables).
  const filled: Record<string, string> = {
    name: oneLine(values.visitorName),
    ref: values.ref,
    session: values.ref,
    message: clip(oneLine(values.excerpt), 500),
  };
  return {
    name: template.name,
    language: template.language,
    variables: template.variables.map((v) => v.replace(/\{(name|ref|session|message)\}/g, (_, key: string) => filled[key]!)),
  };
}
