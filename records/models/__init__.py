"""The records app's models, one module per concern: requests for a copy and
the exports that fulfil them (`copies`), amendment requests (`amendments`)."""
