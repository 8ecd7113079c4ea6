"""Every promise of a generated project is guarded by its own tests: breaking it fails them.

Each regression below breaks one promise the generated README or .env.example makes, in the
project's `src/` only (never its tests), the way a careless change would. The slow test applies
it to an installed variant of each framework and runs only the tests that must catch it; the
quick one checks that the text each regression replaces is still there, so the set stays in step
with the template. A new promise gets its regression here (see docs/developing.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from extensions.catalogue import FRAMEWORKS
from extensions.variants import choices, variant_id
from tests.conftest import VARIANT_CONTEXTS, Project, full_variant_params


@dataclass(frozen=True)
class Regression:
    """A promise broken on purpose, and the tests of the project that must catch it."""

    promise: str
    frameworks: frozenset[str]
    # Relative to src/<package>/.
    file: str
    old: str
    new: str
    # pytest node ids relative to the project: a file, or a test in it.
    caught_by: tuple[str, ...]

    def id(self, variant: dict[str, str]) -> str:
        """A test id that `-k <variant>` selects, e.g. fastapi-postgresql-redis-release-migrates."""
        words = re.sub(r"[^a-z0-9]+", "-", self.promise.lower()).strip("-")
        return f"{variant_id(variant)}-{words}"


EVERY_FRAMEWORK = frozenset(choices("framework"))
FASTAPI, FLASK, DJANGO = frozenset({"fastapi"}), frozenset({"flask"}), frozenset({"django"})
# Served through the project's wsgi_bridge.py, which reads WEB_THREADS.
WSGI = frozenset(name for name in EVERY_FRAMEWORK if FRAMEWORKS[name].serves_wsgi)

# One variant per framework, with a database server and a broker so that every promise applies
# (the variants schemathesis fuzzes too); test_variants.py installs the same ones, on the same
# xdist worker (one group each).
REGRESSION_VARIANTS = {
    param.values[0]["framework"]: param.values[0] for param in full_variant_params()
}


def variables_read(framework: str) -> set[str]:
    """The environment variables the service of the framework's regression variant reads."""
    context = VARIANT_CONTEXTS[variant_id(REGRESSION_VARIANTS[framework])]
    return {variable["name"] for variable in context["env_vars"]}


# Where the regression variant's broker gives a dead worker's job back after a timeout (Redis).
GIVES_BACK_AFTER_A_TIMEOUT = frozenset(
    name for name in EVERY_FRAMEWORK if "BROKER_VISIBILITY_TIMEOUT" in variables_read(name)
)

WEB_SERVER_TEST = "tests/test_promises.py::test_the_web_server_is_configured_by"
READINESS_TESTS = (
    "tests/test_health.py::test_readyz_is_unavailable_when_the_database_is_down",
    "tests/test_health.py::test_readyz_is_unavailable_when_the_broker_is_down",
)
CHECK_TESTS = (
    "tests/test_cli.py::test_check_fails_with_a_reason_when_the_database_is_down",
    "tests/test_cli.py::test_check_fails_with_a_reason_when_the_broker_is_down",
)
SERVER_ERROR_TEST = "tests/test_promises.py::test_an_unhandled_error_is_a_json_500"
PAGING_TEST = "tests/test_items.py::test_bad_paging_is_refused_with_a_json_4xx"
ERRORS_TEST = "tests/test_http.py::test_every_operation_documents_every_error_it_may_answer"
ALLOW_TEST = "tests/test_http.py::test_a_wrong_method_gets_405_naming_every_method_of_the_path"

LOST_JOB_LOCK_TEST = (
    "tests/test_redis_broker.py::"
    "test_a_lock_left_by_a_killed_worker_lapses_by_the_next_look_for_lost_jobs"
)
IDEMPOTENCY_TEST = (
    "tests/test_jobs.py::test_the_same_idempotency_key_queues_the_job_once_and_it_runs_once"
)

