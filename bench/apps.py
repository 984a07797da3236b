from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's commands (seed_scale, run_bench) and its baseline page;
    installed only by bench.settings."""

    name = "bench"
    verbose_name = "Benchmark"
