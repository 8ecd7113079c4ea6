"""Every variant's deployment files: Kustomize renders them, the Kubernetes schemas accept them, and
they agree with the Procfile, .env.example, the settings, the app and the Dockerfile.

Quick checks: nothing is installed and no cluster is needed. The facts a check relies on are read
from the generated files themselves (the Procfile, .env.example, config.py, the Dockerfile), so a
name changed in one place only fails here.
"""

from __future__ import annotations

import ast
import functools
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes_validate
import kubernetes_validate.utils
import pytest
import yaml

from extensions.names import MAX_NAME_LENGTH
from extensions.variants import variant_id
from tests.conftest import Project, load_yaml, load_yaml_documents, variant_params
from tests.processes import procfile

# kubernetes-validate reads and parses its JSON schemas again on every call, 10 ms of the 12 that
# a call takes; they never change during a run.
schemas = kubernetes_validate.utils
schemas.schema_contents = functools.cache(schemas.schema_contents)
# ...and lists the versions it has schemas for, twice a call.
schemas.all_versions = functools.cache(schemas.all_versions)
# The newest schemas kubernetes-validate ships, and an older minor that clusters still run.
KUBERNETES_VERSIONS = (kubernetes_validate.latest_version(), "1.31.0")
OVERLAYS = ("staging", "production")
WORKLOADS = ("Deployment", "Job")
# Git SHAs shortened to this length are the longest tags the deployment docs suggest.
LONGEST_TAG = 12
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def tool(name: str) -> str:
    """A tool of the template's dev environment, before any other on PATH."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    assert found, f"{name} is missing: `uv sync` installs it with the dev dependencies"
    return found


def files_under(folder: Path) -> tuple[tuple[str, bytes], ...]:
    """Every file under a folder with its bytes, by relative path: all a tool there can read."""
    return tuple(
        sorted(
            (path.relative_to(folder).as_posix(), path.read_bytes())
            for path in folder.rglob("*")
            if path.is_file()
        )
    )


# A tool's success for the files it read, once per worker: the variants of one database and
# broker have the same manifests and workflows whatever their framework, and kubectl and
# actionlint answer the same for the same files. A failure runs again, to name its own files.
_successes: dict[tuple[str, tuple[tuple[str, bytes], ...]], subprocess.CompletedProcess[str]] = {}


def run_on_files(tool_name: str, folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run a tool of the dev environment on the files under a folder (its arguments name them)."""
    key = (" ".join((tool_name, *arguments)).replace(str(folder), "<folder>"), files_under(folder))
    if key in _successes:
        return _successes[key]
    result = subprocess.run(
        [tool(tool_name), *arguments], capture_output=True, text=True, check=False
    )
    if result.returncode == 0:
        _successes[key] = result
    return result


def kustomize(directory: Path) -> list[dict[str, Any]]:
    """The objects that `kubectl kustomize` renders from a directory."""
    result = run_on_files("kubectl", directory, "kustomize", str(directory))
    assert result.returncode == 0, f"kustomize {directory}:\n{result.stderr}"
    return [document for document in load_yaml_documents(result.stdout) if document]


@dataclass
class Rendering:
    """The objects of one kustomization (the base or an overlay)."""

    name: str
    objects: list[dict[str, Any]]

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """Every object of a kind."""
        return [item for item in self.objects if item["kind"] == kind]

    def one(self, kind: str) -> dict[str, Any]:
        """The only object of a kind."""
        found = self.of_kind(kind)
        assert len(found) == 1, f"{self.name}: expected one {kind}, found {len(found)}"
        return found[0]

    def by_component(self, kind: str) -> dict[str, dict[str, Any]]:
        """Objects of a kind by their app.kubernetes.io/component label (the process type)."""
        return {component(item): item for item in self.of_kind(kind)}

    def workloads(self) -> list[dict[str, Any]]:
        """The Deployments and Jobs: everything that runs a pod."""
        return [item for item in self.objects if item["kind"] in WORKLOADS]

    def config(self) -> dict[str, str]:
        """The ConfigMap's data."""
        return self.one("ConfigMap").get("data", {})


