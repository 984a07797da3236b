"""The records app's models, one module per concern: requests for a copy and
the exports that fulfil them (`copies`), amendment requests (`amendments`)."""

from records.models.amendments import (
    AmendmentDecision,
    AmendmentOutcome,
    AmendmentPart,
    AmendmentRequest,
    AmendmentStatement,
    to_tell_list,
)
from records.models.copies import (
    COPY_DUE_DAYS,
    CopyFormat,
    CopyFulfilment,
    CopyRequest,
    ExportState,
    HandedHow,
    RecordExport,
)

__all__ = [
    "COPY_DUE_DAYS",
    "AmendmentDecision",
    "AmendmentOutcome",
    "AmendmentPart",
    "AmendmentRequest",
    "AmendmentStatement",
    "CopyFormat",
    "CopyFulfilment",
    "CopyRequest",
    "ExportState",
    "HandedHow",
    "RecordExport",
    "to_tell_list",
]