REGRESSIONS = [
    Regression(
        "web listens on PORT",
        EVERY_FRAMEWORK,
        "server.py",
        '"bind": f"0.0.0.0:{self.settings.port}"',
        '"bind": "0.0.0.0:8000"',
        (WEB_SERVER_TEST,),
    ),
    Regression(
        "web runs WEB_CONCURRENCY workers",
        EVERY_FRAMEWORK,
        "server.py",
        '"workers": self.settings.web_concurrency',
        '"workers": 2',
        (WEB_SERVER_TEST,),
    ),
    Regression(
        "web runs WEB_THREADS requests at once in each worker",
        WSGI,
        "wsgi_bridge.py",
        "ThreadedApplication(application, get_settings().web_threads)",
        "ThreadedApplication(application, 4)",
        (
            "tests/test_wsgi_bridge.py::test_web_threads_is_how_many_requests_the_application_runs_at_once",
        ),
    ),
    Regression(
        "web drains for GRACEFUL_TIMEOUT",
        EVERY_FRAMEWORK,
        "server.py",
        '"graceful_timeout": self.settings.graceful_timeout',
        '"graceful_timeout": 25',
        (WEB_SERVER_TEST,),
    ),
    Regression(
        "web logs at LOG_LEVEL",
        EVERY_FRAMEWORK,
        "server.py",
        "logging_config(self.settings.log_level, self.settings.log_style)",
        'logging_config("INFO", self.settings.log_style)',
        ("tests/test_promises.py::test_the_web_server_logs_at_log_level",),
    ),
    Regression(
        "a web worker collects its garbage",
        EVERY_FRAMEWORK,
        "server.py",
        "        gc.enable()\n        return application\n",
        "        return application\n",
        ("tests/test_promises.py::test_a_web_worker_collects_garbage_once_its_application_is_in",),
    ),
    Regression(
        "telemetry loads nothing until it is turned on",
        EVERY_FRAMEWORK,
        "telemetry.py",
        "import atexit\n",
        "import atexit\n\nimport opentelemetry.trace\n",
        ("tests/test_telemetry.py",),
    ),
    Regression(
        "a worker runs WORKER_CONCURRENCY jobs at once",
        EVERY_FRAMEWORK,
        "jobs.py",
        '"worker_concurrency": settings.worker_concurrency',
        '"worker_concurrency": 2',
        ("tests/test_promises.py::test_the_worker_is_configured_by",),
    ),
    Regression(
        "release migrates",
        EVERY_FRAMEWORK,
        "cli.py",
        "    migrate(settings)\n",
        "    logger.info('nothing to do')\n",
        ("tests/test_promises.py::test_release_migrates_an_empty_database_and_can_run_again",),
    ),
    Regression(
        "a failed service is not ok",
        EVERY_FRAMEWORK,
        "checks.py",
        'states[name] = f"unavailable ({type(error).__name__})"',
        'states[name] = "ok"',
        (*READINESS_TESTS, *CHECK_TESTS),
    ),
    Regression(
        "readyz answers 503 when a service is down",
        FASTAPI,
        "app.py",
        "status_code=200 if ready else 503,",
        "status_code=200,",
        READINESS_TESTS,
    ),
    Regression(
        "readyz answers 503 when a service is down",
        FLASK,
        "app.py",
        "return body, 200 if ready else 503",
        "return body, 200",
        READINESS_TESTS,
    ),
    Regression(
        "readyz answers 503 when a service is down",
        DJANGO,
        "api/__init__.py",
        "return JsonResponse(body, status=200 if ready else 503)",
        "return JsonResponse(body, status=200)",
        READINESS_TESTS,
    ),
    Regression(
        "an unhandled error is JSON",
        FASTAPI,
        "app.py",
        'response = JSONResponse(\n                {"detail": "Internal Server Error"},',
        # Starlette's plain Response: a text body, no JSON.
        'response = JSONResponse.__base__(\n                "Internal Server Error",',
        (SERVER_ERROR_TEST,),
    ),
    Regression(
        "an unhandled error is JSON",
        FLASK,
        "app.py",
        "    @app.errorhandler(BadRequest)\n",
        "    @app.errorhandler(500)\n"
        "    def text_500(error: Exception) -> tuple[str, int]:\n"
        '        return "Internal Server Error", 500\n\n'
        "    @app.errorhandler(BadRequest)\n",
        (SERVER_ERROR_TEST,),
    ),
    Regression(
        "an unhandled error is JSON",
        DJANGO,
        "middleware.py",
        "and response.status_code >= 400",
        "and 400 <= response.status_code < 500",
        (SERVER_ERROR_TEST,),
    ),
    Regression(
        "a page holds at most 100 items",
        FASTAPI,
        "api/items.py",
        "Query(ge=1, le=100)",
        "Query(ge=1, le=1000)",
        (PAGING_TEST,),
    ),
    Regression(
        "a page holds at most 100 items",
        FLASK,
        "schemas.py",
        "limit: int = Field(default=20, ge=1, le=100)",
        "limit: int = Field(default=20, ge=1, le=1000)",
        (PAGING_TEST,),
    ),
    Regression(
        "a page holds at most 100 items",
        DJANGO,
        "items/api.py",
        "Field(ge=1, le=100)",
        "Field(ge=1, le=1000)",
        (PAGING_TEST,),
    ),
    Regression(
        "a job sent again with its idempotency key is queued once",
        FASTAPI | DJANGO,
        "api/jobs.py",
        "queue_example(job.model_dump(), idempotency_key)",
        "queue_example(job.model_dump())",
        (IDEMPOTENCY_TEST,),
    ),
    Regression(
        "a job sent again with its idempotency key is queued once",
        FLASK,
        "api/jobs.py",
        "queue_example(job.model_dump(), headers.idempotency_key)",
        "queue_example(job.model_dump())",
        (IDEMPOTENCY_TEST,),
    ),
    Regression(
        "a worker does a job with an idempotency key once",
        EVERY_FRAMEWORK,
        "jobs.py",
        "            if ours:\n",
        "            if ours or True:\n",
        (IDEMPOTENCY_TEST,),
    ),
    Regression(
        "SIGTERM wakes an idle worker",
        EVERY_FRAMEWORK,
        "jobs.py",
        'app.steps["consumer"].update({Heartbeat, WakeOnSignal})',
        'app.steps["consumer"].add(Heartbeat)',
        ("tests/test_jobs.py::test_a_signal_ends_the_poll_of_an_idle_workers_event_loop",),
    ),
    Regression(
        "a dead worker's job is back soon after BROKER_VISIBILITY_TIMEOUT",
        GIVES_BACK_AFTER_A_TIMEOUT,
        "redis_broker.py",
        '"unacked_mutex_expire": restore_interval,',
        '"unacked_mutex_expire": 300,',
        (LOST_JOB_LOCK_TEST,),
    ),
    Regression(
        "the OpenAPI document names every error an operation may answer",
        FASTAPI,
        "app.py",
        "return document_errors(openapi())",
        "return openapi()",
        (ERRORS_TEST,),
    ),
    Regression(
        "the OpenAPI document names every error an operation may answer",
        FLASK,
        "app.py",
        "return document_errors(spec) if isinstance(spec, dict) else spec",
        "return spec",
        (ERRORS_TEST,),
    ),
    Regression(
        "the OpenAPI document names every error an operation may answer",
        DJANGO,
        "api/__init__.py",
        "        document_errors(schema)\n",
        "",
        (ERRORS_TEST,),
    ),
    Regression(
        "a 405 names every method of its path in Allow",
        FASTAPI,
        "app.py",
        'route.matches({**request.scope, "method": method})[0] is Match.FULL',
        "route.matches(request.scope)[0] is Match.FULL",
        (ALLOW_TEST,),
    ),
    Regression(
        "a 405 names every method of its path in Allow",
        FLASK,
        "app.py",
        "error.status_code, error.headers",
        "error.status_code, {}",
        (ALLOW_TEST,),
    ),
    Regression(
        "a 405 names every method of its path in Allow",
        DJANGO,
        "middleware.py",
        "            response.content = body\n",
        "            response = HttpResponse(body, status=response.status_code)\n",
        (ALLOW_TEST,),
    ),
    Regression(
        "a JSON body is taken as typed",
        EVERY_FRAMEWORK,
        "schemas.py",
        'class JobIn(BaseModel, extra="forbid", strict=True):',
        'class JobIn(BaseModel, extra="forbid"):',
        ("tests/test_http.py::test_a_json_body_is_taken_as_typed",),
    ),
    Regression(
        "a whole number written with a fraction is an integer",
        EVERY_FRAMEWORK,
        "schemas.py",
        "return int(value) if isinstance(value, float) and value.is_integer() else value",
        "return value",
        ("tests/test_http.py::test_a_whole_number_written_with_a_fraction_is_an_integer",),
    ),
]


