from records.views.copies import (
    client_copy,
    copy_fulfil,
    copy_request_create,
    due_list,
    export_create,
    export_detail,
    export_download,
    export_retry,
)
from records.views.fhir import record_fhir

__all__ = [
    "client_copy",
    "copy_fulfil",
    "copy_request_create",
    "due_list",
    "export_create",
    "export_detail",
    "export_download",
    "export_retry",
    "record_fhir",
]
