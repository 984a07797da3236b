# The hand-over action, after 0005 added the discard action (both issue #16).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_discard_action"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("read", "Opened"),
                    ("list", "Listed"),
                    ("search", "Searched"),
                    ("export", "Exported"),
                    ("create", "Created"),
                    ("update", "Edited"),
                    ("sign", "Signed"),
                    ("discard", "Discarded a draft"),
                    ("addendum", "Added an addendum"),
                    ("cosign", "Co-signed"),
                    ("return", "Returned with comments"),
                    ("hand_over", "Handed a draft over"),
                    ("close", "Closed"),
                    ("reopen", "Reopened"),
                    ("pause", "Paused"),
                    ("resume", "Made active"),
                    ("reassign", "Reassigned"),
                    ("sign_in", "Signed in"),
                    ("sign_in_failed", "Sign-in failed"),
                    ("sign_out", "Signed out"),
                    ("throttled", "Sign-in throttled"),
                    ("second_factor", "Passed the second factor"),
                    ("second_factor_failed", "Second factor failed"),
                    ("second_factor_enrolled", "Set up a second factor"),
                    ("recovery_code_used", "Used a recovery code"),
                    ("staff_change", "Changed a staff account"),
                ],
                max_length=30,
            ),
        ),
    ]
