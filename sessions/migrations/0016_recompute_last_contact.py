"""Recompute every client's last contact as migration `last_contact_is_a_signed_note`
defines it: the latest signed note that had started by now. Clients whose only
sessions are drafts (or drafts dated in the future) go back to no contact, and so
back onto the reach-out list once their intake is old enough."""

from django.db import migrations

RECOMPUTE = r"""
UPDATE clients_client c
   SET last_contact_at = latest.started_at
  FROM (
        SELECT c2.id,
               (SELECT max(s.started_at) FROM therapy_sessions_therapysession s
                 WHERE s.client_id = c2.id {condition}) AS started_at
          FROM clients_client c2
       ) latest
 WHERE latest.id = c.id
   AND c.last_contact_at IS DISTINCT FROM latest.started_at
"""

FORWARD_SQL = RECOMPUTE.replace(
    "{condition}", "AND s.status = 'signed' AND s.started_at <= now()"
)
# What migration `keep_last_contact` kept: every session.
REVERSE_SQL = RECOMPUTE.replace("{condition}", "")


class Migration(migrations.Migration):
    dependencies = [("therapy_sessions", "0015_last_contact_is_a_signed_note")]

    operations = [migrations.RunSQL(FORWARD_SQL, REVERSE_SQL)]
