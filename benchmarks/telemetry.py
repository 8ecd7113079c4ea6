"""Benchmark: what telemetry costs the request path, as /healthz throughput side by side.

    uv run python benchmarks/telemetry.py [--before main] [--variant fastapi-none-none]
                                          [--seconds 5] [--rounds 3]

Generates the variant twice: from the template at git ref `--before` (the template before
telemetry) and from the working tree. Starts three web processes (WEB_CONCURRENCY=1 each): before,
after with telemetry off (no OTEL_*, no SENTRY_DSN: the default), and after with traces and metrics
exported to a local OTLP receiver. Then loads each with wrk in turn, round after round, so that the
noise of a shared machine falls on all three alike, and prints the median requests per second, the
ratios to `before`, and the server's CPU time per request: on a busy machine throughput swings with
the neighbours' load, CPU time per request much less. Needs wrk (`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extensions.variants import TEMPLATE_ROOT, render, snapshot
from tests.processes import Process, env_example, free_port, procfile, wait_until_serving
from tests.receivers import OtlpReceiver


def template_at(ref: str, destination: Path) -> Path:
    """The template's files as they are at a git ref."""
    archive = subprocess.run(
        ["git", "archive", ref], cwd=TEMPLATE_ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def installed(template: Path, destination: Path, variant: str) -> Path:
    """The variant generated from a template and installed from its lock."""
    framework, database, queue = variant.split("-")
    render(template, destination, {"framework": framework, "database": database, "queue": queue})
    subprocess.run(["uv", "sync", "--locked", "--quiet"], cwd=destination, check=True)
    return destination


def cpu_seconds(process: Process) -> float:
    """CPU time (user and system) used so far by the process and its children (Linux)."""
    pid = process.popen.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for each in [str(pid), *children]:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def load(process: Process, port: int, seconds: int) -> tuple[float, float]:
    """wrk on /healthz with 8 connections on one thread: requests per second, and the server's
    CPU microseconds per request (steady where throughput swings with other load)."""
    cpu_before = cpu_seconds(process)
    output = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{seconds}s", f"http://127.0.0.1:{port}/healthz"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = cpu_seconds(process) - cpu_before
    served = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not served or not rate:
        raise RuntimeError(f"wrk on /healthz: {output}")
    return float(rate.group(1)), cpu / int(served.group(1)) * 1e6


def main() -> None:
    """Generate, start, load and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="git ref of the template before")
    parser.add_argument("--variant", default="fastapi-none-none")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()

    receiver = OtlpReceiver()
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        old_template = template_at(arguments.before, work / "template-before")
        before = installed(old_template, work / "before", arguments.variant)
        after = installed(snapshot(work / "template-after"), work / "after", arguments.variant)
        setups = {
            "before": (before, {}),
            "telemetry off": (after, {}),
            "telemetry on (OTLP)": (
                after,
                {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "METRICS_PORT": str(free_port())},
            ),
        }
        processes: dict[str, tuple[Process, int]] = {}
        try:
            for name, (project, extra) in setups.items():
                port = free_port()
                environment = {
                    **env_example(project),
                    "APP_ENV": "production",
                    "SECRET_KEY": "benchmark-" * 5,
                    "ALLOWED_HOSTS": "127.0.0.1,localhost",
                    "WEB_CONCURRENCY": "1",
                    "PORT": str(port),
                    "METRICS_PORT": str(free_port()),
                    **extra,
                }
                process = Process(project, procfile(project)["web"], environment, "web")
                wait_until_serving(process, port)
                processes[name] = (process, port)

            samples: dict[str, list[float]] = {name: [] for name in processes}
            cpu: dict[str, list[float]] = {name: [] for name in processes}
            for _ in range(arguments.rounds):
                for name, (process, port) in processes.items():
                    throughput, cpu_per_request = load(process, port, arguments.seconds)
                    samples[name].append(throughput)
                    cpu[name].append(cpu_per_request)
        finally:
            for process, _ in processes.values():
                process.stop()
            receiver.close()

    print(f"/healthz throughput, {arguments.variant}, WEB_CONCURRENCY=1, wrk -t1 -c8, ")
    print(f"{arguments.rounds} rounds of {arguments.seconds} s each:\n")
    print(
        "| service | requests/s | ratio to before | CPU µs per request "
        "| throughput ratio by CPU (before µs / µs) |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    baseline_cpu = statistics.median(cpu["before"])
    for name, values in samples.items():
        # Each round's ratio compares runs seconds apart, which a drifting load shifts alike.
        ratios = [value / base for value, base in zip(values, samples["before"], strict=True)]
        per_request = statistics.median(cpu[name])
        print(
            f"| {name} | {statistics.median(values):.0f} | {statistics.median(ratios):.3f} "
            f"| {per_request:.0f} | {baseline_cpu / per_request:.3f} |"
        )
    print(f"\nspans received by the OTLP receiver: {len(receiver.spans)}")


if __name__ == "__main__":
    main()
