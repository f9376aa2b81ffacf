"""The metrics each exporter of the cluster baseline produces, for checking the PromQL of the
generated rules and dashboards: a query naming anything else would never match a series.

Only the metrics the baseline's rules, dashboards and reaper use are listed; each list
cites where the exporter documents them.
"""

from __future__ import annotations

from types import MappingProxyType

# exporter -> (source, metric names)
EXPORTERS = MappingProxyType(
    {
        # https://www.opencost.io/docs/integrations/metrics ("Generated Metrics")
        "opencost": (
            "https://www.opencost.io/docs/integrations/metrics",
            frozenset(
                {
                    "node_cpu_hourly_cost",
                    "node_ram_hourly_cost",
                    "node_gpu_hourly_cost",
                    "node_total_hourly_cost",
                    "pv_hourly_cost",
                    "container_cpu_allocation",
                    "container_memory_allocation_bytes",
                    "container_gpu_allocation",
                    "pod_pvc_allocation",
                }
            ),
        ),
        # kube-state-metrics: docs/metrics/cluster/namespace-metrics.md,
        # policy/resourcequota-metrics.md and workload/pod-metrics.md
        "kube-state-metrics": (
            "https://github.com/kubernetes/kube-state-metrics/tree/main/docs/metrics",
            frozenset({"kube_namespace_labels", "kube_pod_labels", "kube_resourcequota"}),
        ),
        # dcgm-exporter's default counters (etc/default-counters.csv)
        "dcgm-exporter": (
            "https://github.com/NVIDIA/dcgm-exporter/blob/main/etc/default-counters.csv",
            frozenset({"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_XID_ERRORS"}),
        ),
        # Prometheus adds `up` to every scrape target.
        "prometheus": (
            "https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series",
            frozenset({"up"}),
        ),
    }
)


def exported() -> frozenset[str]:
    """Every metric name some exporter of the baseline produces."""
    return frozenset().union(*(names for _, names in EXPORTERS.values()))
