"""The benchmark still runs: its short mode measures every figure once and prints the table."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extensions.variants import choices
from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent
CELL = r" ([^|]+) \|"
# | figure | generated | bare | ratio | p99 ms generated / bare | CPU µs generated / bare |
ROW = re.compile(r"^\|" + CELL * 6 + "$")
CPU = re.compile(r"^\d+ / \d+$")
RATIO = re.compile(
    r"^\*\*\d+\.\d\d\N{MULTIPLICATION SIGN}\*\*( \(\d+\.\d\d\N{EN DASH}\d+\.\d\d\))?$"
)


@pytest.mark.slow
def test_the_quick_benchmark_prints_a_table_of_every_figure(tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        unavailable("wrk is not installed (apt-get install -y wrk)")
    output = tmp_path / "performance.md"
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]

    lines = [line for line in result.stdout.splitlines() if line.startswith("|")]
    header, rule, *rows = lines
    assert ROW.match(header) and set(rule) <= set("|-"), lines
    parsed = [ROW.match(line) for line in rows]
    assert all(parsed), rows
    figures = {match[1]: match for match in parsed if match}
    compared = [name for name in figures if "req/s" in name or "first request" in name]
    assert any("`LOG_LEVEL=INFO`" in name for name in compared), figures
    assert any("`LOG_LEVEL=WARNING`" in name for name in compared), figures
    for framework in choices("framework"):
        assert any(name.startswith(f"{framework} ") for name in compared), figures
    assert any("copier copy" in name for name in figures), figures
    for name in [*compared, *(name for name in figures if "copier copy" in name)]:
        assert RATIO.match(figures[name][4].strip()), figures[name].group(0)
    for name in (name for name in compared if "req/s" in name):
        assert CPU.match(figures[name][6].strip()), figures[name].group(0)
    assert "\n".join(lines) in output.read_text()
