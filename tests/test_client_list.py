from __future__ import annotations

import datetime
from typing import Any

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client, ClientStatus, ClosureReason
from sessions.services import therapy_session_sign
from staff.models import User
from tests.factories import ClientFactory, ClinicianFactory, TherapySessionFactory
from tests.querycount import queries_for_get
from tests.web import form_to

LIST = reverse("clients:list")
SEARCH = reverse("clients:search")


def test_caseload_shows_own_open_clients(
    as_clinician: HttpClient, clinician: User, outsider: User
) -> None:
    ClientFactory.create(clinician=clinician, chosen_name="Alder Active")
    ClientFactory.create(
        clinician=clinician, chosen_name="Pine Paused", status=ClientStatus.PAUSED
    )
    ClientFactory.create(
        clinician=clinician,
        chosen_name="Cedar Closed",
        status=ClientStatus.CLOSED,
        closed_reason=ClosureReason.MOVED,
        closed_on=timezone.localdate(),
    )
    ClientFactory.create(clinician=outsider, chosen_name="Someone Elsewhere")
    response = as_clinician.get(LIST)
    assertContains(response, "Alder Active")
    assertContains(response, "Pine Paused")
    assertNotContains(response, "Cedar Closed")
    assertNotContains(response, "Someone Elsewhere")


def test_closed_filter_shows_closed_records(
    as_clinician: HttpClient, clinician: User
) -> None:
    ClientFactory.create(
        clinician=clinician,
        chosen_name="Cedar Closed",
        status=ClientStatus.CLOSED,
        closed_reason=ClosureReason.MOVED,
        closed_on=timezone.localdate(),
    )
    assertContains(as_clinician.get(LIST, {"status": "closed"}), "Cedar Closed")


def test_search_by_chosen_legal_or_other_name_without_words_in_url(
    as_clinician: HttpClient, clinician: User
) -> None:
    ClientFactory.create(clinician=clinician, chosen_name="Wren", legal_name="Jo Q")
    ClientFactory.create(clinician=clinician, chosen_name="Birch", aliases="Sparrow")
    ClientFactory.create(clinician=clinician, chosen_name="Maple")
    for term, expected in (("wre", "Wren"), ("jo q", "Wren"), ("sparrow", "Birch")):
        response = as_clinician.post(SEARCH, {"q": term})
        assert response.status_code == 302
        assert term not in response["Location"].lower()
        page = as_clinician.get(response["Location"])
        assertContains(page, expected)
        assertNotContains(page, "Maple")
        assert term.encode() not in page.request["QUERY_STRING"].encode().lower()


def test_search_finds_closed_records_too(
    as_clinician: HttpClient, clinician: User
) -> None:
    ClientFactory.create(
        clinician=clinician,
        chosen_name="Cedar Closed",
        status=ClientStatus.CLOSED,
        closed_reason=ClosureReason.OTHER,
        closed_on=timezone.localdate(),
    )
    response = as_clinician.post(SEARCH, {"q": "cedar"}, follow=True)
    assertContains(response, "Cedar Closed")


def test_clearing_the_search(as_clinician: HttpClient, clinician: User) -> None:
    ClientFactory.create(clinician=clinician, chosen_name="Wren")
    ClientFactory.create(clinician=clinician, chosen_name="Maple")
    as_clinician.post(SEARCH, {"q": "wren"})
    response = as_clinician.post(SEARCH, {"q": "wren", "clear": "1"}, follow=True)
    assertContains(response, "Maple")


def test_search_cannot_reach_another_caseload(
    as_clinician: HttpClient, clinician: User, outsider: User
) -> None:
    ClientFactory.create(clinician=outsider, chosen_name="Hidden Heron")
    response = as_clinician.post(SEARCH, {"q": "heron"}, follow=True)
    assertNotContains(response, "Hidden Heron")


def test_reach_out_marker_after_thirty_days_without_contact(
    as_clinician: HttpClient, clinician: User
) -> None:
    today = timezone.localdate()
    ClientFactory.create(
        clinician=clinician,
        chosen_name="Long Ago",
        intake_date=today - datetime.timedelta(days=45),
    )
    ClientFactory.create(clinician=clinician, chosen_name="Just Met")
    response = as_clinician.get(LIST)
    content = response.content.decode()
    long_row = content[content.index("Long Ago") :].split("</tr>")[0]
    new_row = content[content.index("Just Met") :].split("</tr>")[0]
    assert "Reach out" in long_row
    assert "Reach out" not in new_row
    # No session yet: days are counted from intake.
    assert "No session yet" in long_row and "<td>45</td>" in long_row


def test_a_row_shows_the_last_session_date_and_pronouns(
    as_clinician: HttpClient, clinician: User
) -> None:
    client = ClientFactory.create(
        clinician=clinician, chosen_name="Ash <Rowan>", pronouns="they/them"
    )
    note = TherapySessionFactory.create(
        client=client,
        started_at=timezone.make_aware(datetime.datetime(2026, 3, 4, 10, 0)),
    )
    # Contact is a signed note (a draft does not count).
    therapy_session_sign(session=note, by=clinician, expected_version=1)
    content = as_clinician.get(LIST).content.decode()
    row = content[content.index("Ash &lt;Rowan&gt;") :].split("</tr>")[0]
    assert "(they/them)" in row
    assert "4 Mar 2026" in row
    assert f'href="{client.get_absolute_url()}"' in content


