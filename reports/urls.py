from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.figures, name="figures"),
    path("figures.csv", views.figures_csv, name="export"),
]