@dataclass
class Deployment:
    """A generated project and its rendered deployment manifests."""

    project: Project
    base: Rendering
    overlays: dict[str, Rendering]

    @property
    def renderings(self) -> list[Rendering]:
        """The base and every overlay."""
        return [self.base, *self.overlays.values()]

    @property
    def processes(self) -> dict[str, str]:
        """The process types of the Procfile and their commands."""
        return procfile(self.project.path)

    @property
    def long_running(self) -> set[str]:
        """The Procfile's process types that run until stopped."""
        return set(self.processes) - {"release"}

    def kustomization(self, overlay: str) -> dict[str, Any]:
        """An overlay's kustomization.yaml."""
        path = self.project.path / "deploy/kubernetes/overlays" / overlay / "kustomization.yaml"
        return load_yaml(path.read_text())

    def image_tag(self, overlay: str) -> str:
        """The image tag an overlay deploys: the release."""
        (image,) = self.kustomization(overlay)["images"]
        return str(image["newTag"])


def component(item: dict[str, Any]) -> str:
    """The app.kubernetes.io/component label of an object."""
    return item["metadata"].get("labels", {}).get("app.kubernetes.io/component", "")


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    """The pod template's spec of a Deployment or Job."""
    return workload["spec"]["template"]["spec"]


def app_container(workload: dict[str, Any]) -> dict[str, Any]:
    """The one container of a workload, the one running the service."""
    (container,) = pod_spec(workload)["containers"]
    return container


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    """Whether a matchLabels-style selector selects these labels."""
    return all(labels.get(key) == value for key, value in selector.items())


def env_example_names(project: Project) -> list[str]:
    """Every variable .env.example documents, set or commented out."""
    text = (project.path / ".env.example").read_text()
    return re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, re.MULTILINE)


