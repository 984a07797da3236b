"""The language guide (product rule 4): which words it flags, where, and which it
leaves alone; the summary a saved form's message carries; and the page that
teaches the terms. Checking what clinicians write is tests/test_language_check.py.

The table below is the contract for precision and recall: each sentence lists the
terms (the TSV's `avoid` column) it must flag, and nothing else may be flagged.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from sessions.language import (
    TERMS,
    Suggestion,
    find_suggestions,
    group_by_term,
    quoted_spans,
    summary,
)

URL = "/sessions/language-guide/"

# (sentence, terms it must flag; repeated terms listed as often as they occur)
TABLE: list[tuple[str, tuple[str, ...]]] = [
    # clean
    ("She stayed clean for three weeks.", ("clean",)),
    ("He has been clean since March.", ("clean",)),
    ("Client reports 90 days clean.", ("clean",)),
    ("She got clean last year and is proud of it.", ("clean",)),
    ("Clean urine today.", ("clean",)),
    ("Tox screen came back clean.", ("clean",)),
    ("He tested clean on Friday.", ("clean",)),
    ("We handed out clean needles and a sharps bin.", ("clean",)),
    ("Gave clean injecting supplies.", ("clean",)),
    ("Cleaned and dressed the wound on her left forearm.", ()),
    ("We met in a clean, quiet room.", ()),
    ("He asked for clean clothes from the donation closet.", ()),
    ("Keep the site clean and dry.", ()),
    ("She will clean the kitchen before the inspection.", ()),
    ("He arrived clean-shaven for the interview.", ()),
    ("The room was clean for the home visit.", ()),
    ("She got clean sheets from the shelter.", ()),
    ("They were clean the whole summer.", ("clean",)),
    # dirty
    ("The UA came back dirty.", ("dirty",)),
    ("Dirty urine on the 4th.", ("dirty",)),
    ("He tested dirty for fentanyl.", ("dirty",)),
    ("She used to share dirty needles.", ("dirty",)),
    ("Client has been dirty for two weeks.", ("dirty",)),
    ("Helped her carry dirty laundry to the laundromat.", ()),
    ("Dirty dishes piled up after the flood.", ()),
    # user
    ("He is a drug user.", ("user",)),
    ("Longtime IV user, interested in fentanyl test strips.", ("user",)),
    ("Heroin users at the camp were offered naloxone.", ("user",)),
    ("The injection drug user group met on Tuesday.", ("user",)),
    ("Update your username on the portal.", ()),
    ("She found the user interface of the app confusing.", ()),
    # abuse / abuser
    ("History of substance abuse.", ("abuse",)),
    ("Drug abuse since age 15.", ("abuse",)),
    ("She has been abusing alcohol at weekends.", ("abuse",)),
    ("He was abusing his prescriptions, his sister says.", ("prescription abuse",)),
    ("History of prescription abuse.", ("prescription abuse",)),
    ("Prescription drug abuse noted by the pharmacy.", ("prescription abuse",)),
    ("Picked up his prescriptions at the pharmacy.", ()),
    ("Referred by the Substance Abuse and Mental Health Services Administration.", ()),
    ("Read the National Institute on Drug Abuse fact sheet together.", ()),
    ("DAST (Drug Abuse Screening Test) score 4.", ()),
    ("Disclosed childhood abuse; safety plan reviewed.", ()),
    ("Her brother is a drug abuser.", ("abuser",)),
    ("Substance abusers deserve care too.", ("abuser",)),
    ("The court named him as a child abuser.", ()),
    # addict / former addict / junkie
    ("He calls himself an addict.", ("addict",)),
    ("Addicts in the shelter share supplies.", ("addict",)),
    ("She is a former addict.", ("former addict",)),
    ("As an ex-addict he mentors others.", ("former addict",)),
    ("He's a reformed drug addict.", ("former addict",)),
    ("Says the other junkies look out for her.", ("junkie",)),
    ("Her car is full of junk.", ()),
    ("She is addicted to her phone, she jokes.", ()),
    # alcoholic / drunk
    ("Her father was an alcoholic.", ("alcoholic",)),
    ("Grew up with an alcoholic mother.", ("alcoholic",)),
    ("Alcoholics were turned away at the door.", ("alcoholic",)),
    ("Goes to Alcoholics Anonymous on Sundays.", ()),
    ("Prefers non-alcoholic beer at parties.", ()),
    ("No alcoholic drinks in the house.", ()),
    ("Neighbours call him the town drunk.", ("drunk",)),
    ("He said he was treated like a drunk at the ER.", ("drunk",)),
    ("She had drunk water before the session.", ()),
    ("He was drunk when he called.", ()),
    ("Charged with drunk driving in 2019.", ()),
    # relapse / slip
    ("She relapsed last weekend.", ("relapse",)),
    ("Relapse prevention plan reviewed.", ("relapse",)),
    ("Three relapses since spring; relapsing again now.", ("relapse", "relapse")),
    ("Relapsing-remitting multiple sclerosis diagnosed in 2015.", ()),
    ("He had a slip on Saturday.", ("slip",)),
    ("Had two small slips since our last session.", ("slip",)),
    ("She slipped on the ice and hurt her wrist.", ()),
    ("Wrote the number on a slip of paper.", ()),
    # habit
    ("He has a drug habit.", ("habit",)),
    ("Sells cans to support his habit.", ("habit",)),
    ("His habit costs about $100 a day.", ("habit",)),
    ("Birds returned to the habitat behind the clinic.", ()),
    ("Built good study habits this term.", ()),
    ("Her habit of arriving early helps.", ()),
    # non-compliant
    ("Non-compliant with medication.", ("non-compliant",)),
    ("Noncompliant with the plan.", ("non-compliant",)),
    ("Discharged for non-compliance last year.", ("non-compliant",)),
    # in denial
    ("He is in denial about his drinking.", ("in denial",)),
    ("Shows denial about the overdoses.", ("in denial",)),
    ("Insurance denial letter received; appeal filed.", ()),
    # drug-seeking
    ("ER notes say drug-seeking behaviour.", ("drug-seeking",)),
    ("Labelled as drug seeking at the pharmacy.", ("drug-seeking",)),
    ("Flagged as med-seeking in 2021.", ("drug-seeking",)),
    # manipulative / unmotivated / resistant
    ("Staff describe her as manipulative.", ("manipulative",)),
    ("Receives osteopathic manipulative treatment for back pain.", ()),
    ("Client seems unmotivated today.", ("unmotivated",)),
    ("He is resistant to treatment.", ("resistant",)),
    ("She remains very resistant.", ("resistant",)),
    ("Client resistant.", ("resistant",)),
    ("Resistant to attending group again.", ("resistant",)),
    ("Presented as guarded and resistant.", ("resistant",)),
    ("She is resistant to antibiotics, so the clinic changed them.", ()),
    ("Her depression has been resistant to medication.", ()),
    # refused to engage
    ("Client refused to engage.", ("refused to engage",)),
    ("He refuses to participate in group.", ("refused to engage",)),
    ("Refused all engagement with staff today.", ("refused to engage",)),
    ("She declined to engage today and that is okay.", ()),
    ("He refused the blood draw after we talked it through.", ()),
    # discharged for using
    ("He was discharged for using.", ("discharged for using",)),
    ("Discharged for relapse in 2021.", ("discharged for using",)),
    ("Kicked out of the shelter for drinking.", ("discharged for using",)),
    (
        "Terminated from the methadone program for a positive UA.",
        ("discharged for using",),
    ),
    ("Discharged from hospital on Monday, home with family.", ()),
    ("The program ended services after a return to use.", ()),
    ("Kicked out for using her phone in group, she says.", ()),
    ("Bought a water-resistant jacket for outreach nights.", ()),
    ("Infection with drug-resistant TB in 2018.", ()),
    # failed treatment
    ("He failed rehab twice.", ("failed treatment",)),
    ("Treatment failure noted by the previous provider.", ("failed treatment",)),
    ("Failed detox in 2020.", ("failed treatment",)),
    ("He failed to attend on Monday.", ()),
    # replacement therapy / detox
    ("Started opioid replacement therapy in May.", ("replacement therapy",)),
    ("Using nicotine replacement therapy patches.", ()),
    ("Referred to detox.", ("detox",)),
    ("Trying a digital detox this week, off social media.", ()),
    # frequent flyer / homeless person
    ("Known at the ER as a frequent flyer.", ("frequent flyer",)),
    ("The frequent fliers were all at the drop-in.", ("frequent flyer",)),
    ("Collects frequent flyer miles for family visits.", ()),
    ("Spoke with a homeless man at the bus stop.", ("homeless person",)),
    ("Services for the homeless are closing.", ("homeless person",)),
    ("Stayed at the homeless shelter on 5th St.", ()),
    ("Had a transient ischaemic attack last year.", ()),
    # quotes: the client's own words are never flagged
    ('She said "I relapsed and I feel like a junkie."', ()),
    ("She said “I’m an addict, always will be.”", ()),
    ("He called it ‘my habit’ and laughed.", ()),
    ("He calls himself 'a drunk' but wants to cut down.", ()),
    ("The client's view: she didn't relapse, she 'took a break'.", ("relapse",)),
    ('He said "I was clean" and then relapsed.', ("relapse",)),
    ('She said "they discharged me for using" and laughed.', ()),
    ("He says “I was abusing my prescriptions” back then.", ()),
    ('Her last worker wrote "refused to engage, resistant".', ()),
    # several terms, longer phrases winning, word forms
    (
        "Former addict, frequent flyer, non-compliant.",
        (
            "former addict",
            "frequent flyer",
            "non-compliant",
        ),
    ),
    ("Clean for 6 months, then relapsed.", ("clean", "relapse")),
    ("Nothing to flag in this note at all.", ()),
]


def _flagged(sentence: str) -> Counter[str]:
    return Counter(s.term for s in find_suggestions(sentence))


def test_table_has_enough_sentences_of_both_kinds() -> None:
    assert len(TABLE) >= 60
    assert sum(1 for _, terms in TABLE if terms) >= 30
    assert sum(1 for _, terms in TABLE if not terms) >= 30


def test_precision_and_recall_are_perfect_on_the_table() -> None:
    true_pos = false_pos = false_neg = 0
    wrong: list[str] = []
    for sentence, expected_terms in TABLE:
        expected, got = Counter(expected_terms), _flagged(sentence)
        true_pos += sum((expected & got).values())
        false_pos += sum((got - expected).values())
        false_neg += sum((expected - got).values())
        if expected != got:
            wrong.append(f"{sentence!r}: expected {dict(expected)}, got {dict(got)}")
    precision = true_pos / ((true_pos + false_pos) or 1)
    recall = true_pos / ((true_pos + false_neg) or 1)
    report = f"precision={precision:.3f} recall={recall:.3f} over {len(TABLE)}"
    assert (precision, recall) == (1.0, 1.0), report + "\n" + "\n".join(wrong)
    assert not wrong, "\n".join(wrong)


def test_every_term_in_the_tsv_is_caught_by_an_example() -> None:
    caught = {term for _, terms in TABLE for term in terms}
    assert caught == {term.avoid for term in TERMS}


def test_every_term_keeps_its_source_and_has_alternatives() -> None:
    for term in TERMS:
        assert term.source.strip(), term.avoid
        assert term.alternatives, term.avoid
        assert term.why.strip(), term.avoid
        assert term.context.strip(), term.avoid


@pytest.mark.parametrize(
    "word",
    [
        "relapse",
        "relapsed",
        "relapsing",
        "relapses",
        "addict",
        "addicts",
        "junkies",
        "non-compliant",
        "noncompliant",
        "non-compliance",
        "noncompliance",
        "drug-seeking",
        "drug seeking",
        "frequent flyer",
        "frequent flyers",
        "frequent flier",
        "frequent fliers",
        "former addict",
        "ex-addict",
        "drug abusers",
        "discharged for using",
        "discharged for relapse",
        "abusing his prescriptions",
        "abusing her prescriptions",
        "abusing their prescriptions",
        "prescription abuse",
        "refused to engage",
        "refuses to engage",
        "refusing to engage",
    ],
)
def test_word_forms_are_caught(word: str) -> None:
    sentence = f"Note: {word}."
    suggestions = find_suggestions(sentence)
    assert [s.matched for s in suggestions] == [word]


def test_offsets_point_into_the_original_text() -> None:
    text = "Intro.\n\nThe ÜA report: she RELAPSED; he is a Drug User."
    suggestions = find_suggestions(text)
    assert [(s.matched, s.term) for s in suggestions] == [
        ("RELAPSED", "relapse"),
        ("Drug User", "user"),
    ]
    for s in suggestions:
        assert text[s.start : s.end] == s.matched


def test_suggestion_carries_alternatives_why_and_source() -> None:
    (suggestion,) = find_suggestions("She relapsed.")
    assert suggestion == Suggestion(
        matched="relapsed",
        start=4,
        end=12,
        term="relapse",
        alternatives=("return to use", "recurrence of use"),
        why=suggestion.why,
        source="White & Ali, Lapse and Relapse; National Council, Language Matters",
    )
    assert "return to use" in suggestion.alternatives
    assert suggestion.why


def test_longer_phrase_wins_over_its_parts() -> None:
    suggestions = find_suggestions("He is a former addict.")
    assert [(s.matched, s.term) for s in suggestions] == [
        ("former addict", "former addict")
    ]


def test_suggestions_never_overlap_and_are_in_order() -> None:
    text = " ".join(sentence for sentence, _ in TABLE)
    suggestions = find_suggestions(text)
    for before, after in zip(suggestions, suggestions[1:], strict=False):
        assert before.end <= after.start


def test_quoted_spans_ignore_apostrophes() -> None:
    text = "The client's plan didn't change; she said 'not now' and left."
    assert [text[s:e] for s, e in quoted_spans(text)] == ["'not now'"]


def test_an_unclosed_quote_hides_nothing() -> None:
    text = 'She said "I relapsed. Later he called himself a junkie.'
    assert [s.term for s in find_suggestions(text)] == ["relapse", "junkie"]


def test_a_quote_does_not_run_across_paragraphs() -> None:
    text = 'He said "I was a junkie\n\nShe relapsed" and left.'
    assert [s.term for s in find_suggestions(text)] == ["junkie", "relapse"]


def test_each_quotation_style_is_honoured() -> None:
    for text in (
        '"junkie"',
        "“junkie”",
        "‘junkie’",
        "'junkie'",
        "«junkie»",
        "(‘it was a relapse’)",
    ):
        assert find_suggestions(text) == [], text
        assert find_suggestions(text, honour_quotes=False), text


def test_curly_apostrophes_do_not_open_quotes() -> None:
    text = "The client’s sister’s view is that he’s a junkie."
    assert [s.term for s in find_suggestions(text)] == ["junkie"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\n",
        "'",
        '"',
        "“",
        "’’’’",
        "''''''",
        "\x00\ud800 relapse",
        "🙂 relapse 🙂",
        "İstanbul relapsed ǅ",
        "a" * 10_000,
    ],
)
def test_never_raises(text: str) -> None:
    suggestions = find_suggestions(text)
    for s in suggestions:
        assert text[s.start : s.end] == s.matched


def test_long_text_is_fast() -> None:
    paragraph = " ".join(sentence for sentence, _ in TABLE) + "\n\n"
    text = (paragraph * (100_000 // len(paragraph) + 1))[:100_000]
    suggestions = find_suggestions(text)
    assert len(suggestions) > 500
    assert all(text[s.start : s.end] == s.matched for s in suggestions)


@pytest.mark.slow  # about 1.5 s: a text built to be as hard as it gets
def test_pathological_quotes_still_find_terms_outside_quotes() -> None:
    # Thousands of unmatched quote marks: no quote hides the term after them.
    # (How the time grows with length is measured by bench/language_guide.py.)
    text = " 'a" * 30_000 + " " + '"b ' * 30_000 + " he relapsed"
    assert [s.term for s in find_suggestions(text)] == ["relapse"]


def test_group_by_term_counts_and_keeps_spellings() -> None:
    groups = group_by_term(find_suggestions("Relapse, relapsed, relapse; a junkie."))
    assert [(g.term.avoid, g.found, g.count) for g in groups] == [
        ("relapse", ("Relapse", "relapsed"), 3),
        ("junkie", ("junkie",), 1),
    ]


def test_the_summary_is_plain_text_that_names_what_was_written() -> None:
    assert summary("Kicked out of the shelter for drinking.") == (
        "Language guide (a suggestion only): consider “the program ended services"
        " after a return to use” or “left the program after a return to use”"
        " instead of “Kicked out of the shelter for drinking”."
    )
    assert summary('"junkie", she says') == ""
    assert summary("") == ""


# The guide's page


def test_url_and_name() -> None:
    assert reverse("sessions:language_guide") == URL


def test_guide_lists_every_term_with_alternatives_and_source(
    as_clinician: HttpClient,
) -> None:
    response = as_clinician.get(URL)
    assertContains(response, '<h1 class="h3">Language guide</h1>', html=False)
    assertContains(response, "<caption>", count=1)
    assertContains(response, '<th scope="row">', count=len(TERMS))
    assertContains(response, '<th scope="col">', count=4)
    for term in TERMS:
        assertContains(response, f"“{term.avoid}”")
        for alternative in term.alternatives:
            assertContains(response, alternative)
    assertContains(response, "NIDA, Words Matter")
    assertContains(response, 'id="term-non-compliant"')


def test_guide_offers_a_live_try_out_field(as_clinician: HttpClient) -> None:
    response = as_clinician.get(URL)
    assertContains(response, "data-language-check ")
    assertContains(response, 'data-language-target="language-try-hints"')
    assertContains(response, 'id="language-try-hints"')
    assertContains(response, 'aria-live="polite"')
    assertContains(response, "csrfmiddlewaretoken")
    assertContains(response, "js/language-guide.js")
    assertNotContains(response, "<script>")  # no inline script (strict CSP)


@pytest.mark.parametrize("persona", ["as_clinician", "as_supervisor", "as_admin"])
def test_every_signed_in_role_may_read_it(
    persona: str, request: pytest.FixtureRequest
) -> None:
    http: HttpClient = request.getfixturevalue(persona)
    assert http.get(URL).status_code == 200


def test_nav_links_to_the_guide_for_caseload_roles(
    as_clinician: HttpClient, as_supervisor: HttpClient
) -> None:
    for http in (as_clinician, as_supervisor):
        assertContains(http.get(reverse("home"), follow=True), f'href="{URL}"')


def test_nav_has_no_guide_link_for_admins(as_admin: HttpClient) -> None:
    assertNotContains(as_admin.get(reverse("home"), follow=True), f'href="{URL}"')


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client: HttpClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"
