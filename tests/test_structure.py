"""The template's own structure: templates ask the catalogue, not the answers; few conditions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extensions.catalogue import BROKERS, DATABASES, FRAMEWORKS
from extensions.files import OPTIONAL_FILES
from extensions.variants import TEMPLATE_ROOT, choices

TEMPLATE = TEMPLATE_ROOT / "template"
JINJA = re.compile(r"\{[{%](.*?)[%}]\}", re.DOTALL)
QUOTED = re.compile(r"(['\"]).*?\1")
RAW_ANSWER = re.compile(r"(?<![\w.])(framework|database|queue)(?![\w])")
IF_TAG = re.compile(r"\{%-?\s*if\b")
MAX_CONDITIONAL_NAMES = 5
# Issue 9 aims at 2.5 `{% if` per 100 template lines; this is where the split into files stands.
# Lower it as files are split; never raise it.
MAX_IF_DENSITY = 2.5


def template_files() -> list[Path]:
    """Every file of template/, rendered or copied."""
    return sorted(path for path in TEMPLATE.rglob("*") if path.is_file())


def raw_answer_uses(text: str) -> list[str]:
    """The Jinja expressions in text that read the framework, database or queue answer itself."""
    return [
        match.group(0)
        for match in JINJA.finditer(text)
        if RAW_ANSWER.search(QUOTED.sub("''", match.group(1)))
    ]


def test_the_scanner_finds_raw_answer_comparisons() -> None:
    assert raw_answer_uses('{%- if database == "mysql" %}')
    assert raw_answer_uses("{{ 'a' if queue != 'redis' else 'b' }}")
    assert raw_answer_uses("{{ {'postgresql': 'x'}[database] }}")
    assert not raw_answer_uses("{%- if db.has_read_timeout %} the database {{ db.label }}")


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(TEMPLATE)))
def test_templates_ask_the_catalogue_not_the_answers(path: Path) -> None:
    relative = str(path.relative_to(TEMPLATE))
    uses = raw_answer_uses(relative) + raw_answer_uses(path.read_text(errors="replace"))
    assert not uses, f"{relative}: ask a fact of the catalogue (extensions/catalogue.py): {uses}"


def test_few_file_names_carry_a_condition() -> None:
    conditional = {
        part
        for path in template_files()
        for part in path.relative_to(TEMPLATE).parts
        if "{%" in part or ("{{" in part and "package_name" not in part and "_copier" not in part)
    }
    assert len(conditional) <= MAX_CONDITIONAL_NAMES, sorted(conditional)


def test_if_density_stays_under_the_ceiling() -> None:
    texts = [path.read_text(errors="replace") for path in template_files()]
    lines = sum(len(text.splitlines()) for text in texts)
    ifs = sum(len(IF_TAG.findall(text)) for text in texts)
    density = 100 * ifs / lines
    print(f"{ifs} if tags in {lines} template lines: {density:.2f} per 100")
    assert density <= MAX_IF_DENSITY


def test_every_answer_has_a_catalogue_entry_and_every_entry_an_answer() -> None:
    assert set(FRAMEWORKS) == set(choices("framework"))
    assert set(DATABASES) == set(choices("database")) - {"none"}
    assert set(BROKERS) == set(choices("queue")) - {"none"}


def test_every_code_folder_is_in_template_and_used() -> None:
    folders = {folder for framework in FRAMEWORKS.values() for folder in framework.code_folders}
    present = {
        part.split("'")[1]
        for part in (path.name for path in TEMPLATE.iterdir())
        if "code_folder" in part
    }
    assert folders == present


def test_every_optional_file_exists_in_some_folder_of_the_template() -> None:
    sources = [
        re.sub(r"\{\{ '\w+' \| code_folder \}\}/", "", str(path.relative_to(TEMPLATE)))
        .replace("{{package_name}}", "{package}")
        .removesuffix(".jinja")
        for path in template_files()
    ]
    for optional in OPTIONAL_FILES:
        assert any(source.startswith(optional.path) for source in sources), optional.path
