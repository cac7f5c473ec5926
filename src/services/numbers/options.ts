// Which ways of getting a number apply here, so the dashboard offers only those: this platform's
// configuration (simulator mode, the platform's Twilio and Meta accounts, a platform Whapi token)
// and who asks. Not configured is an answer, not an error.
import type { AppContext } from '../context.js';
import { getOrganization } from '../tenancy/organizations.js';
import { businessAccountConfigured } from './meta-numbers.js';
import { twilioConfigured } from './twilio-numbers.js';

export interface NumberOptions {
  /** a simulated number in one click (simulator mode) */
  simulated: boolean;
  /** search and buy on the platform's Twilio account (configured; a trial organization needs the platform key) */
  buyTwilio: boolean;
  /** assign a number of the platform's Meta business account (platform key, account configured) */
  assignMeta: boolean;
  /** assign a Whapi channel: always with the channel's own token; without one only the platform key, with WHAPI_TOKEN set */
  whapiWithoutToken: boolean;
}

export async function numberOptions(ctx: AppContext, organizationId: string, platform: boolean): Promise<NumberOptions> {
  const org = await getOrganization(ctx, organizationId);
  return {
    simulated: ctx.config.simulator,
    buyTwilio: twilioConfigured(ctx) && (platform || org.plan !== 'trial'),
    assignMeta: platform && businessAccountConfigured(ctx),
    whapiWithoutToken: platform && Boolean(ctx.config.whapi.token),
  };
}
