"""`python -m benchmarks`: the benchmarks and the command that runs each (they are not tests)."""

from __future__ import annotations

import ast
import pathlib


def main() -> None:
    here = pathlib.Path(__file__).parent
    for path in sorted(here.glob("*_bench.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = doc.strip().splitlines()[0] if doc.strip() else ""
        print(f"python -m benchmarks.{path.stem:<16} {first}")


if __name__ == "__main__":
    main()
