"""Jinja's compiled template files, kept in the process's memory from one Copier run to the next.

Copier makes a new Jinja environment for each copy or update, and Jinja compiles every template
file again in it: a fifth of each render when one process renders many variants, as the
template's tests do. The code Jinja compiles from a file depends only on the file's text and on
the environment's settings (its syntax, extensions, filters and tests), so it is kept here under
the file's name and those settings, and any later environment with the same settings reuses it.
A file whose text changed is compiled again: Jinja guards each entry with the source's checksum.
Only this module's own import keeps the store alive; Copier executes context.py anew each run.
"""

from __future__ import annotations

from types import CodeType

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache


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
