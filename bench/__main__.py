"""``python -m bench [NAME [ARGS...]]``: list the benchmark modules, or run one."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def modules() -> dict[str, str]:
    """Benchmark module name -> first line of its docstring (modules with a main())."""
    found = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "main", None)) and getattr(module, "BENCHMARK", True):
            found[info.name] = (module.__doc__ or "").strip().splitlines()[0]
    return found


def main(argv: list[str]) -> int:
    available = modules()
    if not argv or argv[0] in ("-h", "--help", "list"):
        print("benchmarks (python -m bench NAME [ARGS], or python -m bench.NAME):")
        for name, summary in sorted(available.items()):
            print(f"  {name:<20} {summary}")
        return 0
    name = argv[0].removeprefix("bench.")
    if name not in available:
        print(f"no benchmark called {name!r}; try: python -m bench list", file=sys.stderr)
        return 2
    return int(importlib.import_module(f"bench.{name}").main(argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
