"""/healthz for load balancers and orchestrators: no sign-in, no data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from hr_clinic.lib.outage import health_down

# Once every migration is applied it stays so for this process's code, so the
# migration graph (slow to load) is checked until then and not after.
_migrations_applied = False


def _pending_migrations() -> bool:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        _migrations_applied = not plan
    return not _migrations_applied


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and every migration is applied, else 503.
    The body says which check failed, nothing more."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = _pending_migrations()
    except DatabaseError:
        return health_down()
    if pending:
        return JsonResponse(
            {"status": "unavailable", "database": "ok", "migrations": "pending"},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "migrations": "applied"})
