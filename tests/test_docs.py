"""The documentation site builds without a warning, with the generated tables filled in."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_docs_build_strictly_with_generated_tables(tmp_path: Path) -> None:
    result = subprocess.run(
        ["mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        # Material for MkDocs announces its end of life on every build. We stay on MkDocs 1.6 and
        # Material 9, pinned below their next majors in pyproject.toml, because Zensical, their
        # successor, runs no MkDocs hooks yet, and docs/hooks.py writes the options and
        # environment pages (see docs/developing.md).
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "end of life" not in result.stdout + result.stderr, result.stderr

    environment = (tmp_path / "environment" / "index.html").read_text()
    options = (tmp_path / "options" / "index.html").read_text()
    assert "<!-- environment -->" not in environment
    for name in ("SECRET_KEY", "DATABASE_URL", "GRACEFUL_TIMEOUT"):
        assert f"<code>{name}</code>" in environment
    for question in ("framework", "database", "queue", "python_version"):
        assert f"<code>{question}</code>" in options


UPDATE_COMMAND = "uvx --with copier-template-extensions copier update --trust --defaults"


def test_the_update_command_is_written_the_same_way_everywhere() -> None:
    places = [
        ROOT / "README.md",
        ROOT / "copier.yml",
        ROOT / "template" / "README.md.jinja",
        ROOT / "template" / ".github" / "workflows" / "template-update.yml",
        *sorted((ROOT / "docs").glob("*.md")),
    ]
    commands = []
    for place in places:
        for line in place.read_text().splitlines():
            # A command, not a mention of the operation: Copier's options follow it.
            if "copier update --" in line:
                commands.append((place.name, line))

    assert len(commands) >= 4, commands
    for name, line in commands:
        assert UPDATE_COMMAND in line, f"{name}: {line.strip()}"
