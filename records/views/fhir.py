"""The client's machine-readable copy as a download (issue #20): their record
as a FHIR R4 Bundle, JSON (records.fhir)."""

from __future__ import annotations

import json

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit.models import Action
from clients.access import open_client
from clients.models import Client
from records.fhir import record_bundle
from staff.decorators import AuthenticatedHttpRequest
from staff.models import User


def _care_team_client(user: User) -> QuerySet[Client]:
    """The clients of `user`'s care team, never one opened by emergency access."""
    return Client.objects.visible_to(user, emergency=False)


@require_safe
def record_fhir(request: AuthenticatedHttpRequest, client_pk: object) -> HttpResponse:
    """The bundle as a file: for the client's care team (their clinician, and
    that clinician's supervisor), recorded once as an export of this client.
    Another clinician's client is a 404. So is one opened only through
    emergency access: a grant is time-limited reading in an emergency, and a
    full copy leaving the service would outlast it (docs/design.md,
    "Emergency access"). The file name carries the record id, never a name;
    the security headers middleware marks the response no-store."""
    client, _ = open_client(
        request,
        client_pk,
        records=_care_team_client,
        read_as=Action.EXPORT,
    )
    now = timezone.now()
    bundle = record_bundle(client=client, user=request.user, now=now)
    response = HttpResponse(
        json.dumps(bundle, ensure_ascii=False, indent=1).encode(),
        content_type="application/fhir+json",
    )
    filename = f"record-{client.pk}-{timezone.localdate(now).isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
