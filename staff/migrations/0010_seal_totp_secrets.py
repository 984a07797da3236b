"""Existing authenticator secrets, sealed with FIELD_ENCRYPTION_KEY (issue #18).

Until now django-otp kept each TOTP secret as plain hex in otp_totp_totpdevice:
anyone with a copy of the database (a backup, a replica) could make codes for
every account. Each hex key is sealed here as SealedTOTPDevice seals new ones
(hr_clinic/lib/sealed.py); going back opens them to hex again, which needs the
same key. A row already sealed is left as it is, so running it twice is safe.
"""

from typing import Any

from django.conf import settings
from django.db import migrations

from hr_clinic.lib.sealed import is_sealed, sealer

# The same purpose as staff.models.TOTP_KEY_PURPOSE, frozen here.
PURPOSE = b"otp_totp.totpdevice.key"


def _sealer() -> Any:
    keys = (settings.FIELD_ENCRYPTION_KEY, *settings.FIELD_ENCRYPTION_OLD_KEYS)
    return sealer(keys, PURPOSE)


def seal(apps: Any, schema_editor: Any) -> None:
    devices = apps.get_model("otp_totp", "TOTPDevice").objects.using(
        schema_editor.connection.alias
    )
    for device in devices.only("pk", "key"):
        if not is_sealed(device.key):
            device.key = _sealer().seal(bytes.fromhex(device.key))
            device.save(update_fields=["key"])


def unseal(apps: Any, schema_editor: Any) -> None:
    devices = apps.get_model("otp_totp", "TOTPDevice").objects.using(
        schema_editor.connection.alias
    )
    for device in devices.only("pk", "key"):
        if is_sealed(device.key):
            device.key = _sealer().open(device.key).hex()
            device.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0009_sealed_totp_device"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal, unseal)]