def regression_params() -> list[Any]:
    """Each regression with the variant of each framework it applies to."""
    return [
        pytest.param(
            variant,
            regression,
            id=regression.id(variant),
            marks=pytest.mark.xdist_group(variant_id(variant)),
        )
        for framework, variant in REGRESSION_VARIANTS.items()
        for regression in REGRESSIONS
        if framework in regression.frameworks
    ]


def test_every_framework_has_a_regression_variant() -> None:
    assert set(REGRESSION_VARIANTS) == EVERY_FRAMEWORK


def test_every_promise_is_broken_in_every_framework_that_makes_it() -> None:
    # Every framework makes every promise, but one about a variable only some of them read.
    read = {framework: variables_read(framework) for framework in EVERY_FRAMEWORK}
    every_variable = set().union(*read.values())
    promises = {regression.promise for regression in REGRESSIONS}
    for framework in EVERY_FRAMEWORK:
        made = {p for p in promises if every_variable & set(p.split()) <= read[framework]}
        broken = {r.promise for r in REGRESSIONS if framework in r.frameworks}
        assert broken == made, framework


@pytest.mark.parametrize(("variant", "regression"), regression_params())
def test_the_text_to_break_is_still_in_the_template(
    variant: dict[str, str], regression: Regression, rendered
) -> None:
    project = rendered(variant)
    source = project.path / "src" / project.package / regression.file

    assert source.is_file(), f"{regression.file} is gone: update the regression"
    assert source.read_text().count(regression.old) == 1, (
        f"{regression.old!r} is not in {regression.file} exactly once: update the regression"
    )


