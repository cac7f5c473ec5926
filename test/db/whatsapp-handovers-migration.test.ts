// Migration 171 on a database with handovers: widgets' assignments are kept, a WhatsApp customer's
// handover may have no widget, and WhatsApp conversations left waiting by the old "human" (no agent
// was ever told) go back to the bot.
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../src/db/database.js';
import { insertOldOrganization, migrateUpTo } from '../support/migrations.js';

describe('migration 171 (WhatsApp handovers)', () => {
  it('keeps assignments, allows one without a widget, and gives silent waiting WhatsApp conversations back to the bot', async () => {
    const database = openDatabase('sqlite::memory:');
    try {
      const db = await migrateUpTo(database, '141_answer_choices_and_suggestions');
      const at = '2026-01-01T00:00:00.000Z';
      await insertOldOrganization(db, 'org', 'Shop', at);
      await db.insertInto('contacts').values({ id: 'ana', organization_id: 'org', kind: 'whatsapp', phone: '+15550100200', created_at: at }).execute();
      const conversation = (id: string, ref: number, channel: string, status: string, assigned: string | null) => ({
        id,
        organization_id: 'org',
        ref,
        contact_id: 'ana',
        channel,
        status,
        assigned_whatsapp_number: assigned,
        last_message_at: at,
        created_at: at,
      });
      await db
        .insertInto('conversations')
        .values([
          conversation('silent', 1, 'whatsapp', 'waiting_agent', null),
          conversation('visitor', 2, 'widget', 'waiting_agent', '+14155238886'),
          conversation('answered', 3, 'whatsapp', 'bot', null),
        ])
        .execute();
      await db
        .insertInto('handover_assignments')
        .values({ id: 'a1', conversation_id: 'visitor', widget_id: 'w1', number: '+14155238886', assigned_at: at, released_at: null })
        .execute();

      await migrateToLatest(database);

      expect(await db.selectFrom('handover_assignments').selectAll().execute()).toEqual([
        { id: 'a1', conversation_id: 'visitor', widget_id: 'w1', number: '+14155238886', assigned_at: at, released_at: null },
      ]);
      await db
        .insertInto('handover_assignments')
        .values({ id: 'whatsapp:1', conversation_id: 'answered', widget_id: null, number: '+14155550142', assigned_at: at, released_at: null })
        .execute();
      const statuses = await db.selectFrom('conversations').select(['id', 'status']).orderBy('ref').execute();
      expect(statuses).toEqual([
        { id: 'silent', status: 'bot' },
        { id: 'visitor', status: 'waiting_agent' },
        { id: 'answered', status: 'bot' },
      ]);
    } finally {
      await database.close();
    }
  });
});
