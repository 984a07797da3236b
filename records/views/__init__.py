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

__all__ = [
    "client_copy",
    "copy_fulfil",
    "copy_request_create",
    "due_list",
    "export_create",
    "export_detail",
    "export_download",
    "export_retry",
]
