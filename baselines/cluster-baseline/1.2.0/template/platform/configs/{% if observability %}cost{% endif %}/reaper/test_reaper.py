"""Tests of reaper.py against a fake API server and Prometheus (python3 -m unittest)."""

from __future__ import annotations

import unittest
from datetime import UTC, datetime
from typing import Any

import reaper

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def ns(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"scaffolder.dev/tenant": "true", **labels}}}


def pod(
    name: str,
    phase: str = "Running",
    started: str = "2026-11-29T01:00:00Z",
    owner: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "creationTimestamp": started,
        "annotations": extra.pop("annotations", {}),
    }
    if owner:
        kind, oname = owner.split("/")
        meta["ownerReferences"] = [{"kind": kind, "name": oname, "controller": True}]
    return {
        "metadata": meta,
        "status": {"phase": phase, "startTime": started},
        "spec": extra.pop("spec", {}),
    }


class Fake:
    def __init__(
        self,
        namespaces: list[dict[str, Any]],
        pods: dict[str, list[dict[str, Any]]],
        jobs: dict[str, list[dict[str, Any]]],
        idle: dict[str, list[str]],
    ) -> None:
        self.namespaces, self.pods, self.jobs, self.idle = namespaces, pods, jobs, idle
        self.labelled: list[tuple[str, dict[str, str]]] = []
        self.deleted: list[str] = []
        self.events: list[dict[str, Any]] = []
        self.queries: list[str] = []

    def get(self, path: str) -> dict[str, Any]:
        if path.startswith("/api/v1/namespaces?"):
            return {"items": self.namespaces}
        namespace = path.split("/")[-2]
        return {"items": (self.pods if path.endswith("/pods") else self.jobs).get(namespace, [])}

    def patch_labels(self, path: str, labels: dict[str, str]) -> None:
        self.labelled.append((path, labels))

    def delete(self, path: str) -> None:
        self.deleted.append(path)

    def create_event(self, namespace: str, event: dict[str, Any]) -> None:
        self.events.append(event)

    def query(self, promql: str) -> list[dict[str, Any]]:
        self.queries.append(promql)
        namespace = promql.split('exported_namespace="')[1].split('"')[0]
        return [{"metric": {"exported_pod": p}} for p in self.idle.get(namespace, [])]


def cfg(dry_run: bool = True, policy: str = "notify") -> reaper.Config:
    return reaper.Config.from_env(
        {
            "PROMETHEUS_URL": "http://prom:9090/",
            "DRY_RUN": str(dry_run).lower(),
            "DEFAULT_POLICY": policy,
        }
    )


