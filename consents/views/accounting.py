"""The accounting of disclosures (42 CFR 2.25, HIPAA 164.528, issue #19 item
7): what was shared of a client's records, with whom and why, for the client
to read and take home. Read-only for everyone; opened like every consent page
(clients.access.open_client: 404 outside visibility, an admin sees none)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit import services as audit
from audit.models import Action
from clients.access import open_client
from consents import selectors
from staff.decorators import AuthenticatedHttpRequest


@require_safe
def accounting(request: AuthenticatedHttpRequest, client_pk: object) -> HttpResponse:
    """The list, or with `?print=1` the version printed for the client
    (recorded as a print, not a read). One audit event either way, with the
    client's id and how many disclosures it showed."""
    print_view = request.GET.get("print") == "1"
    client, access = open_client(request, client_pk, read_event=False)
    entries = selectors.disclosure_accounting(client=client, user=request.user)
    audit.record(
        actor=request.user,
        action=Action.PRINT if print_view else Action.READ,
        object_type="accounting",
        object_id=str(client.pk),
        client_id=client.pk,
        result_count=len(entries),
        emergency_grant_id=access.grant_id,
    )
    return render(
        request,
        "consents/accounting.html",
        {
            "client": client,
            "client_access": access,
            "tab_consent": True,
            "print_view": print_view,
            "entries": entries,
            "part2": settings.PART2_PROGRAM,
            "years": selectors.ACCOUNTING_YEARS,
            "years_part2": selectors.ACCOUNTING_YEARS_PART2_CONSENTED,
            "contact": settings.PRIVACY_CONTACT,
        },
    )
