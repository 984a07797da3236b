from consents.views.accounting import accounting
from consents.views.consent import (
    client_consents,
    consent_create,
    consent_detail,
    consent_revoke,
    consent_sign,
    notice,
    notice_record,
)
from consents.views.sharing import (
    disclosure_detail,
    disclosure_pdf,
    share,
    share_without_consent,
)

__all__ = [
    "accounting",
    "client_consents",
    "consent_create",
    "consent_detail",
    "consent_revoke",
    "consent_sign",
    "disclosure_detail",
    "disclosure_pdf",
    "notice",
    "notice_record",
    "share",
    "share_without_consent",
]
