"""The built-in rule pack for service repos (services, inference services, training jobs)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from scaffolder.standards.model import Level, RepoFiles, Rule, Violation

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Rollout", "Job", "CronJob", "JobSet"}
LONG_RUNNING = {"Deployment", "StatefulSet", "DaemonSet", "Rollout"}
# A tag that names a version (v1, 1.2.3, 2026.11) or a digest; not latest, not absent.
PINNED_IMAGE = re.compile(r"^[^@\s]+(@sha256:[0-9a-f]{64}|:(?!latest$)[\w][\w.-]*)$")


def pod_specs(obj: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    if kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    if kind == "JobSet":
        for rj in spec.get("replicatedJobs") or []:
            yield (
                (((rj.get("template") or {}).get("spec") or {}).get("template") or {}).get("spec")
                or {}
            )
        return
    template = spec.get("template") or {}
    yield template.get("spec") or {}


def workloads(
    repo: RepoFiles, kinds: set[str] = WORKLOADS
) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(file, Kind/name, pod spec) for every workload manifest."""
    for path, obj in repo.manifests:
        if obj.get("kind") in kinds:
            name = f"{obj['kind']}/{(obj.get('metadata') or {}).get('name', '?')}"
            for spec in pod_specs(obj):
                yield path, name, spec


def containers(spec: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from spec.get("initContainers") or []
    yield from spec.get("containers") or []


def _resources(repo: RepoFiles) -> Iterator[Violation]:
    for path, name, spec in workloads(repo):
        for c in containers(spec):
            res = c.get("resources") or {}
            missing = [
                f"{part}.{r}"
                for part, r in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory"))
                if r not in (res.get(part) or {})
            ]
            if missing:
                yield Violation(
                    f"{name} container {c.get('name')!r} has no " + ", ".join(missing), path
                )


def _probes(repo: RepoFiles) -> Iterator[Violation]:
    for path, name, spec in workloads(repo, LONG_RUNNING):
        for c in spec.get("containers") or []:
            missing = [p for p in ("readinessProbe", "livenessProbe") if p not in c]
            if missing:
                yield Violation(
                    f"{name} container {c.get('name')!r} has no " + " or ".join(missing), path
                )


def _security_context(repo: RepoFiles) -> Iterator[Violation]:
    for path, name, spec in workloads(repo):
        pod = spec.get("securityContext") or {}
        for c in containers(spec):
            sc = c.get("securityContext") or {}
            problems = []
            if not (sc.get("runAsNonRoot") or pod.get("runAsNonRoot")):
                problems.append("runAsNonRoot: true")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append("allowPrivilegeEscalation: false")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                problems.append("capabilities.drop: [ALL]")
            seccomp = (sc.get("seccompProfile") or pod.get("seccompProfile") or {}).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                problems.append("seccompProfile.type: RuntimeDefault")
            if problems:
                yield Violation(
                    f"{name} container {c.get('name')!r} needs " + ", ".join(problems), path
                )


Check = Callable[[RepoFiles], Iterator[Violation]]


def _present(kind: str, only_for: set[str] = LONG_RUNNING) -> Check:
    def check(repo: RepoFiles) -> Iterator[Violation]:
        has_workload = any(True for _ in workloads(repo, only_for))
        if has_workload and not any(o.get("kind") == kind for _, o in repo.manifests):
            yield Violation(f"no {kind} in the manifests")

    return check


def _ownership_labels(repo: RepoFiles) -> Iterator[Violation]:
    for path, obj in repo.manifests:
        labels = repo.labels_for(path, obj)
        missing = [k for k in ("team", "cost-center") if not labels.get(k)]
        if missing:
            name = f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name', '?')}"
            yield Violation(f"{name} has no {' or '.join(missing)} label", path)


def _pinned_images(repo: RepoFiles) -> Iterator[Violation]:
    for path, name, spec in workloads(repo):
        for c in containers(spec):
            image = repo.image_for(path, str(c.get("image", "")))
            if not PINNED_IMAGE.match(image):
                yield Violation(f"{name} uses image {image!r}: pin a version tag or digest", path)
    for path in repo.paths:
        if path.split("/")[-1].startswith("Dockerfile"):
            text = repo.text(path)
            args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", text, re.M))
            for lineno, line in enumerate(text.splitlines(), 1):
                match = re.match(r"FROM\s+(?:--\S+\s+)?(\S+)", line)
                if not match:
                    continue
                image = _expand(match.group(1), args)
                if image != "scratch" and not PINNED_IMAGE.match(image) and "$" not in image:
                    yield Violation(f"base image {image!r} is not pinned", path, lineno)


def _expand(text: str, args: Mapping[str, str]) -> str:
    """Substitute Dockerfile ARG defaults (``${PYTHON_IMAGE}``) into a FROM line."""
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), text)


def _no_secret_data(repo: RepoFiles) -> Iterator[Violation]:
    for path, obj in repo.manifests:
        if obj.get("kind") == "Secret" and (obj.get("data") or obj.get("stringData")):
            yield Violation(
                f"Secret/{(obj.get('metadata') or {}).get('name')} carries data; "
                "read it from the secret store with an ExternalSecret",
                path,
            )


def _codeowners(repo: RepoFiles) -> Iterator[Violation]:
    found = repo.exists("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")
    if not found or not repo.text(found).strip():
        yield Violation("no CODEOWNERS file")


def _catalog_owner(repo: RepoFiles) -> Iterator[Violation]:
    found = repo.exists("catalog-info.yaml", "catalog-info.yml")
    if not found:
        yield Violation("no catalog-info.yaml")
        return
    docs = [d for p, d in repo.yaml_documents if p == found and isinstance(d, dict)]
    if not any((d.get("spec") or {}).get("owner") for d in docs):
        yield Violation("catalog-info.yaml names no spec.owner", found)


