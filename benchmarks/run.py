"""Side by side: generated services against bare apps of the same frameworks, on this machine.

    uv run python benchmarks/run.py            # the full run: writes docs/performance.md
    uv run python benchmarks/run.py --quick    # one short round of each figure: proves it works

It renders the variants it needs from the working tree, installs them with `uv sync --locked`,
serves each next to a bare app of the same framework (benchmarks/bare/, run in the generated
project's own environment, so every library has the same version) on the same gunicorn worker
class with one worker, loads both with wrk (`apt-get install -y wrk`), 16 connections, in
alternating rounds, and prints one Markdown table. Machines are shared and noisy: the ratios
(medians of the rounds) are the figures to compare, the ranges show the noise.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BARE = Path(__file__).resolve().parent / "bare"
sys.path.insert(0, str(ROOT))

from extensions.context import derived_context  # noqa: E402
from extensions.variants import render, snapshot  # noqa: E402
from tests.processes import env_example, free_port, procfile  # noqa: E402
from tests.services import BackingServices  # noqa: E402

FRAMEWORKS = ("fastapi", "flask", "django")
# Each framework's bare app, served as the generated service is: by the same gunicorn worker
# class, and Flask and Django through the service's own wsgi_bridge.
BARE_APPS = {"fastapi": "fastapi_app:app", "flask": "flask_app:asgi", "django": "django_app:asgi"}
CONNECTIONS = 16
EN_DASH, TIMES = "\N{EN DASH}", "\N{MULTIPLICATION SIGN}"
SECRET_KEY = "benchmark-secret-key-" * 3


@dataclass
class Settings:
    """How long and how often to measure."""

    rounds: int
    seconds: int
    starts: int
    jobs: int
    renders: int
    frameworks: tuple[str, ...]
    queues: tuple[str, ...]
    # Whether each install compiles every module first, as the image does (UV_COMPILE_BYTECODE).
    compiled: bool = True


FULL = Settings(
    rounds=3,
    seconds=8,
    starts=3,
    jobs=50,
    renders=3,
    frameworks=FRAMEWORKS,
    queues=("redis", "rabbitmq"),
)
# Every framework, as each serves its bare app its own way: only the jobs are left out. Nothing
# is compiled ahead (about 10 s of CPU per install): each process compiles what it imports.
QUICK = replace(FULL, rounds=1, seconds=1, starts=1, jobs=0, renders=1, queues=(), compiled=False)


@dataclass
class Load:
    """What wrk measured in one round."""

    requests_per_second: float
    p99_ms: float
    # CPU time the server's workers spent per request: unlike the rate, it barely moves with
    # what else the machine runs.
    cpu_us: float


@dataclass
class Row:
    """One line of the table: a figure for the generated service and for its baseline."""

    figure: str
    generated: list[float]
    bare: list[float] = field(default_factory=list)
    unit: str = ""
    generated_p99: list[float] = field(default_factory=list)
    bare_p99: list[float] = field(default_factory=list)
    generated_cpu: list[float] = field(default_factory=list)
    bare_cpu: list[float] = field(default_factory=list)


class Server:
    """One web process, its output read from a pipe as a platform's log collector would.

    The pipe is drained by a thread; the last 64 kB or more are kept to explain a failure, in a
    buffer trimmed now and then rather than copied on every read (which cost the machine as much
    as some of what is measured).
    """

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str], port: int) -> None:
        """Start the command; `started` is the moment of exec."""
        self.port = port
        self.tail = bytearray()
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("VIRTUAL_ENV", "UV_")) and key != "PYTHONDONTWRITEBYTECODE"
        }
        self.started = time.perf_counter()
        self.popen = subprocess.Popen(
            command,
            cwd=cwd,
            env=environment | env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        assert self.popen.stdout is not None
        while chunk := os.read(self.popen.stdout.fileno(), 65536):
            self.tail += chunk
            if len(self.tail) > 4 * 65536:
                del self.tail[:-65536]

    def first_answer(self, timeout: float = 60) -> float:
        """Seconds from exec to the first 200 from /healthz."""
        while time.perf_counter() - self.started < timeout:
            if self.popen.poll() is not None:
                self.reader.join(timeout=5)
                raise RuntimeError(f"exited: {self.tail.decode(errors='replace')}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return time.perf_counter() - self.started
            time.sleep(0.005)
        raise RuntimeError(f"no answer within {timeout} s")

    def get(self, path: str) -> int:
        """The status of one GET."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        connection.request("GET", path)
        return connection.getresponse().status

    def workers(self) -> list[int]:
        """The process ids of the master's children: gunicorn's workers."""
        children = Path(f"/proc/{self.popen.pid}/task/{self.popen.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def rss_mb(self) -> tuple[float, float]:
        """Resident memory of the master and of its workers, in MB."""
        return resident_mb(self.popen.pid), sum(resident_mb(pid) for pid in self.workers())

    def workers_cpu_seconds(self) -> float:
        """User and system CPU time the workers have used so far."""
        return sum(cpu_seconds(pid) for pid in self.workers())

    def stop(self) -> None:
        """SIGTERM, and SIGKILL if it lingers."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.reader.join(timeout=5)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (utime and stime of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> float:
    """VmRSS of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def serving(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[Server]:
    """A server that answers /healthz, stopped afterwards."""
    port = free_port()
    server = Server(command, cwd, {**env, "PORT": str(port)} | bind_env(command, port), port)
    try:
        server.first_answer()
        yield server
    finally:
        server.stop()


def bind_env(command: list[str], port: int) -> dict[str, str]:
    """Gunicorn reads its bind address from GUNICORN_CMD_ARGS when run directly (bare apps)."""
    if Path(command[0]).name != "gunicorn":
        return {}
    return {"GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port} --workers 1"}


def wrk(server: Server, path: str, seconds: int) -> Load:
    """Load one URL with wrk, 16 connections, one thread; requests per second, p99 and CPU."""
    cpu_before = server.workers_cpu_seconds()
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--latency",
            f"http://127.0.0.1:{server.port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu = server.workers_cpu_seconds() - cpu_before
    rate = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    total = re.search(r"(\d+) requests in", result.stdout)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", result.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if not rate or not p99 or not total or errors:
        raise RuntimeError(f"wrk on {path}: {result.stdout}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return Load(float(rate.group(1)), float(p99.group(1)) * scale, cpu * 1e6 / int(total.group(1)))


class Project:
    """A rendered and installed variant."""

    def __init__(
        self, template: Path, workdir: Path, answers: dict[str, str], compiled: bool
    ) -> None:
        """Render the variant and install it, compiled ahead or not."""
        self.name = "-".join(answers.values())
        self.path = workdir / self.name
        render(template, self.path, answers)
        rendered_answers = yaml.safe_load((self.path / ".copier-answers.yml").read_text())
        self.package = rendered_answers["package_name"]
        self.context = derived_context(rendered_answers)
        # Compiled as the image compiles them (UV_COMPILE_BYTECODE), the bare apps and the
        # project's own code too: a start-up figure measures imports, not the compiler.
        install = ["uv", "sync", "--locked", "--quiet"]
        subprocess.run(
            [*install, "--compile-bytecode"] if compiled else install, cwd=self.path, check=True
        )
        self.bin = self.path / ".venv" / "bin"
        if compiled:
            subprocess.run(
                [self.bin / "python", "-m", "compileall", "-q", self.path / "src", BARE], check=True
            )
        if answers["framework"] == "django":  # as the Dockerfile does when it builds the image
            subprocess.run(
                [*self.command("web")[:1], "manage", "collectstatic", "--no-input"],
                cwd=self.path,
                check=True,
                capture_output=True,
                env=os.environ | self.environment("WARNING"),
            )

    def environment(self, log_level: str, **extra: str) -> dict[str, str]:
        """The production environment of the project, one web worker, at this log level."""
        return {
            **env_example(self.path),
            "APP_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "WEB_CONCURRENCY": "1",
            "LOG_LEVEL": log_level,
            **extra,
        }

    def command(self, process_type: str) -> list[str]:
        """The Procfile's command for a process type, from the project's environment."""
        program, *arguments = procfile(self.path)[process_type].split()
        return [str(self.bin / program), *arguments]

    def bare_command(self, framework: str) -> list[str]:
        """Gunicorn serving the framework's bare app, from the project's environment."""
        # A WSGI app runs in as many threads as the service does (WEB_THREADS of .env.example).
        threads = env_example(self.path).get("WEB_THREADS")
        return [
            str(self.bin / "gunicorn"),
            "--chdir",
            str(BARE),
            *("--worker-class", self.context["worker_class"]),
            *("--env", f"SERVICE_PACKAGE={self.package}"),
            *(("--env", f"WEB_THREADS={threads}") if threads else ()),
            BARE_APPS[framework],
        ]


def alternate(
    generated: Callable[[], Load], bare: Callable[[], Load], rounds: int
) -> tuple[list[Load], list[Load]]:
    """Measure the two sides in alternating rounds, so both see the same background load."""
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(generated())
        theirs.append(bare())
    return ours, theirs


def throughput_rows(project: Project, framework: str, plan: Settings) -> list[Row]:
    """/healthz at INFO and WARNING, and /api/items reads, against the bare app."""
    rows = []
    database = project.path / "benchmark.db"
    database_url = f"sqlite:///{database}"
    subprocess.run(
        project.command("release"),
        cwd=project.path,
        check=True,
        capture_output=True,
        env=os.environ | project.environment("WARNING", DATABASE_URL=database_url),
    )
    bare_env = {"DATABASE_URL": database_url}
    with serving(project.bare_command(framework), project.path, bare_env) as bare:
        for level in ("INFO", "WARNING"):
            environment = project.environment(level, DATABASE_URL=database_url)
            with serving(project.command("web"), project.path, environment) as ours:
                if level == "INFO":
                    for number in range(20):
                        ours_post(ours.port, f"item {number}")
                paths = ["/healthz", "/api/items"] if level == "WARNING" else ["/healthz"]
                for path in paths:
                    measured = alternate(
                        functools.partial(wrk, ours, path, plan.seconds),
                        functools.partial(wrk, bare, path, plan.seconds),
                        plan.rounds,
                    )
                    label = "request line logged" if level == "INFO" else "no request line"
                    rows.append(
                        load_row(
                            f"{framework} `GET {path}` req/s, `LOG_LEVEL={level}` ({label})",
                            *measured,
                        )
                    )
    return rows


def ours_post(port: int, name: str) -> None:
    """Create one item through the generated service's API."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    body = json.dumps({"name": name})
    connection.request("POST", "/api/items", body, {"Content-Type": "application/json"})
    status = connection.getresponse().status
    if status != 201:
        raise RuntimeError(f"POST /api/items answered {status}")


def load_row(figure: str, ours: list[Load], theirs: list[Load]) -> Row:
    """A table row from wrk's rounds."""
    return Row(
        figure,
        [load.requests_per_second for load in ours],
        [load.requests_per_second for load in theirs],
        generated_p99=[load.p99_ms for load in ours],
        bare_p99=[load.p99_ms for load in theirs],
        generated_cpu=[load.cpu_us for load in ours],
        bare_cpu=[load.cpu_us for load in theirs],
    )


def startup_rows(project: Project, framework: str, plan: Settings) -> list[Row]:
    """Seconds from exec to the first 200, and master + worker memory, alternating.

    Measured on the variant without a database, against the bare app without one: the time it
    takes to import a database layer is the same with or without the template.
    """
    ours_times: list[float] = []
    bare_times: list[float] = []
    ours_rss: list[tuple[float, float]] = []
    bare_rss: list[tuple[float, float]] = []
    for _ in range(plan.starts):
        for command, env, times, memory in (
            (project.command("web"), project.environment("INFO"), ours_times, ours_rss),
            (project.bare_command(framework), {}, bare_times, bare_rss),
        ):
            port = free_port()
            server = Server(
                command, project.path, {**env, "PORT": str(port)} | bind_env(command, port), port
            )
            try:
                times.append(server.first_answer())
                memory.append(server.rss_mb())
            finally:
                server.stop()
    return [
        Row(
            f"{framework} web answers its first request after exec (no database)",
            ours_times,
            bare_times,
            "s",
        ),
        Row(f"{framework} master RSS", [m for m, _ in ours_rss], [m for m, _ in bare_rss], "MB"),
        Row(f"{framework} worker RSS", [w for _, w in ours_rss], [w for _, w in bare_rss], "MB"),
    ]


def job_row(project: Project, queue: str, services: BackingServices, plan: Settings) -> Row:
    """Milliseconds from `POST /api/jobs` to the worker's `job.done` line, one job at a time."""
    broker_url = services.new_broker(queue)
    if broker_url is None:
        raise RuntimeError(services.unreachable_reason(queue))
    environment = project.environment("INFO", BROKER_URL=broker_url, WORKER_CONCURRENCY="1")
    done: dict[str, float] = {}
    arrived = threading.Condition()
    worker = subprocess.Popen(
        project.command("worker"),
        cwd=project.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=os.environ | environment,
    )

    def read_worker_output() -> None:
        for line in worker.stdout or ():
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if record.get("event") == "job.done":
                    with arrived:
                        done[record["job_id"]] = time.perf_counter()
                        arrived.notify_all()

    reader = threading.Thread(target=read_worker_output, daemon=True)
    reader.start()
    samples = []
    try:
        with serving(project.command("web"), project.path, environment) as web:
            for number in range(plan.jobs + 1):
                connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=60)
                sent = time.perf_counter()
                connection.request("POST", "/api/jobs", "{}", {"Content-Type": "application/json"})
                job_id = json.loads(connection.getresponse().read())["job_id"]
                with arrived:
                    if not arrived.wait_for(
                        functools.partial(done.__contains__, job_id), timeout=60
                    ):
                        raise RuntimeError(f"job {job_id} was not done within 60 s")
                if number:  # the first one waits for the worker to be ready
                    samples.append((done[job_id] - sent) * 1000)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    return Row(
        f"job round trip `POST /api/jobs` → `job.done`, {queue}, p50 / p99", samples, unit="ms"
    )


def generation_row(template: Path, workdir: Path, plan: Settings) -> Row:
    """`copier copy` of one variant against a template of one question and one file, alternating."""
    one_file = workdir / "one-file"
    one_file.mkdir()
    (one_file / "copier.yml").write_text("name:\n  type: str\n  default: x\n")
    (one_file / "README.md.jinja").write_text("# {{ name }}\n")
    copier = str(Path(sys.executable).parent / "copier")
    answers = [
        "-d",
        "project_name=Sample Service",
        "-d",
        "framework=fastapi",
        "-d",
        "database=postgresql",
        "-d",
        "queue=redis",
    ]
    ours: list[float] = []
    theirs: list[float] = []
    for number in range(plan.renders):
        for source, extra, samples in ((template, answers, ours), (one_file, [], theirs)):
            destination = workdir / f"copy-{source.name}-{number}"
            started = time.perf_counter()
            subprocess.run(
                [
                    copier,
                    "copy",
                    "--trust",
                    "--defaults",
                    "--quiet",
                    *extra,
                    str(source),
                    str(destination),
                ],
                check=True,
                capture_output=True,
            )
            samples.append(time.perf_counter() - started)
    return Row(
        "`copier copy` of fastapi-postgresql-redis vs a one-question, one-file template",
        ours,
        theirs,
        "s",
    )


def figure(values: list[float], digits: int) -> str:
    """The median, and the range when there is more than one value."""
    median = f"{statistics.median(values):,.{digits}f}"
    if len(values) < 2:
        return median
    return f"{median} ({min(values):,.{digits}f}{EN_DASH}{max(values):,.{digits}f})"


def paired_ratio(generated: list[float], bare: list[float]) -> str:
    """The median of each round's ratio (generated ÷ the bare round right after it), and their
    range: a pair of rounds sees the same background load, so the ratio is steadier than either."""
    ratios = [ours / theirs for ours, theirs in zip(generated, bare, strict=True)]
    median = f"**{statistics.median(ratios):.2f}{TIMES}**"
    if len(ratios) < 2:
        return median
    return f"{median} ({min(ratios):.2f}{EN_DASH}{max(ratios):.2f})"


def table(rows: list[Row]) -> str:
    """The Markdown table of every row."""
    lines = [
        "| figure | generated | bare | ratio | p99 ms generated / bare "
        "| worker CPU µs per request generated / bare |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        digits = 0 if row.unit in ("", "MB") else 2 if row.unit == "s" else 1
        unit = f" {row.unit}" if row.unit else ""
        if row.unit == "ms":  # a distribution of its own: p50 / p99
            ordered = sorted(row.generated)
            slowest = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            generated = f"{statistics.median(ordered):.1f} / {slowest:.1f} ms"
        else:
            generated = figure(row.generated, digits) + unit
        bare = figure(row.bare, digits) + unit if row.bare else "—"
        ratio = paired_ratio(row.generated, row.bare) if row.bare else "—"
        p99 = (
            f"{statistics.median(row.generated_p99):.1f} / {statistics.median(row.bare_p99):.1f}"
            if row.generated_p99
            else "—"
        )
        cpu = (
            f"{statistics.median(row.generated_cpu):.0f} / {statistics.median(row.bare_cpu):.0f}"
            if row.generated_cpu
            else "—"
        )
        lines.append(f"| {row.figure} | {generated} | {bare} | {ratio} | {p99} | {cpu} |")
    return "\n".join(lines)


def machine() -> str:
    """The processor, core count, memory, OS and the load when the run started."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    return (
        f"{model}, {os.cpu_count()} cores, {memory} GB, {platform.platform(terse=True)}, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    """Measure and print the table; the full run also writes docs/performance.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round of each figure")
    parser.add_argument("--output", type=Path, help="default: docs/performance.md (full run only)")
    parser.add_argument(
        "--framework", action="append", choices=FRAMEWORKS, help="only these (and no jobs)"
    )
    parser.add_argument("--rounds", type=int, help="override the rounds of each load figure")
    parser.add_argument("--seconds", type=int, help="override the seconds of each round")
    arguments = parser.parse_args()
    plan = QUICK if arguments.quick else FULL
    plan = replace(
        plan, rounds=arguments.rounds or plan.rounds, seconds=arguments.seconds or plan.seconds
    )
    if arguments.framework:
        plan = replace(plan, frameworks=tuple(arguments.framework), queues=())
    output = arguments.output or (None if arguments.quick else ROOT / "docs" / "performance.md")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk (or brew install wrk)")
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows: list[Row] = []
    services = BackingServices.from_environment()
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        template = snapshot(workdir / "template")
        try:
            for framework in plan.frameworks:
                project = Project(
                    template,
                    workdir,
                    {"framework": framework, "database": "sqlite", "queue": "none"},
                    plan.compiled,
                )
                rows += throughput_rows(project, framework, plan)
                project = Project(
                    template,
                    workdir,
                    {"framework": framework, "database": "none", "queue": "none"},
                    plan.compiled,
                )
                rows += startup_rows(project, framework, plan)
            for queue in plan.queues:
                project = Project(
                    template,
                    workdir,
                    {"framework": "fastapi", "database": "none", "queue": queue},
                    plan.compiled,
                )
                rows.append(job_row(project, queue, services, plan))
            rows.append(generation_row(template, workdir, plan))
        finally:
            services.cleanup()
    result = table(rows)
    print(result)
    load_after = os.getloadavg()
    if output:
        output.write_text(
            PAGE.format(
                date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                machine=machine(),
                load=f"{load_before[0]:.1f} before, {load_after[0]:.1f} after",
                minutes=(time.perf_counter() - started) / 60,
                plan=plan,
                table=result,
            )
        )
        print(f"written to {output}")


PAGE = """\
# Performance

How the generated service compares with a bare app of the same framework, measured side by side in
one run of `uv run python benchmarks/run.py` (in the template's repository; `--quick` is the short
run CI uses to prove that the benchmark still works, its figures mean nothing).

- **When and where**: {date}; {machine}; load average {load} ({minutes:.0f} minutes).
- **What**: each framework's sqlite variant (requests) and its variant without a database (start-up
  and memory), each next to a bare app of the same framework (`benchmarks/bare/`: the same routes,
  no middleware, no logging, no settings), run from the generated project's environment so that
  every library has the same version, served as the service is: on the same gunicorn worker
  class (uvicorn's; for Flask and Django without its WebSocket protocol, which WSGI cannot use)
  and, for Flask and Django, through the service's own `wsgi_bridge` in as many threads
  (`WEB_THREADS` of `.env.example`); one worker, `APP_ENV=production`, standard output read from a
  pipe.
- **How**: wrk with one thread and 16 connections, {plan.seconds} s per round, {plan.rounds}
  rounds alternating between the two; figures are medians with the range of the rounds in
  brackets; the ratio is the median of each round's generated ÷ the bare round right after it,
  with the range of those ratios. The last column is the CPU time (user + system) the web
  workers used per request in those rounds, medians: what the service costs the machine per
  request, a figure that moves far less with the machine's other work than the rate does.
  Start-up and memory: {plan.starts} starts each,
  alternating, from exec to the first 200 from `/healthz`; memory is read then. Jobs:
  {plan.jobs} jobs one after another through a FastAPI variant and one worker process.
  Generation: the `copier` command, {plan.renders} times each, alternating.
- **Noise**: the machine is shared with other work (see the load average, on 2 cores): absolute
  figures move from round to round by up to a factor of three under such load. Read each ratio
  with its range; a range wider than ±0.1 says the run was too noisy to decide.

The request line costs one JSON log line per request (`LOG_LEVEL=INFO`, the production default); at
`WARNING` no line is formatted or written. The bare apps log nothing at either level.

{table}
"""


if __name__ == "__main__":
    main()
