"""The records app's models, one module per concern: requests for a copy and
the exports that fulfil them (`copies`), amendment requests (`amendments`)."""

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
    "CopyFormat",
    "CopyFulfilment",
    "CopyRequest",
    "ExportState",
    "HandedHow",
    "RecordExport",
]
