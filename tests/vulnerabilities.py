"""Known vulnerabilities of locked packages, for when pip-audit cannot ask PyPI about each release.

pip-audit (what the generated CI runs) asks PyPI's JSON API about every release it audits
(`/pypi/<name>/<version>/json`). Where only the project pages are served (`/pypi/<name>/json`, as on
this template's CI machine), each page still lists the known vulnerabilities of the project's newest
release: a lock refreshed from PyPI pins most packages at their newest release, and those are
checked; the others are reported as not audited here.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx

PYPI = "https://pypi.org/pypi"
PINNED = re.compile(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", re.MULTILINE)
# Known vulnerabilities of locked packages that are accepted, each with the reason: ID -> why.
ACCEPTED: dict[str, str] = {}
# One client for every look-up (a connection is reused rather than set up per page). A failed
# connection, a name look-up too, is tried again with a growing pause (up to 7.5 s in all): the
# machine's resolver fails now and then for a moment.
PYPI_CLIENT = httpx.Client(
    transport=httpx.HTTPTransport(retries=5), timeout=20, follow_redirects=True
)


@dataclass
class Findings:
    """What a look-up of the project pages found for a set of pinned packages."""

    vulnerable: dict[str, list[str]] = field(default_factory=dict)
    not_audited: list[str] = field(default_factory=list)


def release_pages_served() -> bool:
    """Tell whether PyPI answers about a single release, which pip-audit needs."""
    return PYPI_CLIENT.get(f"{PYPI}/pip/24.0/json").status_code == 200


def unaccepted(vulnerabilities: list[dict[str, Any]]) -> tuple[str, ...]:
    """The ids of the vulnerabilities on a PyPI page that ACCEPTED does not list by id or alias."""
    return tuple(
        vulnerability["id"]
        for vulnerability in vulnerabilities
        if vulnerability["id"] not in ACCEPTED
        and not ACCEPTED.keys() & set(vulnerability.get("aliases", []))
    )


@cache
def newest_release(name: str) -> tuple[str, tuple[str, ...]]:
    """The newest release of a project and the ids of its known vulnerabilities."""
    response = PYPI_CLIENT.get(f"{PYPI}/{name}/json")
    response.raise_for_status()
    page = response.json()
    ids = unaccepted(page.get("vulnerabilities", []))
    return page["info"]["version"], ids


@cache
def release_vulnerabilities(name: str, version: str) -> tuple[str, ...]:
    """The ids of the known vulnerabilities of one release, from its own page."""
    response = PYPI_CLIENT.get(f"{PYPI}/{name}/{version}/json")
    response.raise_for_status()
    return unaccepted(response.json().get("vulnerabilities", []))


def audit_releases(pinned: list[tuple[str, str]]) -> Findings:
    """Check each (name, version) against its release's page, as pip-audit does."""
    findings = Findings()
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(release_vulnerabilities, *zip(*pinned, strict=True)))
    for (name, version), ids in zip(pinned, found, strict=True):
        if ids:
            findings.vulnerable[f"{name}=={version}"] = list(ids)
    return findings


def audit_requirements(requirements: str) -> Findings:
    """Check each `name==version` of a requirements file against its project's page."""
    return audit_newest_releases(PINNED.findall(requirements))


def audit_newest_releases(pinned: list[tuple[str, str]]) -> Findings:
    """Check each (name, version) that is its project's newest release against the project's
    page; the others are reported as not audited."""
    findings = Findings()
    with ThreadPoolExecutor(max_workers=8) as pool:
        releases = list(pool.map(newest_release, [name for name, _ in pinned]))
    for (name, version), (newest, ids) in zip(pinned, releases, strict=True):
        if newest != version:
            findings.not_audited.append(f"{name}=={version} (newest {newest})")
        elif ids:
            findings.vulnerable[f"{name}=={version}"] = list(ids)
    return findings