def test_reach_out_days_are_configurable(
    as_clinician: HttpClient, clinician: User, settings: object
) -> None:
    settings.REACH_OUT_AFTER_DAYS = 5  # type: ignore[attr-defined]
    ClientFactory.create(
        clinician=clinician,
        chosen_name="Week Ago",
        intake_date=timezone.localdate() - datetime.timedelta(days=7),
    )
    assertContains(as_clinician.get(LIST), 'class="badge text-bg-info reach-out"')


def test_sort_by_longest_without_contact(
    as_clinician: HttpClient, clinician: User
) -> None:
    today = timezone.localdate()
    ClientFactory.create(clinician=clinician, chosen_name="Aaa Recent")
    ClientFactory.create(
        clinician=clinician,
        chosen_name="Zzz Old",
        intake_date=today - datetime.timedelta(days=90),
    )
    content = as_clinician.get(LIST, {"sort": "last_contact"}).content.decode()
    assert content.index("Zzz Old") < content.index("Aaa Recent")
    content = as_clinician.get(LIST, {"sort": "name"}).content.decode()
    assert content.index("Aaa Recent") < content.index("Zzz Old")


def test_pagination(as_clinician: HttpClient, clinician: User) -> None:
    ClientFactory.create_batch(30, clinician=clinician)
    first = as_clinician.get(LIST)
    assertContains(first, "Page 1 of 2")
    second = as_clinician.get(LIST, {"page": 2})
    assertContains(second, "Page 2 of 2")


def test_caseload_query_count_does_not_grow(
    as_clinician: HttpClient, clinician: User
) -> None:
    counts = []
    elsewhere = ClinicianFactory.create()
    for size in (26, 60):  # page 2 exists at both sizes
        # Clients are never deleted (PostgreSQL refuses): moved off the caseload.
        Client.objects.filter(clinician=clinician).update(clinician=elsewhere)
        ClientFactory.create_batch(size, clinician=clinician)
        counts.append(queries_for_get(as_clinician, LIST, sort="last_contact"))
        counts.append(queries_for_get(as_clinician, LIST, page="2"))
    # 7: session, user, second-factor device, the audit event, the waiting
    # counts, the emergency-access notice, and the page's rows with their
    # total (COUNT(*) OVER ()).
    assert counts[0] == counts[2] <= 7, counts
    assert counts[1] == counts[3] <= 7, counts


def test_a_page_past_the_end_shows_the_last_page(
    as_clinician: HttpClient, clinician: User
) -> None:
    ClientFactory.create_batch(27, clinician=clinician)
    response = as_clinician.get(LIST, {"page": "9"})
    assertContains(response, "Page 2 of 2")
    assert _caseload_rows(response) == 2
    for odd in ("0", "-1", "x"):
        response = as_clinician.get(LIST, {"page": odd})
        assertContains(response, "Page 1 of 2" if odd == "x" else "Page 2 of 2")
        assert _caseload_rows(response) == (25 if odd == "x" else 2)


def _caseload_rows(response: Any) -> int:
    """The rows of the caseload's table, as a person counts them."""
    body = response.content.decode()
    return body.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")


def test_admin_has_no_caseload(as_admin: HttpClient) -> None:
    assert as_admin.get(LIST).status_code == 404
    assert as_admin.post(SEARCH, {"q": "x"}).status_code == 404


def test_search_is_post_only(as_clinician: HttpClient) -> None:
    assert as_clinician.get(SEARCH).status_code == 405


def test_filter_and_sort_links_keep_each_other_and_start_at_page_one(
    as_clinician: HttpClient, clinician: User
) -> None:
    ClientFactory.create_batch(3, clinician=clinician)
    page = as_clinician.get(LIST, {"sort": "last_contact", "page": "1"})
    assertContains(page, 'href="?sort=last_contact&amp;status=paused"')
    assertContains(page, 'href="?sort=name"')


def test_waiting_for_you_counts_drafts_and_notes_waiting_for_cosignature(
    as_clinician: HttpClient, clinician: User, client_record: Client
) -> None:
    TherapySessionFactory.create_batch(2, client=client_record)  # drafts
    signed = TherapySessionFactory.create(
        client=client_record,
        status="signed",
        signed_at=timezone.now(),
        review_status="waiting",
    )
    assert signed.clinician == clinician
    box = as_clinician.get(LIST).content.decode()
    box = box[box.index('data-testid="waiting-for-you"') :].split("</div>")[0]
    assert "2 drafts" in box
    assert "1 waiting for co-signature" in box
    assert "returned" not in box


# Submitted as a browser does: from the pages as rendered, CSRF checks on
# (tests/web.py).


def test_searching_and_clearing_from_the_caseload_page(web, clinician: User) -> None:
    ClientFactory.create(clinician=clinician, chosen_name="Wren", legal_name="Jo Q")
    ClientFactory.create(clinician=clinician, chosen_name="Maple")
    app = web(clinician)
    form = form_to(app.get(LIST), SEARCH)
    form["q"] = "jo q"

    found = form.submit().follow()

    assert "jo" not in found.request.url.lower()
    assertContains(found, "Wren")
    assertNotContains(found, "Maple")
    form = form_to(found, SEARCH)
    assert form["q"].value == "jo q"
    cleared = form.submit("clear").follow()
    assertContains(cleared, "Wren")
    assertContains(cleared, "Maple")
    assert form_to(cleared, SEARCH)["q"].value == ""


def test_a_clients_own_words_are_shown_as_written_never_run(
    as_clinician: HttpClient, clinician: User
) -> None:
    ClientFactory(
        clinician=clinician, chosen_name="<script>alert(1)</script>", pronouns="<b>"
    )
    response = as_clinician.get(LIST)
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assertContains(response, "(&lt;b&gt;)")
    assertNotContains(response, "<script>alert(1)")
