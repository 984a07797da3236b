__all__: list[str] = []

# Amendment requests (HIPAA §164.526).
from records.views.amendments import (  # noqa: E402
    amendment_create,
    amendment_decide,
    amendment_detail,
    amendment_list,
    amendment_statement,
)

__all__ += [
    "amendment_create",
    "amendment_decide",
    "amendment_detail",
    "amendment_list",
    "amendment_statement",
]
