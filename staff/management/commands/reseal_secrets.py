from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hr_clinic.lib.sealed import SealError
from staff.models import SealedTOTPDevice, totp_sealer


class Command(BaseCommand):
    help = (
        "Seal every authenticator secret again with FIELD_ENCRYPTION_KEY, opening "
        "it with that key or one of FIELD_ENCRYPTION_OLD_KEYS: the last step of a "
        "key rotation, after which the old keys can be removed. All or nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sealer = totp_sealer()
        count = 0
        try:
            with transaction.atomic():
                for device in SealedTOTPDevice.objects.select_for_update().only(
                    "pk", "key"
                ):
                    device.key = sealer.seal(device.bin_key)
                    device.save(update_fields=["key"])
                    count += 1
        except SealError as exc:
            raise CommandError(f"Nothing was changed: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Sealed {count} authenticator secrets again.")
        )
