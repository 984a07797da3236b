# No tables: a hand-over lives in the clinician's own Django session
# (screens.services), and what the person enters is saved by the services of
# the records it belongs to (goals, consents).
