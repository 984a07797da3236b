"""Nothing of a group is ever deleted, and a signed meeting never changes
(issue #24), enforced by PostgreSQL and not only by the app:

- groups_group, groups_groupmembership, groups_groupmeeting,
  groups_attendance: no DELETE, no TRUNCATE (a member leaving is a date).
- groups_groupmembership: only an open membership's `left_on` may be set;
  who, which group and since when never change.
- groups_groupmeeting: a signed row never changes (updated_at aside), and it
  is signed only once none of its notes is still a draft.
- groups_attendance: no row is added to or changed in a signed meeting.
- therapy_sessions_therapysession: no new note joins a signed meeting.

The functions `clinical_append_only` and `clinical_no_truncate` are those of
migration staff `append_only_staff_history`.
"""

from django.db import migrations

TABLES = [
    "groups_group",
    "groups_groupmembership",
    "groups_groupmeeting",
    "groups_attendance",
]

FUNCTIONS = r"""
CREATE FUNCTION groups_membership_only_leaves() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.left_on IS NOT NULL
       OR NEW.group_id <> OLD.group_id
       OR NEW.client_id <> OLD.client_id
       OR NEW.joined_on <> OLD.joined_on
       OR NEW.added_by_id <> OLD.added_by_id
       OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'a group membership only ever gains a leaving date (%)',
            OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER groups_membership_only_leaves
    BEFORE UPDATE ON groups_groupmembership
    FOR EACH ROW EXECUTE FUNCTION groups_membership_only_leaves();

CREATE FUNCTION groups_lock_signed_meeting() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'signed' AND
       (to_jsonb(NEW) - 'updated_at') IS DISTINCT FROM (to_jsonb(OLD) - 'updated_at')
    THEN
        RAISE EXCEPTION 'signed meeting % cannot be changed; add an addendum to a note',
            OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.status = 'signed' AND OLD.status <> 'signed' AND EXISTS (
        SELECT 1 FROM therapy_sessions_therapysession
        WHERE group_meeting_id = NEW.id AND status = 'draft'
          AND handed_over_at IS NULL
    ) THEN
        RAISE EXCEPTION 'meeting % still has draft notes', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER groups_lock_signed_meeting
    BEFORE UPDATE ON groups_groupmeeting
    FOR EACH ROW EXECUTE FUNCTION groups_lock_signed_meeting();

CREATE FUNCTION groups_attendance_of_open_meeting() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM groups_groupmeeting
        WHERE id = NEW.meeting_id AND status = 'signed'
    ) OR (TG_OP = 'UPDATE' AND EXISTS (
        SELECT 1 FROM groups_groupmeeting
        WHERE id = OLD.meeting_id AND status = 'signed'
    )) THEN
        RAISE EXCEPTION 'attendance of signed meeting % cannot change',
            NEW.meeting_id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER groups_attendance_of_open_meeting
    BEFORE INSERT OR UPDATE ON groups_attendance
    FOR EACH ROW EXECUTE FUNCTION groups_attendance_of_open_meeting();

CREATE FUNCTION groups_no_note_joins_signed_meeting() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.group_meeting_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR OLD.group_meeting_id IS DISTINCT FROM NEW.group_meeting_id)
       AND EXISTS (
        SELECT 1 FROM groups_groupmeeting
        WHERE id = NEW.group_meeting_id AND status = 'signed'
    ) THEN
        RAISE EXCEPTION 'meeting % is signed; no note joins it now',
            NEW.group_meeting_id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER groups_no_note_joins_signed_meeting
    BEFORE INSERT OR UPDATE ON therapy_sessions_therapysession
    FOR EACH ROW EXECUTE FUNCTION groups_no_note_joins_signed_meeting();
"""

GUARDS = "".join(
    f"""
CREATE TRIGGER {table}_never_deleted
    BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION clinical_append_only();
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_no_truncate();
"""
    for table in TABLES
)

SQL = FUNCTIONS + GUARDS

UNDO = (
    "".join(
        f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_never_deleted ON {table};
"""
        for table in reversed(TABLES)
    )
    + r"""
DROP TRIGGER IF EXISTS groups_no_note_joins_signed_meeting
    ON therapy_sessions_therapysession;
DROP FUNCTION IF EXISTS groups_no_note_joins_signed_meeting();
DROP TRIGGER IF EXISTS groups_attendance_of_open_meeting ON groups_attendance;
DROP FUNCTION IF EXISTS groups_attendance_of_open_meeting();
DROP TRIGGER IF EXISTS groups_lock_signed_meeting ON groups_groupmeeting;
DROP FUNCTION IF EXISTS groups_lock_signed_meeting();
DROP TRIGGER IF EXISTS groups_membership_only_leaves ON groups_groupmembership;
DROP FUNCTION IF EXISTS groups_membership_only_leaves();
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0001_groups_members_meetings"),
        ("therapy_sessions", "0025_notes_of_group_meetings"),
        ("staff", "0008_append_only_staff_history"),
    ]

    operations = [migrations.RunSQL(SQL, UNDO)]