TEST_COMMAND = re.compile(r"\b(pytest|make\s+test|npm\s+(run\s+)?test|go\s+test|tox|nox)\b")


def _ci_runs_tests(repo: RepoFiles) -> Iterator[Violation]:
    for _path, doc in repo.workflows():
        for job in ((doc or {}).get("jobs") or {}).values():
            for step in (job or {}).get("steps") or []:
                if TEST_COMMAND.search(str((step or {}).get("run", ""))):
                    return
    yield Violation("no GitHub Actions workflow step runs the tests", ".github/workflows")


def _doc(*names: str, what: str) -> Check:
    def check(repo: RepoFiles) -> Iterator[Violation]:
        if not any(
            p.split("/")[-1].lower().startswith(names) and p.endswith(".md") for p in repo.paths
        ):
            yield Violation(f"no {what} (docs/{names[0]}.md)")

    return check


def _dockerfile_user(repo: RepoFiles) -> Iterator[Violation]:
    for path in repo.paths:
        if not path.split("/")[-1].startswith("Dockerfile"):
            continue
        users = re.findall(r"^USER\s+(\S+)", repo.text(path), re.M)
        if not users or users[-1].split(":")[0] in ("root", "0"):
            yield Violation("the final stage runs as root: add USER with a non-root uid", path)


def R(id: str, title: str, level: Level, rationale: str, fix: str, check: Any) -> Rule:
    return Rule(id, title, level, rationale, fix, check, family="service")


RULES = [
    R(
        "SVC001",
        "Containers declare resources",
        Level.BRONZE,
        "The scheduler places pods by their requests; without a memory limit one pod can starve"
        " a node.",
        "Set resources.requests.cpu, requests.memory and limits.memory.",
        _resources,
    ),
    R(
        "SVC002",
        "Long-running containers have probes",
        Level.BRONZE,
        "Readiness keeps traffic off pods that cannot serve; liveness restarts stuck ones.",
        "Add readinessProbe and livenessProbe to every container.",
        _probes,
    ),
    R(
        "SVC003",
        "Containers run with a restricted securityContext",
        Level.SILVER,
        "Pod Security 'restricted' is the default for tenant namespaces.",
        "Set runAsNonRoot, allowPrivilegeEscalation: false, capabilities.drop [ALL] and "
        "seccompProfile RuntimeDefault.",
        _security_context,
    ),
    R(
        "SVC004",
        "A PodDisruptionBudget protects the service",
        Level.SILVER,
        "Node drains and upgrades must not take every replica down at once.",
        "Add a policy/v1 PodDisruptionBudget selecting the pods.",
        _present("PodDisruptionBudget"),
    ),
    R(
        "SVC005",
        "A HorizontalPodAutoscaler scales the service",
        Level.SILVER,
        "Capacity follows load instead of a guess made at launch.",
        "Add an autoscaling/v2 HorizontalPodAutoscaler.",
        _present("HorizontalPodAutoscaler"),
    ),
    R(
        "SVC006",
        "A NetworkPolicy restricts traffic",
        Level.SILVER,
        "Default-deny plus explicit allows limits the blast radius of a compromise.",
        "Add a NetworkPolicy for the pods.",
        _present("NetworkPolicy", LONG_RUNNING | {"Job"}),
    ),
    R(
        "SVC007",
        "Every object carries team and cost-center labels",
        Level.BRONZE,
        "Cost reports and on-call routing group by these labels.",
        "Add team and cost-center labels (kustomize `labels:` does it for every object).",
        _ownership_labels,
    ),
    R(
        "SVC008",
        "Images are pinned",
        Level.BRONZE,
        "`latest` or untagged images change under a running service and break rollbacks.",
        "Use a version tag or a digest in manifests and Dockerfile FROM lines.",
        _pinned_images,
    ),
    R(
        "SVC009",
        "No Secret with data in Git",
        Level.BRONZE,
        "Secrets in Git leak through every clone and fork.",
        "Store it in the secret manager and sync it with an ExternalSecret.",
        _no_secret_data,
    ),
    R(
        "SVC010",
        "CODEOWNERS names the owners",
        Level.BRONZE,
        "Reviews reach the owning team automatically.",
        "Add CODEOWNERS with the team.",
        _codeowners,
    ),
    R(
        "SVC011",
        "catalog-info.yaml names an owner",
        Level.BRONZE,
        "The developer portal shows who owns and operates the service.",
        "Add catalog-info.yaml with spec.owner.",
        _catalog_owner,
    ),
    R(
        "SVC012",
        "CI runs the tests",
        Level.SILVER,
        "A change is merged only after its tests ran.",
        "Add a workflow step that runs the tests (pytest, make test, ...).",
        _ci_runs_tests,
    ),
    R(
        "SVC013",
        "A runbook exists",
        Level.GOLD,
        "On-call needs the service's alerts, dashboards and fixes in one place.",
        "Add docs/runbook.md.",
        _doc("runbook", what="runbook"),
    ),
    R(
        "SVC014",
        "The container does not run as root",
        Level.SILVER,
        "A container escape as root is a node compromise.",
        "End the Dockerfile's final stage with USER <non-root uid>.",
        _dockerfile_user,
    ),
    R(
        "SVC015",
        "A rollback plan exists",
        Level.GOLD,
        "A bad release is undone in minutes when the steps are written down.",
        "Add docs/rollback.md.",
        _doc("rollback", what="rollback plan"),
    ),
]
