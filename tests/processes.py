"""Run a generated project's processes as its Procfile says, and watch them from outside."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx


def procfile(project: Path) -> dict[str, str]:
    """The process types of a project and their commands."""
    entries = {}
    for line in (project / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


def env_example(project: Path) -> dict[str, str]:
    """The variables .env.example sets (commented-out ones are optional and left out)."""
    values = {}
    for line in (project / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """One process of a project, its standard output and error kept in files for inspection."""

    def __init__(self, project: Path, command: str, env: dict[str, str], name: str) -> None:
        """Start the command with the project's virtual environment first on PATH."""
        self.env = env
        self.logs = project / f".{name}-{time.monotonic_ns()}"
        self.stdout_path = self.logs.with_suffix(".out")
        self.stderr_path = self.logs.with_suffix(".err")
        # Bytecode is written, so that only the first start of a project compiles its modules.
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("VIRTUAL_ENV", "UV_", "PYTHONDONTWRITEBYTECODE"))
        }
        environment["PATH"] = f"{project / '.venv' / 'bin'}{os.pathsep}{environment['PATH']}"
        environment.update(env)
        with self.stdout_path.open("wb") as stdout, self.stderr_path.open("wb") as stderr:
            self.popen = subprocess.Popen(
                shlex.split(command), cwd=project, env=environment, stdout=stdout, stderr=stderr
            )

    def wait(self, timeout: float) -> int:
        """Wait for the process to exit and return its exit code."""
        return self.popen.wait(timeout=timeout)

    def signal(self, signum: signal.Signals) -> None:
        """Send a signal to the process."""
        self.popen.send_signal(signum)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, wait, and kill as a last resort so no test leaves a process behind."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.popen.returncode

    @property
    def stdout(self) -> str:
        """Everything the process wrote to standard output so far."""
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        """Everything the process wrote to standard error so far."""
        return self.stderr_path.read_text(errors="replace")

    def json_lines(self) -> list[dict[str, object]]:
        """Standard output parsed line by line; fails on the first line that is not JSON."""
        lines = []
        for number, line in enumerate(self.stdout.splitlines(), start=1):
            try:
                parsed = json.loads(line)
            except json.JSONDecodeError as error:
                raise AssertionError(f"stdout line {number} is not JSON: {line!r}") from error
            assert isinstance(parsed, dict), f"stdout line {number} is not an object: {line!r}"
            lines.append(parsed)
        return lines

    def describe(self) -> str:
        """Output for an assertion message."""
        return f"--- stdout ---\n{self.stdout[-4000:]}\n--- stderr ---\n{self.stderr[-4000:]}"


def wait_for_event(
    process: Process, event: str, timeout: float = 60, **fields: object
) -> dict[str, object]:
    """Poll the process's standard output until a JSON line has this event and these fields."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        # A line still being written has no newline yet: leave it for the next look.
        for line in process.stdout.splitlines(keepends=True):
            if not line.endswith("\n"):
                continue
            parsed = json.loads(line)
            if parsed.get("event") == event and all(
                parsed.get(name) == value for name, value in fields.items()
            ):
                return parsed
        if process.popen.poll() is not None:
            raise AssertionError(
                f"exited with {process.popen.returncode} before {event} {fields}\n"
                + process.describe()
            )
        time.sleep(0.2)
    raise AssertionError(f"no {event} {fields} within {timeout} s\n{process.describe()}")


def wait_until_serving(process: Process, port: int, timeout: float = 60) -> float:
    """Poll /healthz until it answers 200; return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.popen.poll() is not None:
            raise AssertionError(
                f"web exited with {process.popen.returncode}\n{process.describe()}"
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"web did not answer /healthz within {timeout} s\n{process.describe()}")


class Stopping:
    """Processes sent SIGTERM at the end of their test, whose exit no check waits for.

    Stopping a web or a worker takes a second or two of waiting (gunicorn's graceful stop,
    Celery's pool); they stop while the next tests run instead. One still running `patience`
    seconds after its SIGTERM is killed at the next look; every one is gone once `close` returns.
    """

    def __init__(self, patience: float = 30) -> None:
        """No process yet."""
        self.patience = patience
        self.processes: list[tuple[float, Process]] = []

    def stop(self, processes: list[Process]) -> None:
        """SIGTERM each of these processes still running, side by side; wait for none."""
        now = time.monotonic()
        for process in processes:
            if process.popen.poll() is None:
                process.signal(signal.SIGTERM)
                self.processes.append((now, process))
        self.look()

    def look(self) -> None:
        """Forget the processes that exited; kill those that outlasted their patience."""
        now = time.monotonic()
        running = []
        for since, process in self.processes:
            if process.popen.poll() is not None:
                continue
            if now - since < self.patience:
                running.append((since, process))
            else:
                process.popen.kill()
                process.popen.wait()
        self.processes = running

    def close(self) -> None:
        """Wait for every process to exit, killing those that outlast their patience."""
        for since, process in self.processes:
            try:
                process.popen.wait(timeout=max(0, since + self.patience - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()
        self.processes = []
