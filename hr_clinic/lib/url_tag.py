"""Django's `{% url %}` tag, reversing through hr_clinic.lib.urls.

Registered as a template builtin (settings.TEMPLATES), so every template gets it
without a `{% load %}`; it takes the same arguments and gives the same URLs. A URL
name without arguments is reversed once; with one id (a client's, note's or
goal's UUID, a staff member's number) the name is reversed once and the id put
in its place. Anything else (keyword
arguments, several arguments, other types) goes through Django's own tag. A
page with two dozen links spent about a fifth of its rendering in reverse().
"""

from __future__ import annotations

import uuid
from typing import Any

from django.template import Context, Library
from django.template.base import Parser, Token
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from hr_clinic.lib.urls import plain_url, record_url

register = Library()


class FastURLNode(URLNode):
    def render(self, context: Context) -> Any:
        if self.kwargs or len(self.args) > 1:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        pk = self.args[0].resolve(context) if self.args else None
        if self.args and (isinstance(pk, bool) or not isinstance(pk, uuid.UUID | int)):
            return super().render(context)
        try:
            url = plain_url(view_name) if pk is None else record_url(view_name, pk)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> FastURLNode:
    node = django_url(parser, token)
    return FastURLNode(node.view_name, node.args, node.kwargs, node.asvar)
