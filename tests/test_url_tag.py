"""The `{% url %}` builtin (hr_clinic.lib.url_tag) gives what Django's reverse()
gives, for every kind of URL the templates use."""

from __future__ import annotations

import uuid

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import NoReverseMatch, reverse, set_script_prefix

ID = uuid.UUID("0b9c3f7e-1d2a-4c5b-8e6f-7a8b9c0d1e2f")


def _render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("tag", "name", "args"),
    [
        ("{% url 'clients:list' %}", "clients:list", []),
        ("{% url 'clients:detail' pk %}", "clients:detail", [ID]),
        ("{% url 'sessions:addendum' pk %}", "sessions:addendum", [ID]),
        ("{% url 'goals:detail' pk %}", "goals:detail", [ID]),
        ("{% url 'staff:detail' 7 %}", "staff:detail", [7]),  # not a UUID
        ("{% url name pk %}", "sessions:detail", [ID]),  # the name from a variable
    ],
)
def test_same_url_as_reverse(tag: str, name: str, args: list[object]) -> None:
    assert _render(tag, pk=ID, name="sessions:detail") == reverse(name, args=args)


def test_as_variable_and_missing_names() -> None:
    assert _render("{% url 'home' as u %}[{{ u }}]") == f"[{reverse('home')}]"
    assert _render("{% url 'no-such-page' as u %}[{{ u }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        _render("{% url 'no-such-page' %}")
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")


def test_script_prefix_is_kept_apart() -> None:
    try:
        set_script_prefix("/clinic/")
        assert _render("{% url 'clients:detail' pk %}", pk=ID) == (
            f"/clinic/clients/{ID}/"
        )
        assert _render("{% url 'clients:list' %}") == "/clinic/clients/"
    finally:
        set_script_prefix("/")
    assert _render("{% url 'clients:list' %}") == "/clients/"
