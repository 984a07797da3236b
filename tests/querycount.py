"""Count the SQL queries a request makes, to show a page's cost does not grow."""

from __future__ import annotations

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext


def queries_for_get(http: HttpClient, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url, params)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)
