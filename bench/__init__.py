"""Benchmark and scale-seeding tooling (issue #11), not product code: loaded only
by `make bench`, through its own settings module (bench.settings)."""
