"""Benchmark: generation time per variant, and how soon `web` answers /healthz after it starts.

    uv run python tests/benchmark.py [--repeat 3] [-k fastapi-sqlite-none]

Figures are medians, printed next to a baseline measured in the same run on the same machine
(rendering a one-file template; starting the project's Python with `-c pass`), because these
machines are shared and noisy: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from copier import run_copy

from extensions.variants import render, snapshot, variant_id, variants
from tests.processes import Process, env_example, free_port, procfile, wait_until_serving


def timed(action, repeat: int) -> float:
    """The median wall-clock seconds of an action."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def baseline_render(workdir: Path, repeat: int) -> float:
    """Rendering a template of one file: Copier's own fixed cost."""
    template = workdir / "one-file"
    template.mkdir()
    (template / "copier.yml").write_text("name:\n  type: str\n  default: x\n")
    (template / "README.md.jinja").write_text("# {{ name }}\n")
    counter = iter(range(1_000_000))
    return timed(
        lambda: run_copy(
            str(template), workdir / f"out-{next(counter)}", defaults=True, quiet=True
        ),
        repeat,
    )


def render_time(template: Path, workdir: Path, variant: dict[str, str], repeat: int) -> float:
    """The median seconds to render a variant; the copies stay in workdir as <id>-<n>."""
    samples = []
    for number in range(repeat):
        started = time.perf_counter()
        render(template, workdir / f"{variant_id(variant)}-{number}", variant)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def start_to_healthz(project: Path, database_url: str | None) -> float:
    """Seconds from starting `web` to its first 200 on /healthz."""
    port = free_port()
    environment = {**env_example(project), "PORT": str(port), "APP_ENV": "production"}
    environment["SECRET_KEY"] = "benchmark-" * 5
    if database_url:
        environment["DATABASE_URL"] = database_url
    process = Process(project, procfile(project)["web"], environment, "bench-web")
    try:
        return wait_until_serving(process, port)
    finally:
        process.stop()


def main() -> None:
    """Print the figures for the chosen variants."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("-k", dest="only", default="", help="substring of the variant ids to run")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        template = snapshot(workdir / "template")
        base = baseline_render(workdir, arguments.repeat)
        print(f"baseline: one-file template renders in {base:.3f} s")
        for variant in variants():
            name = variant_id(variant)
            if arguments.only not in name:
                continue
            seconds = render_time(template, workdir, variant, arguments.repeat)
            print(f"{name}: renders in {seconds:.3f} s ({seconds / base:.1f}x baseline)")
            if variant["database"] not in ("sqlite", "none") or variant["queue"] != "none":
                continue  # start-up is measured on variants that need no server
            project = workdir / f"{name}-0"
            subprocess.run(["uv", "sync", "--locked", "--quiet"], cwd=project, check=True)
            if "release" in procfile(project):
                migrations = Process(project, procfile(project)["release"], {}, "bench-release")
                assert migrations.wait(timeout=120) == 0, migrations.describe()
            python = project / ".venv" / "bin" / "python"
            interpreter = timed(
                partial(subprocess.run, [str(python), "-c", "pass"]), arguments.repeat
            )
            healthz = statistics.median(
                start_to_healthz(project, None) for _ in range(arguments.repeat)
            )
            print(
                f"{name}: web answers /healthz {healthz:.2f} s after start "
                f"({healthz / interpreter:.0f}x a bare interpreter start of {interpreter:.3f} s)"
            )


if __name__ == "__main__":
    main()
