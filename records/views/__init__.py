from records.views.fhir import record_fhir

__all__: list[str] = ["record_fhir"]
