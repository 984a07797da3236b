from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from staff.models import User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Superusers only (is_staff); the Django admin never lists clinical models."""

    list_display = ("username", "display_name", "role", "supervisor", "is_active")
    list_filter = ("role", "is_active", "requires_cosign")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Role",
            {
                "fields": (
                    "display_name",
                    "credentials",
                    "role",
                    "supervisor",
                    "requires_cosign",
                )
            },
        ),
    )
