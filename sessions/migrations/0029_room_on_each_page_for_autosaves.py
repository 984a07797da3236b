from django.db import migrations

TABLE = "therapy_sessions_therapysession"


class Migration(migrations.Migration):
    """Room on each page of the notes table for a draft's next version, so an
    autosave updates its row in place (a HOT update, writing no index) instead
    of moving it to another page and writing all seventeen indexes (issue #25).

    An autosave changes no indexed column (0026), but a HOT update also needs
    the row's new version to fit on the row's own page, and at PostgreSQL's
    default fillfactor of 100 the pages a draft is written to are full:
    bench/autosave_hot.py, 10,000 autosaves of 20 drafts typed as seed_scale
    writes notes, measured 69% of them HOT at 100, 86% at 90, 94% at 80 and
    95% at 70, the indexes growing 2.3 MB, 1.5 MB, 0.5 MB and 0.5 MB. 80 it is:
    a fifth of each new page is kept for updates, so the table takes about
    27% more room for notes written from now on (the 50,000 seeded notes: 79
    -> 101 MB). Rows already written stay where they are (nothing is
    rewritten) and the setting takes a SHARE UPDATE EXCLUSIVE lock, which
    reads and writes do not wait for. docs/performance.md has the figures."""

    dependencies = [
        ("therapy_sessions", "0028_clinician_notes_by_date_covering"),
    ]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {TABLE} SET (fillfactor = 80)",
            reverse_sql=f"ALTER TABLE {TABLE} RESET (fillfactor)",
        ),
    ]
