"""The records app's models, one module per concern: requests for a copy and
the exports that fulfil them (`copies`), amendment requests (`amendments`)."""

from records.models.amendments import (
    AmendmentDecision,
    AmendmentOutcome,
    AmendmentPart,
    AmendmentRequest,
    AmendmentStatement,
)

__all__: list[str] = [
    "AmendmentDecision",
    "AmendmentOutcome",
    "AmendmentPart",
    "AmendmentRequest",
    "AmendmentStatement",
]
