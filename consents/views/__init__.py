from consents.views.consent import (
    client_consents,
    consent_create,
    consent_detail,
    consent_revoke,
    consent_sign,
    notice,
    notice_record,
)

__all__ = [
    "client_consents",
    "consent_create",
    "consent_detail",
    "consent_revoke",
    "consent_sign",
    "notice",
    "notice_record",
]

from consents.views.accounting import accounting  # noqa: E402

__all__ += ["accounting"]
