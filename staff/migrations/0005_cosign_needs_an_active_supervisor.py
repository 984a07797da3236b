"""Someone whose notes need co-signature has an active supervisor (issue #16).

A signed note that needs co-signature waits in the queue of its author's
supervisor; with no supervisor, or a deactivated one, it waited in nobody's.

- CheckConstraint `staff_user_cosign_has_supervisor`: requires_cosign implies a
  supervisor.
- Trigger `staff_user_cosign_supervisor_active`, for what spans two rows: the
  supervisor of such a person is an active staff member with the supervisor
  role, and stays one (deactivating or demoting them is refused while they
  have such supervisees). The supervisor's row is read FOR SHARE, so a
  deactivation running at the same moment waits, then sees the new supervisee
  and is refused.

Existing rows that break the rule are not changed here (turning co-signature
off, or choosing a supervisor, is a decision for a person): the migration
stops and names them, to be fixed on the staff page before migrating again.
"""

from typing import Any

from django.db import migrations, models

SQL = r"""
CREATE FUNCTION staff_user_cosign_supervisor_active() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.requires_cosign THEN
        PERFORM 1 FROM staff_user s
         WHERE s.id = NEW.supervisor_id AND s.is_active AND s.role = 'supervisor'
           FOR SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION
                'staff % needs co-signature: their supervisor must be an active supervisor',
                NEW.id
                USING ERRCODE = 'check_violation',
                      CONSTRAINT = 'staff_user_cosign_supervisor_active';
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NOT (NEW.is_active AND NEW.role = 'supervisor') THEN
        PERFORM 1 FROM staff_user c
         WHERE c.supervisor_id = NEW.id AND c.requires_cosign;
        IF FOUND THEN
            RAISE EXCEPTION
                'staff % supervises staff who need co-signature: give them another supervisor first',
                NEW.id
                USING ERRCODE = 'check_violation',
                      CONSTRAINT = 'staff_user_cosign_supervisor_active';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER staff_user_cosign_supervisor_active
    BEFORE INSERT OR UPDATE OF requires_cosign, supervisor_id, is_active, role
    ON staff_user
    FOR EACH ROW EXECUTE FUNCTION staff_user_cosign_supervisor_active();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS staff_user_cosign_supervisor_active ON staff_user;
DROP FUNCTION IF EXISTS staff_user_cosign_supervisor_active();
"""


def refuse_unsupervised_cosign(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("staff", "User")
    broken = (
        User.objects.filter(requires_cosign=True)
        .exclude(supervisor__is_active=True, supervisor__role="supervisor")
        .order_by("pk")
        .values_list("pk", "username")
    )
    if broken:
        names = ", ".join(f"{username} (id {pk})" for pk, username in broken)
        raise RuntimeError(
            "These staff members' notes need co-signature, but they have no "
            f"active supervisor: {names}. Choose an active supervisor for each, "
            "or turn co-signature off, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("staff", "0004_one_record_per_form"),
    ]

    operations = [
        migrations.RunPython(refuse_unsupervised_cosign, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(requires_cosign=False)
                | models.Q(supervisor__isnull=False),
                name="staff_user_cosign_has_supervisor",
            ),
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
    ]
