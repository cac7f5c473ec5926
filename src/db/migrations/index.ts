// The one list of migrations, in order. Add a file and one line here.
import type { Migration } from 'kysely';
import * as m001 from './001_initial.js';
import * as m002 from './002_message_media.js';
import * as m031 from './031_knowledge_meaning.js';
import * as m041 from './041_widget_uploads.js';
import * as m071 from './071_live_event_payloads.js';
import * as m081 from './081_pending_statuses.js';
import * as m091 from './091_rate_limits.js';
import * as m101 from './101_dashboard_sessions.js';
import * as m111 from './111_send_attempts.js';
import * as m121 from './121_agents.js';
import * as m141 from './141_answer_choices_and_suggestions.js';
import * as m161 from './161_conversation_reads.js';
import * as m171 from './171_whatsapp_handovers.js';
import * as m201 from './201_unrouted_messages.js';
import * as m211 from './211_handover_templates.js';
import * as m221 from './221_handover_notifications.js';
import * as m231 from './231_reply_names.js';
import * as m241 from './241_agent_phone.js';
import * as m251 from './251_plan_usage.js';
import * as m261 from './261_unrouted_verified_by.js';
import * as m281 from './281_job_leases.js';
import * as m301 from './301_knowledge_changed.js';
import * as m311 from './311_hot_query_indexes.js';
import * as m321 from './321_retention_indexes.js';
import * as m331 from './331_media_store.js';
import * as m351 from './351_refused_origins.js';
import * as m361 from './361_entry_edits_and_learned_phrasings.js';
import * as m371 from './371_usage_counts.js';
import * as m381 from './381_inbox_status_index.js';
import * as m401 from './401_pending_status_signers.js';

export const migrations: Record<string, Migration> = {
  '001_initial': m001,
  '002_message_media': m002,
  '031_knowledge_meaning': m031,
  '041_widget_uploads': m041,
  '071_live_event_payloads': m071,
  '081_pending_statuses': m081,
  '091_rate_limits': m091,
  '101_dashboard_sessions': m101,
  '111_send_attempts': m111,
  '121_agents': m121,
  '141_answer_choices_and_suggestions': m141,
  '161_conversation_reads': m161,
  '171_whatsapp_handovers': m171,
  '201_unrouted_messages': m201,
  '211_handover_templates': m211,
  '221_handover_notifications': m221,
  '231_reply_names': m231,
  '241_agent_phone': m241,
  '251_plan_usage': m251,
  '261_unrouted_verified_by': m261,
  '281_job_leases': m281,
  '301_knowledge_changed': m301,
  '311_hot_query_indexes': m311,
  '321_retention_indexes': m321,
  '331_media_store': m331,
  '351_refused_origins': m351,
  '361_entry_edits_and_learned_phrasings': m361,
  '371_usage_counts': m371,
  '381_inbox_status_index': m381,
  '401_pending_status_signers': m401,
};
