"""Every variant installs from its lock and passes its own test suite against the real servers."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Project, variant_params

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("variant", variant_params())
def test_the_projects_own_suite_passes(installed: Project, attached: dict[str, str]) -> None:
    result = installed.run(
        "uv", "run", "--locked", "pytest", "-q", "-p", "no:cacheprovider", env=attached
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


@pytest.mark.parametrize("variant", variant_params())
def test_the_settings_class_reads_exactly_the_declared_variables(installed: Project) -> None:
    probe = (
        f"import json; from {installed.package}.config import Settings; "
        "print(json.dumps({name.upper(): None if field.is_required() else "
        "getattr(field.get_default(), 'get_secret_value', lambda: field.get_default())() "
        "for name, field in Settings.model_fields.items()}))"
    )
    result = installed.run("uv", "run", "--locked", "python", "-c", probe)
    assert result.returncode == 0, result.stderr
    fields = json.loads(result.stdout)

    declared = {variable["name"]: variable for variable in installed.context["env_vars"]}
    assert set(fields) == set(declared)
    for name, default in fields.items():
        expected = declared[name]["development_default"]
        assert (None if default is None else str(default)) == expected, name
