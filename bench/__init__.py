"""Benchmarks: ``make bench`` runs them all, ``make bench BENCH_ARGS="pdf"`` one of them.

Each module ``bench/bench_<name>.py`` defines ``NAME`` (a short French title) and ``run(args)``,
which measures against the real PostgreSQL/Redis of the environment and returns a dict of
figures (printed by the runner). Benchmarks are never timed tests: they print, they don't assert.
"""