_attached: dict[str, dict[str, str]] = {}


@pytest.mark.slow
@pytest.mark.parametrize(("variant", "regression"), regression_params())
def test_the_projects_own_tests_catch(
    installed: Project,
    attached_for: Callable[[Project], dict[str, str]],
    regression: Regression,
) -> None:
    # One set of backing services per variant: each run makes and drops its own test database
    # and queue in them, and a RabbitMQ virtual host costs two rabbitmqctl runs to make.
    key = str(installed.path)
    if key not in _attached:
        _attached[key] = attached_for(installed)
    attached = _attached[key]
    source = installed.path / "src" / installed.package / regression.file
    original = source.read_text()
    assert original.count(regression.old) == 1, (
        f"{regression.old!r} is not in {regression.file} exactly once: update the regression"
    )
    source.write_text(original.replace(regression.old, regression.new))
    try:
        # Bytecode is written, so that each run compiles only the broken module, not every module
        # it imports (PYTHONDONTWRITEBYTECODE would cost 2-3 s of CPU a run).
        result = installed.run(
            *("uv", "run", "--locked", "pytest", "-q", "-x", "-p", "no:cacheprovider"),
            *regression.caught_by,
            env=attached,
        )
    finally:
        source.write_text(original)
        # The broken module's bytecode goes too: Python would take it for the restored source's
        # if both had the same size and modification second.
        for bytecode in source.parent.glob(f"__pycache__/{source.stem}.*.pyc"):
            bytecode.unlink()

    # 1: tests ran and some failed; anything else (no test collected, an import error) says
    # that the regression or the test ids are wrong, not that the regression was caught.
    assert result.returncode == 1, (
        f"the regression survived ({regression.promise}):\n"
        + result.stdout[-4000:]
        + result.stderr[-2000:]
    )
