"""Benchmarks, run on demand: ``python -m bench`` lists them, ``python -m bench NAME`` runs one.

Each benchmark module has a ``main(argv) -> int``; figures go to docs/performance.md.
Generated data lives in bench/out/ (git-ignored).
"""
