from records.views.amendments import (
    amendment_create,
    amendment_decide,
    amendment_detail,
    amendment_list,
    amendment_statement,
)
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
    "amendment_create",
    "amendment_decide",
    "amendment_detail",
    "amendment_list",
    "amendment_statement",
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