def settings_fields(project: Project) -> set[str]:
    """The fields of the Settings class in config.py, as environment variable names."""
    source = (project.path / "src" / project.package / "config.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == "Settings":
            return {
                statement.target.id.upper()
                for statement in node.body
                if isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and statement.target.id != "model_config"
            }
    raise AssertionError("config.py has no Settings class")


def dockerfile_user(project: Project) -> int:
    """The numeric user id the image runs as."""
    text = (project.path / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users, "the Dockerfile sets no USER"
    user = users[-1].split(":")[0]
    assert user.isdigit(), f"USER {user} should be numeric, so Kubernetes can check runAsNonRoot"
    return int(user)


_deployments: dict[str, Deployment] = {}


def deployment_of(variant: dict[str, str], rendered, tmp_path_factory) -> Deployment:
    """A variant's manifests as Kustomize renders them, once per worker.

    The manifests are copied out of the variant's rendering first, and each overlay's secret.env is
    made from its secret.env.example there, as the README tells a person to. One kustomization
    beside them lists the base and every overlay, so that one `kubectl kustomize` (a fifth of a
    second of CPU to start) renders them all; each object goes back to the overlay of its namespace.
    """
    key = variant_id(variant)
    if key not in _deployments:
        project = rendered(variant)
        root = tmp_path_factory.mktemp(f"kubernetes-{key}") / "kubernetes"
        shutil.copytree(project.path / "deploy/kubernetes", root)
        namespaces = {}
        for overlay in OVERLAYS:
            example = root / "overlays" / overlay / "secret.env.example"
            example.with_suffix("").write_text(filled_in(example.read_text()))
            kustomization = load_yaml((example.parent / "kustomization.yaml").read_text())
            namespaces[kustomization["namespace"]] = overlay
        everything = ["base", *(f"overlays/{overlay}" for overlay in OVERLAYS)]
        (root / "kustomization.yaml").write_text(yaml.safe_dump({"resources": everything}))
        renderings = {name: Rendering(name, []) for name in ("base", *OVERLAYS)}
        for item in kustomize(root):
            overlay = namespaces.get(item["metadata"].get("namespace"), "base")
            renderings[overlay].objects.append(item)
        _deployments[key] = Deployment(project, renderings.pop("base"), renderings)
    return _deployments[key]


def filled_in(example: str) -> str:
    """A secret.env made from its example: each commented-out `# NAME=` line given a value."""
    return re.sub(r"^# ([A-Z][A-Z0-9_]*)=$", r"\1=not-a-real-secret", example, flags=re.MULTILINE)


def variants_where(applies) -> list[Any]:
    """The variants whose answers pass a check, as pytest parameters."""
    return [param for param in variant_params() if applies(param.values[0])]


@pytest.fixture(params=variant_params())
def deployment(request: pytest.FixtureRequest, rendered, tmp_path_factory) -> Deployment:
    """Every variant's deployment."""
    return deployment_of(request.param, rendered, tmp_path_factory)


@pytest.fixture(params=variants_where(lambda answers: answers["database"] == "sqlite"))
def sqlite_deployment(request: pytest.FixtureRequest, rendered, tmp_path_factory) -> Deployment:
    """The deployments of the variants that keep their data in a SQLite file."""
    return deployment_of(request.param, rendered, tmp_path_factory)


@pytest.fixture(params=variants_where(lambda answers: answers["database"] != "none"))
def released_deployment(request: pytest.FixtureRequest, rendered, tmp_path_factory) -> Deployment:
    """The deployments of the variants with a release process (migrations)."""
    return deployment_of(request.param, rendered, tmp_path_factory)


def test_every_object_matches_the_kubernetes_schemas(deployment: Deployment) -> None:
    for rendering in deployment.renderings:
        for item in rendering.objects:
            for version in KUBERNETES_VERSIONS:
                try:
                    kubernetes_validate.validate(item, version, strict=True)
                except kubernetes_validate.ValidationError as error:
                    where = f"{rendering.name}: {item['kind']} {item['metadata']['name']}"
                    pytest.fail(f"{where} is not valid Kubernetes {version}: {error.message}")


def test_names_are_valid_and_carry_the_project_and_process_type(deployment: Deployment) -> None:
    slug = deployment.project.answers["project_slug"]
    for rendering in deployment.renderings:
        for item in rendering.objects:
            name = item["metadata"]["name"]
            assert name.startswith(f"{slug}-"), f"{rendering.name}: {name} lacks the project name"
            assert len(name) <= 63 and DNS_SUBDOMAIN.match(name), f"{name}: not a valid name"
            labels = item["metadata"]["labels"]
            assert labels["app.kubernetes.io/name"] == slug
            assert all(DNS_LABEL.match(value) for value in labels.values()), labels
            if item["kind"] in {"Deployment", "Service", "HorizontalPodAutoscaler"}:
                assert name == f"{slug}-{component(item)}"


def test_the_longest_release_job_name_fits() -> None:
    # Job names end up in a pod label, whose values have at most 63 characters.
    assert MAX_NAME_LENGTH + len("-release-") + LONGEST_TAG <= 63


def test_each_long_running_process_type_runs_as_the_procfile_says(deployment: Deployment) -> None:
    for overlay in deployment.overlays.values():
        deployments = overlay.by_component("Deployment")
        assert set(deployments) == deployment.long_running, overlay.name
        images = set()
        for name, item in deployments.items():
            assert app_container(item)["command"] == shlex.split(deployment.processes[name])
            pod_labels = item["spec"]["template"]["metadata"]["labels"]
            assert selects(item["spec"]["selector"]["matchLabels"], pod_labels)
            assert pod_labels["app.kubernetes.io/component"] == name
            images.add(app_container(item)["image"])
        (image,) = images
        slug = deployment.project.answers["project_slug"]
        assert image == f"registry.example.com/{slug}:{deployment.image_tag(overlay.name)}"


def test_the_release_runs_once_per_release_as_a_job(deployment: Deployment) -> None:
    slug = deployment.project.answers["project_slug"]
    for overlay in deployment.overlays.values():
        tag = deployment.image_tag(overlay.name)
        assert overlay.config()["RELEASE"] == tag, "RELEASE should be the image tag"
        jobs = overlay.of_kind("Job")
        if "release" not in deployment.processes:
            assert not jobs, overlay.name
            continue
        (job,) = jobs
        assert job["metadata"]["name"] == f"{slug}-release-{tag}"
        assert component(job) == "release"
        assert app_container(job)["command"] == shlex.split(deployment.processes["release"])
        assert pod_spec(job)["restartPolicy"] == "Never"
        deployments = overlay.of_kind("Deployment")
        assert app_container(job)["image"] == app_container(deployments[0])["image"]


def test_singletons_run_as_one_pod_and_the_rest_autoscale(deployment: Deployment) -> None:
    sqlite = deployment.project.answers["database"] == "sqlite"
    for overlay in deployment.overlays.values():
        autoscalers = overlay.by_component("HorizontalPodAutoscaler")
        for name, item in overlay.by_component("Deployment").items():
            if name == "scheduler" or sqlite:
                assert item["spec"]["replicas"] == 1, f"{overlay.name}: {name} must be one pod"
                assert item["spec"]["strategy"]["type"] == "Recreate", name
                assert name not in autoscalers, f"{name} must not scale"
            else:
                assert "replicas" not in item["spec"], f"{name}: the autoscaler sets replicas"
                target = autoscalers[name]["spec"]["scaleTargetRef"]
                assert (target["kind"], target["name"]) == ("Deployment", item["metadata"]["name"])
        assert set(autoscalers) <= deployment.long_running
        if not sqlite:
            assert {"web", "worker"} & deployment.long_running <= set(autoscalers)


def test_web_serves_its_port_and_is_probed_on_the_health_endpoints(deployment: Deployment) -> None:
    project = deployment.project
    port = int(dict(line.split("=", 1) for line in env_lines(project))["PORT"])
    exposed = re.findall(r"^EXPOSE\s+(\d+)", (project.path / "Dockerfile").read_text(), re.M)
    assert exposed == [str(port)], "the Dockerfile should EXPOSE the PORT of .env.example"
    sources = "\n".join(path.read_text() for path in (project.path / "src").rglob("*.py"))
    for path in ("healthz", "readyz"):
        assert re.search(rf"[\"']/?{path}/?[\"']", sources), f"the app does not serve /{path}"
    for overlay in deployment.overlays.values():
        assert int(overlay.config()["PORT"]) == port
        web = overlay.by_component("Deployment")["web"]
        container = app_container(web)
        declared = {item["name"]: item["containerPort"] for item in container["ports"]}
        # Prometheus scrapes the port that METRICS_PORT names, as the pod's annotations say.
        metrics_port = int(overlay.config()["METRICS_PORT"])
        assert declared == {"http": port, "metrics": metrics_port}
        annotations = web["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(metrics_port)
        assert annotations["prometheus.io/path"] == "/metrics"
        probes = {
            kind: container[f"{kind}Probe"]["httpGet"]
            for kind in ("startup", "liveness", "readiness")
        }
        assert {kind: probe["path"] for kind, probe in probes.items()} == {
            "startup": "/healthz",
            "liveness": "/healthz",
            "readiness": "/readyz",
        }
        assert all(probe["port"] == "http" for probe in probes.values())
        # /readyz answers within 3 s even when a backing service is down.
        assert container["readinessProbe"]["timeoutSeconds"] > 3

        pod_labels = web["spec"]["template"]["metadata"]["labels"]
        service = overlay.one("Service")
        assert selects(service["spec"]["selector"], pod_labels)
        for other in overlay.workloads():
            if other is not web:
                labels = other["spec"]["template"]["metadata"]["labels"]
                assert not selects(service["spec"]["selector"], labels), "Service selects too much"
        (service_port,) = service["spec"]["ports"]
        assert service_port["targetPort"] == "http"
        budget = overlay.one("PodDisruptionBudget")
        assert selects(budget["spec"]["selector"]["matchLabels"], pod_labels)
        (rule,) = overlay.one("Ingress")["spec"]["rules"]
        backend = rule["http"]["paths"][0]["backend"]["service"]
        assert backend == {"name": service["metadata"]["name"], "port": {"name": "http"}}


def env_lines(project: Project) -> list[str]:
    """The NAME=value lines .env.example sets."""
    text = (project.path / ".env.example").read_text()
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_every_variable_reaches_the_pods_under_its_own_name(deployment: Deployment) -> None:
    project = deployment.project
    documented = env_example_names(project)
    assert sorted(documented) == sorted(settings_fields(project)), (
        ".env.example and the Settings of config.py name different variables"
    )
    secret = {variable["name"] for variable in project.context["env_vars"] if variable["secret"]}
    for overlay in deployment.overlays.values():
        config = set(overlay.config())
        secrets = set(overlay.one("Secret").get("data", {}))
        assert not config & secrets, f"{overlay.name}: in both the ConfigMap and the Secret"
        assert config | secrets == set(documented), (
            f"{overlay.name}: the pods get {sorted(config | secrets)}, "
            f".env.example documents {sorted(documented)}"
        )
        assert secrets == secret, f"{overlay.name}: secrets belong in the Secret only"
        names = {
            "ConfigMap": overlay.one("ConfigMap")["metadata"]["name"],
            "Secret": overlay.one("Secret")["metadata"]["name"],
        }
        for workload in overlay.workloads():
            container = app_container(workload)
            sources = {
                ("ConfigMap" if "configMapRef" in source else "Secret"): next(
                    iter(source.values())
                )["name"]
                for source in container["envFrom"]
            }
            assert sources == names, workload["metadata"]["name"]
            extra = {item["name"] for item in container.get("env", [])} - set(documented)
            assert not extra, f"{workload['metadata']['name']}: undocumented variables {extra}"


def test_the_secret_examples_hold_no_secret(deployment: Deployment) -> None:
    # Copied unchanged, an example gives the pods no secret at all, so the service refuses to start
    # (rather than start with an empty or well-known SECRET_KEY).
    secret = [var["name"] for var in deployment.project.context["env_vars"] if var["secret"]]
    root = deployment.project.path / "deploy/kubernetes/overlays"
    for overlay in OVERLAYS:
        lines = (root / overlay / "secret.env.example").read_text().splitlines()
        assert all(line.startswith("#") for line in lines if line), f"{overlay}: a value is set"
        assert re.findall(r"^# ([A-Z][A-Z0-9_]*)=$", "\n".join(lines), re.MULTILINE) == secret
    gitignore = (deployment.project.path / ".gitignore").read_text().splitlines()
    assert "deploy/kubernetes/overlays/*/secret.env" in gitignore


def test_pods_stop_gracefully(deployment: Deployment) -> None:
    for overlay in deployment.overlays.values():
        graceful_timeout = int(overlay.config()["GRACEFUL_TIMEOUT"])
        for name, item in overlay.by_component("Deployment").items():
            spec = pod_spec(item)
            pre_stop = app_container(item).get("lifecycle", {}).get("preStop")
            sleep = 0
            if name == "web":
                command = pre_stop["exec"]["command"]
                assert command[0] == "sleep", "the image is python-slim: sleep is there"
                sleep = int(command[1])
                assert sleep > 0
            assert spec["terminationGracePeriodSeconds"] > sleep + graceful_timeout, (
                f"{overlay.name}: {name} may be killed before it drains"
            )


def test_pods_run_unprivileged_on_a_read_only_filesystem(deployment: Deployment) -> None:
    uid = dockerfile_user(deployment.project)
    for overlay in deployment.overlays.values():
        for workload in overlay.workloads():
            name = f"{overlay.name}: {workload['metadata']['name']}"
            spec = pod_spec(workload)
            assert spec["securityContext"]["runAsNonRoot"] is True, name
            assert spec["securityContext"]["runAsUser"] == uid, name
            assert spec["automountServiceAccountToken"] is False, name
            container = app_container(workload)
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            volumes = {volume["name"]: volume for volume in spec["volumes"]}
            mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], f"{name}: /tmp should be scratch space"
            for kind in ("requests", "limits"):
                assert set(container["resources"][kind]) == {"cpu", "memory"}, name


def test_the_overlays_hold_what_differs_between_environments(deployment: Deployment) -> None:
    assert all("namespace" not in item["metadata"] for item in deployment.base.objects)
    staging, production = (deployment.overlays[name] for name in OVERLAYS)
    namespaces = [
        {item["metadata"]["namespace"] for item in r.objects} for r in (staging, production)
    ]
    assert all(len(found) == 1 for found in namespaces) and namespaces[0] != namespaces[1]

    def sizes(overlay: Rendering) -> list[Any]:
        return [app_container(item)["resources"] for item in overlay.workloads()]

    def hosts(overlay: Rendering) -> list[str]:
        return [rule["host"] for rule in overlay.one("Ingress")["spec"]["rules"]]

    def bounds(overlay: Rendering) -> list[tuple[int, int]]:
        return [
            (item["spec"]["minReplicas"], item["spec"]["maxReplicas"])
            for item in overlay.of_kind("HorizontalPodAutoscaler")
        ]

    assert sizes(staging) != sizes(production)
    assert hosts(staging) != hosts(production)
    assert bounds(staging) != bounds(production) or not bounds(staging)
    assert all(low <= high for low, high in bounds(staging) + bounds(production))
    for overlay in (staging, production):
        allowed_hosts = overlay.config().get("ALLOWED_HOSTS")
        if allowed_hosts is not None:
            assert set(hosts(overlay)) <= set(allowed_hosts.split(",")), overlay.name


def test_sqlite_lives_on_one_volume_that_every_pod_shares(sqlite_deployment: Deployment) -> None:
    for overlay in sqlite_deployment.overlays.values():
        claim = overlay.one("PersistentVolumeClaim")
        assert overlay.config()["DATABASE_URL"].startswith("sqlite:////data/")
        for workload in overlay.workloads():
            spec = pod_spec(workload)
            volumes = {volume["name"]: volume for volume in spec["volumes"]}
            mounts = {
                mount["mountPath"]: mount["name"]
                for mount in app_container(workload)["volumeMounts"]
            }
            volume = volumes[mounts["/data"]]
            assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
            # A ReadWriteOnce volume is mounted by one node: every pod goes there.
            (term,) = spec["affinity"]["podAffinity"][
                "requiredDuringSchedulingIgnoredDuringExecution"
            ]
            assert term["topologyKey"] == "kubernetes.io/hostname"
            assert selects(
                term["labelSelector"]["matchLabels"],
                workload["spec"]["template"]["metadata"]["labels"],
            )


def parse_selector(text: str) -> list[tuple[str, str, set[str]]]:
    """A kubectl label selector as (key, operator, values).

    It reads `a=b`, `a!=b`, `a in (b,c)` and `a notin (b)`, joined by commas.
    """
    requirements = []
    for part in re.findall(r"[^,(]+(?:\([^)]*\))?", text):
        part = part.strip()
        if match := re.fullmatch(r"([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)", part):
            key, operator, values = match.groups()
            requirements.append((key, operator, {value.strip() for value in values.split(",")}))
        elif match := re.fullmatch(r"([\w./-]+)\s*(!=|==|=)\s*([\w./-]*)", part):
            key, operator, value = match.groups()
            requirements.append((key, "notin" if operator == "!=" else "in", {value}))
        else:
            raise AssertionError(f"cannot read the selector part {part!r}")
    return requirements


def test_parse_selector() -> None:
    assert parse_selector("a in (b, c),d=e,f!=g") == [
        ("a", "in", {"b", "c"}),
        ("d", "in", {"e"}),
        ("f", "notin", {"g"}),
    ]


def matches_selector(requirements: list[tuple[str, str, set[str]]], labels: dict[str, str]) -> bool:
    """Whether an object's labels satisfy every requirement of a selector."""
    return all(
        (labels.get(key) in values) == (operator == "in") for key, operator, values in requirements
    )


def test_the_documented_first_step_applies_what_the_release_job_needs(
    released_deployment: Deployment,
) -> None:
    readme = (released_deployment.project.path / "deploy/kubernetes/README.md").read_text()
    commands = re.findall(r"^kubectl apply -k \$overlay(?: -l '([^']*)')?$", readme, re.MULTILINE)
    assert len(commands) == 2 and commands[0] and not commands[1], (
        "the README should apply a selection first, then everything"
    )
    requirements = parse_selector(commands[0])
    for overlay in released_deployment.overlays.values():
        chosen = [
            item
            for item in overlay.objects
            if matches_selector(requirements, item["metadata"].get("labels", {}))
        ]
        (job,) = overlay.of_kind("Job")
        assert job in chosen and not [item for item in chosen if item["kind"] == "Deployment"]
        names = {(item["kind"], item["metadata"]["name"]) for item in chosen}
        spec = pod_spec(job)
        needed = {
            ("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"])
            for volume in spec["volumes"]
            if "persistentVolumeClaim" in volume
        }
        for source in app_container(job)["envFrom"]:
            kind = "ConfigMap" if "configMapRef" in source else "Secret"
            needed.add((kind, next(iter(source.values()))["name"]))
        assert needed <= names, f"{overlay.name}: the first step misses {needed - names}"


def test_the_workflows_pass_actionlint(deployment: Deployment) -> None:
    workflows = sorted((deployment.project.path / ".github/workflows").glob("*.yml"))
    assert {path.name for path in workflows} >= {"ci.yml", "template-update.yml"}
    assert_actionlint_passes(workflows)


def assert_actionlint_passes(workflows: list[Path]) -> None:
    """actionlint, with shellcheck on every `run:` script, finds nothing in these workflows (of
    one .github folder, whose configuration and local actions actionlint reads too)."""
    github = workflows[0].parent.parent
    shellcheck = f"-shellcheck={tool('shellcheck')}"
    result = run_on_files("actionlint", github, shellcheck, *map(str, workflows))
    assert result.returncode == 0, result.stdout + result.stderr


def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Whether a .dockerignore keeps a path out of the build context (Docker's rules: the last
    matching pattern wins, `!` lets a path back in, a pattern that matches a folder matches its
    contents, `**` spans any number of folders)."""
    parts = path.split("/")
    excluded = False
    for line in patterns:
        negated = line.startswith("!")
        pattern = line.removeprefix("!").strip().strip("/")
        expression = re.compile(glob_to_regex(pattern))
        if any(expression.fullmatch("/".join(parts[:end])) for end in range(1, len(parts) + 1)):
            excluded = not negated
    return excluded


def glob_to_regex(pattern: str) -> str:
    """A .dockerignore pattern as a regular expression over slash-separated paths."""
    expression, index = "", 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            expression, index = expression + "(?:.*/)?", index + 3
        elif pattern.startswith("**", index):
            expression, index = expression + ".*", index + 2
        elif pattern[index] == "*":
            expression, index = expression + "[^/]*", index + 1
        elif pattern[index] == "?":
            expression, index = expression + "[^/]", index + 1
        elif pattern[index] == "[":
            end = pattern.index("]", index)
            expression, index = expression + pattern[index : end + 1], end + 1
        else:
            expression, index = expression + re.escape(pattern[index]), index + 1
    return expression


def test_dockerignore_rules() -> None:
    patterns = ["*", "!src/", "**/__pycache__/", "**/*.py[cod]"]
    assert dockerignore_excludes(patterns, ".env")
    assert not dockerignore_excludes(patterns, "src/pkg/app.py")
    assert dockerignore_excludes(patterns, "src/pkg/__pycache__/app.cpython-313.pyc")
    assert dockerignore_excludes(patterns, "src/pkg/app.pyc")
    assert dockerignore_excludes(["deploy/"], "deploy/kubernetes/overlays/staging/secret.env")


def test_the_image_is_built_from_the_lock_with_no_secret_in_its_context(
    deployment: Deployment,
) -> None:
    project = deployment.project
    dockerfile = (project.path / "Dockerfile").read_text().replace("\\\n", " ")
    patterns = [
        line.strip()
        for line in (project.path / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    copied = [
        source
        for arguments in re.findall(r"^COPY\s+(?!--from)(.+)$", dockerfile, re.MULTILINE)
        for source in arguments.split()[:-1]
        if not source.startswith("--")
    ]
    assert "uv.lock" in copied
    for source in copied:
        assert not dockerignore_excludes(patterns, source.rstrip("/")), f"COPY {source} is ignored"
    kept_out = [".env", ".env.production", ".git/config", ".venv/bin/python", "tests/test_x.py"]
    kept_out += [f"deploy/kubernetes/overlays/{overlay}/secret.env" for overlay in OVERLAYS]
    kept_out += [f"src/{project.package}/__pycache__/config.cpython-313.pyc", "app.db"]
    for path in kept_out:
        assert dockerignore_excludes(patterns, path), f"{path} would be sent to the image build"
    syncs = re.findall(r"\buv sync\b[^\n&]*", dockerfile)
    assert syncs and all("--locked" in sync for sync in syncs), syncs
    assert "pip install" not in dockerfile
    assert dockerfile.index("uv.lock") < dockerfile.index("uv sync")
