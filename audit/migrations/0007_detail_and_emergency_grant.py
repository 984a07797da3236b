"""Two columns for issue #18: `detail` (a privilege change's before and after,
the client ids a list, search or export held) and `emergency_grant_id` (the
grant a page was opened under).

The chain's canonical text (migration 0002) takes them in only when they are
set: an older row, with neither, hashes exactly as before, so `verify_audit`
still checks the whole trail.
"""

from django.conf import settings
from django.db import migrations, models

CANONICAL = r"""
CREATE OR REPLACE FUNCTION audit_event_canonical(e audit_auditevent) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT (
        jsonb_build_array(
            e.seq,
            e.prev_hash,
            to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            e.actor_id,
            e.actor_role,
            e.action,
            e.object_type,
            e.object_id,
            e.client_id,
            e.outcome,
            e.result_count,
            host(e.source_ip),
            e.user_agent,
            e.request_id
        )
        || CASE
            WHEN e.emergency_grant_id IS NULL AND e.detail = '{}'::jsonb
                THEN '[]'::jsonb
            ELSE jsonb_build_array(e.emergency_grant_id, e.detail)
        END
    )::text
$$;
"""

CANONICAL_BEFORE = r"""
CREATE OR REPLACE FUNCTION audit_event_canonical(e audit_auditevent) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_array(
        e.seq,
        e.prev_hash,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        e.actor_id,
        e.actor_role,
        e.action,
        e.object_type,
        e.object_id,
        e.client_id,
        e.outcome,
        e.result_count,
        host(e.source_ip),
        e.user_agent,
        e.request_id
    )::text
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_hand_over_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="detail",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, output_field=models.JSONField()),
                default=dict,
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="emergency_grant_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("emergency_grant_id__isnull", False)),
                fields=["emergency_grant_id", "seq"],
                name="audit_emergency_grant_idx",
            ),
        ),
        # After the columns exist; the function is replaced before they go.
        migrations.RunSQL(CANONICAL, CANONICAL_BEFORE),
    ]