class ReaperTest(unittest.TestCase):
    def test_dry_run_by_default_labels_but_never_deletes(self) -> None:
        fake = Fake(
            [ns("a", **{"scaffolder.dev/reaping": "delete"})],
            {"a": [pod("nb-0")]},
            {},
            {"a": ["nb-0"]},
        )
        decisions = reaper.run(fake, reaper.Config.from_env({"PROMETHEUS_URL": "http://p"}), NOW)
        self.assertEqual([d.action for d in decisions], ["would-delete"])
        self.assertEqual(fake.deleted, [])
        self.assertEqual(
            fake.labelled,
            [("/api/v1/namespaces/a/pods/nb-0", {"scaffolder.dev/reaper": "idle-gpu"})],
        )
        self.assertEqual(
            [(e["reason"], e["involvedObject"]["name"]) for e in fake.events],
            [("ReaperFlagged", "nb-0")],
        )
        self.assertTrue(fake.events[0]["message"].startswith("would delete (dry run): idle-gpu"))

    def test_delete_policy_deletes_bare_pods_and_the_job_of_job_pods(self) -> None:
        fake = Fake(
            [ns("a", **{"scaffolder.dev/reaping": "delete"})],
            {"a": [pod("nb-0"), pod("train-x", owner="Job/train")]},
            {},
            {"a": ["nb-0", "train-x"]},
        )
        reaper.run(fake, cfg(dry_run=False), NOW)
        self.assertEqual(
            fake.deleted,
            [
                "/api/v1/namespaces/a/pods/nb-0?propagationPolicy=Background",
                "/apis/batch/v1/namespaces/a/jobs/train?propagationPolicy=Background",
            ],
        )
        self.assertEqual(
            [(e["reason"], e["involvedObject"]["kind"]) for e in fake.events],
            [("Reaped", "Pod"), ("Reaped", "Job")],
        )

    def test_controller_managed_pods_are_only_reported(self) -> None:
        fake = Fake(
            [ns("a", **{"scaffolder.dev/reaping": "delete"})],
            {"a": [pod("vllm-1", owner="ReplicaSet/vllm")]},
            {},
            {"a": ["vllm-1"]},
        )
        decisions = reaper.run(fake, cfg(dry_run=False), NOW)
        self.assertEqual([d.action for d in decisions], ["report-only"])
        self.assertEqual(fake.deleted, [])

    def test_idle_hours_come_from_the_namespace_and_young_pods_are_spared(self) -> None:
        fake = Fake(
            [ns("a", **{"scaffolder.dev/gpu-idle-hours": "12"})],
            {"a": [pod("nb-0", started="2026-11-29T06:00:00Z")]},
            {},
            {"a": ["nb-0"]},
        )
        self.assertEqual(reaper.run(fake, cfg(), NOW), [])
        self.assertIn("[12h]", fake.queries[0])

    def test_off_and_opt_out_are_left_alone(self) -> None:
        spared = pod("nb-0", annotations={"scaffolder.dev/reap": "false"})
        fake = Fake(
            [ns("a", **{"scaffolder.dev/reaping": "off"}), ns("b")],
            {"a": [pod("x")], "b": [spared]},
            {},
            {"a": ["x"], "b": ["nb-0"]},
        )
        self.assertEqual(reaper.run(fake, cfg(policy="delete", dry_run=False), NOW), [])

    def test_unknown_policy_falls_back_to_notify(self) -> None:
        fake = Fake(
            [ns("a", **{"scaffolder.dev/reaping": "nuke"})],
            {"a": [pod("nb-0")]},
            {},
            {"a": ["nb-0"]},
        )
        self.assertEqual([d.action for d in reaper.run(fake, cfg(dry_run=False), NOW)], ["notify"])

    def test_stuck_pending_pods_but_not_kueue_gated_ones(self) -> None:
        stuck = pod("s", phase="Pending", started="2026-11-27T00:00:00Z")
        gated = pod(
            "g",
            phase="Pending",
            started="2026-11-27T00:00:00Z",
            spec={"schedulingGates": [{"name": "kueue.x-k8s.io/admission"}]},
        )
        fake = Fake([ns("a")], {"a": [stuck, gated]}, {}, {})
        self.assertEqual(
            [(d.reason, d.name) for d in reaper.run(fake, cfg(), NOW)], [("pending", "s")]
        )

    def test_finished_jobs_without_ttl_past_the_cluster_ttl(self) -> None:
        done = {"type": "Complete", "status": "True", "lastTransitionTime": "2026-11-27T00:00:00Z"}
        jobs: list[dict[str, Any]] = [
            {"metadata": {"name": "old"}, "spec": {}, "status": {"conditions": [done]}},
            {
                "metadata": {"name": "has-ttl"},
                "spec": {"ttlSecondsAfterFinished": 60},
                "status": {"conditions": [done]},
            },
            {"metadata": {"name": "running"}, "spec": {}, "status": {}},
        ]
        fake = Fake([ns("a")], {}, {"a": jobs}, {})
        self.assertEqual(
            [(d.reason, d.kind, d.name) for d in reaper.run(fake, cfg(), NOW)],
            [("finished", "Job", "old")],
        )


if __name__ == "__main__":
    unittest.main()
