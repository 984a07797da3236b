from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.utils import timezone

from sessions.checkin_items import ITEMS as CHECKIN_ITEMS
from sessions.language import find_suggestions, group_by_term

register = template.Library()


# A page checks at most this much of each text it shows suggestions for (each
# note section on the edit page, the whole note on the sign page): about 0.13 s
# of the guide's time, where a 2.4 MB draft cost 7-9 s a page. Notes are capped
# at MAX_NOTE_CHARS, so this bounds older, longer drafts; the live check as the
# clinician types reads each box itself (views.language).
PAGE_CHECK_MAX_CHARS = 20_000


@register.inclusion_tag("sessions/_language_suggestions.html")
def language_suggestions(
    text: str | None, limit: int = PAGE_CHECK_MAX_CHARS, quiet: bool = False
) -> dict[str, Any]:
    """Render the language suggestions for the first `limit` characters of
    `text` (a note or goal on save), saying so when there is more.

    `{% language_suggestions form.text.value %}` shows the same fragment as the
    live check; empty or missing text gives the "no suggestions" fragment.
    `quiet` (one of several boxes on a page) leaves out "No language
    suggestions.": the page says it once (session_form.jinja). Views may call it
    too, to build the fragment's context.
    """
    text = text or ""
    groups = group_by_term(find_suggestions(text[:limit]))
    return {
        "groups": groups,
        "checked": bool(text) and not quiet,
        "truncated": len(text) > limit,
        "limit": f"{limit:,}",
    }


# The widgets the note form's field macro draws (sessions/_note_form_fields.jinja),
# with crispy's Bootstrap class for each (most specific first); a radio group
# is drawn by its score_field macro.
PLAIN_WIDGETS: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.HiddenInput, ""),
    (forms.CheckboxSelectMultiple, "form-check-input"),
    (forms.CheckboxInput, "form-check-input"),
    (forms.Select, "form-select"),
    (forms.Textarea, "form-control"),
    (forms.widgets.Input, "form-control"),
)
PLAIN_EXCLUDED = (forms.RadioSelect, forms.SelectMultiple, forms.MultiWidget)


@dataclass(frozen=True, slots=True)
class PlainField:
    """What the note form's field macro writes for one field
    (sessions/_note_form_fields.jinja): Django's own widget context (its
    name, value as the widget formats it, options and attributes) and the
    bound field's label, help, errors and ids, each read once. Data, not
    markup: the template writes the element."""

    name: str
    value: Any
    type: str | None
    template_name: str
    optgroups: list[Any]
    attr_pairs: list[tuple[str, str | None]]
    auto_id: str
    id_for_label: str
    label: Any  # text, or a lazy translation of it
    help_text: Any
    errors: list[Any]  # each error's message
    required: bool
    is_hidden: bool
    use_fieldset: bool
    aria_describedby: str | None


@register.filter
def plain_widget(field: forms.BoundField) -> PlainField:
    """`field` as the note form's field macro draws it (PlainField): crispy's
    Bootstrap classes plus "is-invalid" on an error, required, aria-invalid,
    aria-describedby and the id among its attributes.

    Django draws each widget, each attribute list and each <option> through a
    template include, and crispy each field through its field template: 60%
    of the note form's time for its ~25 fields (issue #25). Each bound
    field's errors, ids and label are read here once: read in the template
    they were a third of its Python calls. Raises TypeError for a widget the
    template does not draw."""
    widget = field.field.widget
    bootstrap = next(
        (css for kind, css in PLAIN_WIDGETS if isinstance(widget, kind)), None
    )
    if bootstrap is None or (
        isinstance(widget, PLAIN_EXCLUDED)
        and not isinstance(widget, forms.CheckboxSelectMultiple)
    ):
        raise TypeError(f"the note form cannot draw {type(widget).__name__}")
    errors = field.errors
    attrs: dict[str, Any] = {}
    if bootstrap and not isinstance(widget, forms.CheckboxSelectMultiple):
        # crispy's class names: the widget's class lowercased, then Bootstrap's.
        classes = [widget.attrs.get("class", ""), type(widget).__name__.lower()]
        classes += [bootstrap, "is-invalid" if errors else ""]
        attrs["class"] = " ".join(c for c in classes if c)
    use_fieldset = field.use_fieldset
    if use_fieldset:
        # A group's aria attributes are on its <fieldset> (the template's).
        attrs = dict(attrs, required=False)
    else:
        attrs = field.build_widget_attrs(attrs)
    auto_id = field.auto_id
    if auto_id and "id" not in widget.attrs:
        attrs["id"] = auto_id
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    return PlainField(
        name=context["name"],
        value=context["value"],
        type=context.get("type"),
        template_name=context["template_name"],
        optgroups=context.get("optgroups", []),
        # The attributes as the template writes them (Django's attrs.html,
        # without its two tests per attribute): False left out, True a bare
        # name (None).
        attr_pairs=[
            (name, None if value is True else str(value))
            for name, value in context["attrs"].items()
            if value is not False
        ],
        auto_id=auto_id,
        id_for_label=field.id_for_label,
        label=field.label,
        help_text=field.help_text,
        errors=list(errors),
        required=field.field.required,
        is_hidden=field.is_hidden,
        use_fieldset=use_fieldset,
        aria_describedby=field.aria_describedby if use_fieldset else None,
    )


@register.filter
def headline_parts(headline: str) -> list[tuple[str, bool]]:
    """A search headline as (text, matched) pieces, in order: the template puts
    matched pieces in <mark>, and escapes every piece like any other value. The
    search sets private-use markers around matched words (selectors.MATCH_START
    and MATCH_END), which typed text cannot hold."""
    from sessions.selectors import MATCH_END, MATCH_START

    parts: list[tuple[str, bool]] = []
    for i, chunk in enumerate(headline.split(MATCH_START)):
        matched, found, rest = chunk.partition(MATCH_END)
        if not found:
            matched, rest = "", chunk
        if i == 0 and found:  # an end marker without a start: not a match
            matched, rest = "", matched + rest
        parts += [(text, True) for text in [matched] if text]
        parts += [(text, False) for text in [rest] if text]
    return parts


@dataclass(frozen=True)
class _Answer:
    """One check-in answer as the goal chart reads a rating."""

    rated_on: datetime.date
    score: int


@register.filter
def checkin_points(checkins: Iterable[Any], key: str) -> list[_Answer]:
    """The answers to one check-in item (`key`) as points for the goal chart
    (goals_tags.goal_chart), by the day they were given; unanswered ones are
    left out, not drawn as 0."""
    return [
        _Answer(rated_on=timezone.localdate(c.created_at), score=score)
        for c in checkins
        if (score := getattr(c, key)) is not None
    ]


@register.filter
def checkin_rows(checkin: Any) -> list[tuple[str, int | None]]:
    """A check-in's items in order, as (wording, answer or None)."""
    return [(item.wording, getattr(checkin, item.key)) for item in CHECKIN_ITEMS]
