"""Contract rule about GPU pools: training and serving reach the GPUs meant for them.

cluster-baseline 1.2.0 runs serving and training on separate GPU node pools (issue 20): each
Kueue ResourceFlavor of a pool is labelled ``scaffolder.dev/gpu-use`` (``serving`` or
``training``), and a team's queues count GPUs on one of them (``<team>-queue`` on the training
flavor, ``serving-queue`` on the serving one). Kueue places a workload on the flavors its
ClusterQueue lists for the resources it requests, so a training job whose queue lists no
training flavor is never admitted onto training nodes (or takes serving GPUs), and a serving
pod queued on the training flavor is consolidated and preempted like training. What a
workload is for comes from its golden path's ``needs.gpu_use``, else from its kind (Jobs and
JobSets train, everything else serves). Platforms whose flavors carry no such label (before
1.2.0) do not split their pools, and the rule says nothing there. Registered into
:data:`scaffolder.validate.contract_rules.RULES`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from scaffolder.validate.contract import Obj, Pair
from scaffolder.validate.contract_pods import QUEUE_LABEL, pod_templates, queued, requested
from scaffolder.validate.contract_rules import finding, rule
from scaffolder.validate.findings import Finding

USE_LABEL = "scaffolder.dev/gpu-use"
TRAINING_KINDS = ("Job", "JobSet")


def gpu_use(pair: Pair, o: Obj) -> str:
    """``training`` or ``serving``: what the workload's GPUs are for."""
    declared = str(pair.needs.get("gpu_use") or "")
    if declared in ("training", "serving"):
        return declared
    return "training" if o.kind in TRAINING_KINDS else "serving"


def reached_flavors(cluster_queue: Obj, resources: set[str]) -> list[str]:
    """Flavors, in the queue's order, on which it counts any of ``resources``."""
    out: list[str] = []
    for group in cluster_queue.spec().get("resourceGroups") or []:
        covered = {str(r) for r in group.get("coveredResources") or []}
        if covered & resources:
            out += [str(f.get("name")) for f in group.get("flavors") or [] if f.get("name")]
    return out


@rule("gpu-pool")
def gpu_pool(pair: Pair) -> Iterator[Finding]:
    """A queued GPU workload's ClusterQueue reaches a flavor of its use, and training no
    serving flavor."""
    uses: Mapping[str, str] = {
        o.name: o.labels[USE_LABEL]
        for o in pair.of_kind("ResourceFlavor", platform=True)
        if USE_LABEL in o.labels
    }
    if not uses:
        return
    queues = {(o.namespace, o.name): o for o in pair.of_kind("LocalQueue", platform=True)}
    cluster_queues = {o.name: o for o in pair.of_kind("ClusterQueue", platform=True)}
    for o in pair.service:
        found = queued(o)
        gpus = {
            r for _m, pod in pod_templates(o) for r in requested(pod) if r.startswith("nvidia.com/")
        }
        if found is None or not gpus or not found[0].get(QUEUE_LABEL):
            continue
        queue = str(found[0][QUEUE_LABEL])
        local = queues.get((o.namespace, queue))
        cq = cluster_queues.get(str(local.spec().get("clusterQueue"))) if local else None
        if cq is None:
            continue  # the kueue rule reports a missing LocalQueue or ClusterQueue
        want = gpu_use(pair, o)
        flavors = reached_flavors(cq, gpus)
        if not flavors:
            continue  # the kueue rule reports a queue that does not cover the GPUs
        reached = {f: uses.get(f, "unlabelled") for f in flavors}
        listed = ", ".join(f"{f} ({u})" for f, u in reached.items()) or "none"
        right = sorted(f for f, u in uses.items() if u == want)
        if want not in reached.values():
            yield finding(
                o,
                f"its {want} pods queue on {queue}, whose ClusterQueue {cq.name} counts GPUs"
                f" only on {listed}: Kueue never admits them onto a {want} flavor"
                f" ({', '.join(right) or 'none on the cluster'}); use the team's"
                f" {'<team>-queue' if want == 'training' else 'serving-queue'}",
                cq.where(),
                f"metadata.labels.{QUEUE_LABEL}",
            )
        elif want == "training" and "serving" in reached.values():
            yield finding(
                o,
                f"its training pods queue on {queue}, whose ClusterQueue {cq.name} also counts"
                f" GPUs on serving flavors ({listed}): Kueue may admit training onto GPUs"
                f" reserved for serving",
                cq.where(),
                f"metadata.labels.{QUEUE_LABEL}",
            )
