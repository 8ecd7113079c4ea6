"""Jinja's compiled template files, kept in the process's memory from one Copier run to the next.

Copier makes a new Jinja environment for each copy or update, and Jinja compiles every template
file again in it: a fifth of each render when one process renders many variants, as the
template's tests do. The code Jinja compiles from a file depends only on the file's text and on
the environment's settings (its syntax, extensions, filters and tests), so it is kept here under
the file's name and those settings, and any later environment with the same settings reuses it.
A file whose text changed is compiled again: Jinja guards each entry with the source's checksum.
Only this module's own import keeps the store alive; Copier executes context.py anew each run.

A template string of text alone (most of those Copier renders: the parts of the files' paths) is
not compiled at all: its template renders as the text (`TextTemplate`). The `CompiledStrings`
extension (copier.yml) puts both in front of the environment's compilation.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from types import CodeType
from typing import Any

from jinja2 import Environment, Template
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.ext import Extension


def settings_of(environment: Environment) -> str:
    """What of an environment the code compiled from a template's text depends on."""
    parts = [
        type(environment),
        environment.code_generator_class,
        environment.autoescape,
        environment.finalize,
        *environment.extensions.values(),
    ]
    return repr(
        (
            [getattr(part, "__qualname__", type(part).__qualname__) for part in parts],
            environment.autoescape if isinstance(environment.autoescape, bool) else None,
            environment.is_async,
            environment.optimized,
            environment.block_start_string,
            environment.block_end_string,
            environment.variable_start_string,
            environment.variable_end_string,
            environment.comment_start_string,
            environment.comment_end_string,
            environment.line_statement_prefix,
            environment.line_comment_prefix,
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.newline_sequence,
            environment.keep_trailing_newline,
            sorted(environment.filters),
            sorted(environment.tests),
        )
    )


class ProcessBytecodeCache(BytecodeCache):
    """A Jinja bytecode cache in memory: each file's compiled code, by name, path and settings."""

    def __init__(self) -> None:
        """Start empty."""
        self.compiled: dict[str, tuple[str, CodeType]] = {}

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        """The entry of a template in this environment's settings, filled if compiled before."""
        key = f"{self.get_cache_key(name, filename)}:{settings_of(environment)}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def code_of(self, environment: Environment, source: str) -> CodeType:
        """The code of a template string, compiled in this environment's settings once."""
        bucket = self.get_bucket(environment, source, None, source)
        if bucket.code is None:
            bucket.code = environment.compile(source)
            self.set_bucket(bucket)
        return bucket.code

    def load_bytecode(self, bucket: Bucket) -> None:
        """Hand the bucket the code compiled before from the same text, if any."""
        found = self.compiled.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the code Jinja has just compiled, with the checksum of its text."""
        if bucket.code is not None:
            self.compiled[bucket.key] = (bucket.checksum, bucket.code)


COMPILED_TEMPLATES = ProcessBytecodeCache()


def plain_text(environment: Environment, source: str) -> str | None:
    """The text a template string renders to whatever the context, if it is text alone.

    Text alone: after the extensions' preprocessing, nothing in it can start a tag, an
    expression, a comment or a line statement, and it has no line ending for Jinja to normalise
    or strip. Most of the strings Copier renders are such, the parts of the files' paths.
    """
    text = environment.preprocess(source)
    syntax = (
        environment.block_start_string,
        environment.variable_start_string,
        environment.comment_start_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        "\n",
        "\r",
    )
    return None if any(mark and mark in text for mark in syntax) else text


class TextTemplate(Template):
    """A template of text alone, made without compiling it: it renders as its text.

    Its root yields the text, as the code Jinja compiles from such a template does, for whatever
    renders it by parts (`generate`, `stream`, `make_module`). `render`, which Copier calls,
    answers the text without making a context first: nothing in the template reads one, and the
    ContextHook this template's extensions put there (extensions/context.py) only adds facts for
    the template to read.
    """

    text: str

    @classmethod
    def of(cls, environment: Environment, text: str) -> TextTemplate:
        """The template of this text in this environment."""

        def root(context: Any, missing: Any = None, environment: Any = None) -> Iterator[str]:
            yield text

        namespace: dict[str, Any] = {
            "name": None,
            "__file__": "<template>",
            "blocks": {},
            "debug_info": "",
            "root": root,
        }
        template = cls.from_module_dict(environment, namespace, environment.make_globals(None))
        assert isinstance(template, TextTemplate)
        template.text = text
        return template

    def render(self, *args: Any, **kwargs: Any) -> str:
        """The text, whatever the context."""
        return self.text


class CompiledStrings(Extension):
    """Compile each distinct template string and file once per process, however often Copier
    renders it.

    Copier renders every part of every file's path, and the answers file's name, as a new
    template: hundreds of compilations of a few dozen distinct strings ("src", "tests", ...),
    which were the larger part of the time `copier copy` spent on this template. Each run's new
    environment would compile them, and every file, again: their code is kept for the process
    (`COMPILED_TEMPLATES`). Most of them are text alone ("src", "app.py"), made into templates
    without compiling at all (`TextTemplate`).
    """

    def __init__(self, environment: Environment) -> None:
        """Put caches in front of the environment's from_string and of its files' compilation."""
        super().__init__(environment)
        environment.bytecode_cache = COMPILED_TEMPLATES
        compile_string = environment.from_string

        @functools.lru_cache(maxsize=1024)
        def cached(source: str) -> Template:
            text = plain_text(environment, source)
            if text is not None and environment.template_class is Template:
                return TextTemplate.of(environment, text)
            return environment.template_class.from_code(
                environment,
                COMPILED_TEMPLATES.code_of(environment, source),
                environment.make_globals(None),
                None,
            )

        def from_string(source: Any, globals: Any = None, template_class: Any = None) -> Any:
            if globals is None and template_class is None and isinstance(source, str):
                return cached(source)
            return compile_string(source, globals, template_class)

        environment.from_string = from_string  # type: ignore[method-assign]
