"""The filters of the questions' defaults and validators and of the template's files."""

from __future__ import annotations

from jinja2 import Environment, TemplateNotFound, pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context

from extensions.catalogue import FRAMEWORKS
from extensions.dependencies import PROJECT_IN_LOCK
from extensions.names import email_problem, package_name_problem, slug_problem, slugify


@pass_context
def code_folder(context: Context, folder: str) -> str:
    """Name a per-framework folder of template/ "." (merged into the root) when it is in use."""
    framework = FRAMEWORKS[context.get("framework") or "fastapi"]
    return "." if folder in framework.code_folders else ""


@pass_context
def stored_lock(context: Context, lock_file: str) -> str:
    """The variant's lock from locks/ with the project's name in it; empty where none is stored.

    The text `{% include lock_file ignore missing %}` renders, without making Jinja lex and
    compile half a megabyte for its one placeholder (a fifth of a copy's time). A lock with any
    other Jinja in it, or line endings that Jinja would change, is rendered as that include would.
    """
    environment = context.environment
    assert environment.loader is not None  # Copier's loader of the template's files
    try:
        text, _, _ = environment.loader.get_source(environment, lock_file)
    except TemplateNotFound:
        return ""
    rest = text.replace(PROJECT_IN_LOCK, "")
    jinja = (
        environment.block_start_string,
        environment.variable_start_string,
        environment.comment_start_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        "\r" if environment.newline_sequence == "\n" else "\n",
    )
    if any(marker and marker in rest for marker in jinja) or not environment.keep_trailing_newline:
        return environment.get_template(lock_file).render(context.get_all())
    slug = str(context.resolve("project_slug"))
    return text.replace(PROJECT_IN_LOCK, PROJECT_IN_LOCK.replace("{{ project_slug }}", slug))


class Filters(Extension):
    """Registers the filters of the questions, the per-framework folders and the lock."""

    def __init__(self, environment: Environment) -> None:
        """Register the filters on the Jinja environment."""
        super().__init__(environment)
        environment.filters.update(
            slugify=slugify,
            slug_problem=slug_problem,
            package_name_problem=package_name_problem,
            email_problem=email_problem,
            code_folder=code_folder,
            stored_lock=stored_lock,
        )
