"""Settings for `make bench` only: the product's settings, plus the bench app (its
commands and the baseline page) and a URL conf that adds the baseline page to the
product's routes. The product's own settings and URL conf know nothing of it."""

from hr_clinic.settings import *  # noqa: F403
from hr_clinic.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
