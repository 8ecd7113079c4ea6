"""Resolve and store the uv.lock of every variant: `uv run python locks/refresh.py [--upgrade]`.

Generated projects ship the lock of their variant, so that `copier copy` needs no network and users
get exactly the versions the template's CI tested. Run this after changing a dependency in
extensions/context.py, commit the locks, and let CI prove them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extensions.dependencies import PROJECT_IN_LOCK
from extensions.variants import TEMPLATE_ROOT, render, snapshot, variant_id, variants

PLACEHOLDER_SLUG = "lock-placeholder"
LOCKS = TEMPLATE_ROOT / "locks"


def lock(project: Path, stored: Path, upgrade: bool) -> None:
    """Lock one rendered project and store the lock with its name as a Jinja placeholder."""
    if upgrade or not stored.exists():
        # Rendered without a stored lock, the file is empty: let uv resolve from scratch.
        (project / "uv.lock").unlink()
    command = ["uv", "lock", *(["--upgrade"] if upgrade else [])]
    subprocess.run(command, cwd=project, check=True, capture_output=True)
    marker = f'name = "{PLACEHOLDER_SLUG}"'
    resolved = (project / "uv.lock").read_text()
    if resolved.count(marker) != 1:
        raise RuntimeError(f"{stored.name}: expected the project exactly once in its lock")
    stored.write_text(resolved.replace(marker, PROJECT_IN_LOCK))


def main() -> None:
    """Render every variant (copier is not thread-safe), then lock them two at a time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="take the newest allowed versions")
    upgrade = parser.parse_args().upgrade
    with tempfile.TemporaryDirectory() as workdir:
        template = snapshot(Path(workdir) / "template")
        jobs = []
        for variant in variants():
            name = variant_id(variant)
            project = Path(workdir) / name
            render(template, project, {"project_name": PLACEHOLDER_SLUG, **variant})
            jobs.append((project, LOCKS / f"{name}.lock"))
        with ThreadPoolExecutor(max_workers=2) as pool:
            for (_, stored), _ in zip(
                jobs, pool.map(lambda job: lock(job[0], job[1], upgrade), jobs), strict=True
            ):
                print(f"locked {stored.stem}")


if __name__ == "__main__":
    main()
