"""The template's own CI: its workflow is valid, and a new CHANGELOG version becomes a tag once.

Tags are made by CI when the template is published (`.ci/tag-release`); these tests never depend on
the tags of this repository, so they hold in a clone with or without them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.test_deploy import assert_actionlint_passes
from tests.test_update import git

ROOT = Path(__file__).resolve().parent.parent


def test_the_template_workflows_pass_actionlint() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows

    assert_actionlint_passes(workflows)


def test_ci_runs_the_readme_test_command_and_tags_from_the_changelog() -> None:
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()

    assert "run: .ci/run" in workflow
    assert ".ci/tag-release" in workflow
    assert "uv run pytest" in (ROOT / ".ci" / "run").read_text()


def tag_release(clone: Path) -> subprocess.CompletedProcess[str]:
    """Run the tagging script in a clone, as CI does on main."""
    return subprocess.run(
        ["bash", str(clone / ".ci" / "tag-release")],
        cwd=clone,
        env={"PATH": "/usr/bin:/bin", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(clone)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_new_changelog_version_is_tagged_and_pushed_once(tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    clone = tmp_path / "clone"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "config", "user.name", "CI")
    git(clone, "config", "user.email", "ci@example.com")
    (clone / ".ci").mkdir()
    (clone / ".ci" / "tag-release").write_text((ROOT / ".ci" / "tag-release").read_text())
    changelog = clone / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## Unreleased\n\n- work in progress\n")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "No release yet")

    untagged = tag_release(clone)
    assert untagged.returncode == 0, untagged.stderr
    assert git(origin, "tag") == ""

    changelog.write_text("# Changelog\n\n## v0.2.0 — second\n\n## v0.1.0 — first\n")
    git(clone, "commit", "-q", "-am", "Release 0.2.0")
    tagged = tag_release(clone)
    again = tag_release(clone)

    assert tagged.returncode == 0, tagged.stderr
    assert git(origin, "tag").split() == ["v0.2.0"]
    assert git(origin, "rev-parse", "v0.2.0^{commit}") == git(clone, "rev-parse", "HEAD")
    assert again.returncode == 0, again.stderr
    assert "exists already" in again.stdout
