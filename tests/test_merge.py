"""The per-file merge: line-based with labelled markers, structure-aware for Kubernetes YAML,
and a property: local edits to lines the template does not change always survive."""

from __future__ import annotations

import textwrap

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scaffolder.upgrade.engine import merge_file
from scaffolder.upgrade.textmerge import has_markers, merge_text
from scaffolder.upgrade.yamlmerge import merge_yaml

LABELS = ("your edit", "svc 1.0.0 (base)", "template svc 2.0.0")


def y(text: str) -> bytes:
    return textwrap.dedent(text).encode()


DEPLOYMENT = y("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels:
        app: web
    spec:
      replicas: 2
      template:
        spec:
          containers:
            - name: app
              image: web:1.0
              env:
                - name: LOG_LEVEL
                  value: info
            - name: sidecar
              image: proxy:1.0
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      ports:
        - name: http
          port: 80
    """)


def test_text_conflict_markers_name_both_sides() -> None:
    result = merge_text(
        b"a\n",
        b"mine\n",
        b"theirs\n",
        ours_label=LABELS[0],
        base_label=LABELS[1],
        theirs_label=LABELS[2],
    )
    assert result.conflicts == 1
    text = result.content.decode()
    assert "<<<<<<< your edit\nmine\n" in text and ">>>>>>> template svc 2.0.0" in text
    assert has_markers(result.content)


def test_adjacent_yaml_edits_merge_by_key() -> None:
    ours = DEPLOYMENT.replace(b"replicas: 2", b"replicas: 6  # black friday")
    theirs = DEPLOYMENT.replace(
        b"    app: web\nspec:\n", b"    app: web\n    tier: web\nspec:\n  revisionHistoryLimit: 5\n"
    )
    line_based = merge_text(
        DEPLOYMENT, ours, theirs, ours_label="o", base_label="b", theirs_label="t"
    )
    assert line_based.conflicts == 1, "adjacent lines: a line-based merge cannot do it"
    merged = merge_yaml(DEPLOYMENT, ours, theirs)
    assert merged is not None
    docs = list(yaml.safe_load_all(merged))
    assert docs[0]["spec"]["replicas"] == 6
    assert docs[0]["spec"]["revisionHistoryLimit"] == 5
    assert docs[0]["metadata"]["labels"] == {"app": "web", "tier": "web"}
    assert b"# black friday" in merged
    assert docs[1]["kind"] == "Service"
    action, _, _ = merge_file("deploy.yaml", DEPLOYMENT, ours, theirs, LABELS)
    assert action == "yaml-merge"


def test_a_key_the_template_adds_lands_where_the_template_puts_it() -> None:
    base = b"name: svc\nreplicas: 2\nresources:\n  cpu: 100m\n  memory: 128Mi\n"
    ours = b"name: svc\nreplicas: 2\nresources:\n  cpu: 250m\n  memory: 128Mi\n"
    theirs = b"name: svc\nreplicas: 3\ntier: standard\nresources:\n  cpu: 100m\n  memory: 256Mi\n"
    merged = merge_yaml(base, ours, theirs)
    assert merged == (
        b"name: svc\nreplicas: 3\ntier: standard\nresources:\n  cpu: 250m\n  memory: 256Mi\n"
    )


def test_named_lists_merge_item_by_item() -> None:
    ours = DEPLOYMENT.replace(b"value: info", b"value: debug")  # env of container app
    theirs = DEPLOYMENT.replace(b"image: proxy:1.0", b"image: proxy:2.0").replace(
        b"image: web:1.0", b"image: web:1.1"
    )
    merged = yaml.safe_load_all(merge_yaml(DEPLOYMENT, ours, theirs) or b"")
    containers = next(iter(merged))["spec"]["template"]["spec"]["containers"]
    assert [c["image"] for c in containers] == ["web:1.1", "proxy:2.0"]
    assert containers[0]["env"] == [{"name": "LOG_LEVEL", "value": "debug"}]


def test_objects_added_on_both_sides_are_kept() -> None:
    extra = b"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n"
    theirs_extra = (
        b"---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n"
    )
    merged = merge_yaml(DEPLOYMENT, DEPLOYMENT + extra, DEPLOYMENT + theirs_extra)
    kinds = [d["kind"] for d in yaml.safe_load_all(merged or b"")]
    assert kinds == ["Deployment", "Service", "ConfigMap", "PodDisruptionBudget"]


def test_same_value_changed_differently_is_a_conflict() -> None:
    ours = DEPLOYMENT.replace(b"replicas: 2", b"replicas: 3")
    theirs = DEPLOYMENT.replace(b"replicas: 2", b"replicas: 4")
    assert merge_yaml(DEPLOYMENT, ours, theirs) is None
    action, content, _ = merge_file("deploy.yaml", DEPLOYMENT, ours, theirs, LABELS)
    assert action == "conflict" and content is not None and has_markers(content)


def test_merge_file_decisions() -> None:
    assert merge_file("f", b"a", b"a", b"b", LABELS)[:2] == ("update", b"b")
    assert merge_file("f", b"a", b"mine", b"a", LABELS)[:2] == ("same", b"mine")
    assert merge_file("f", b"a", None, b"b", LABELS)[:2] == ("keep-deleted", None)
    assert merge_file("f", None, None, b"new", LABELS)[:2] == ("add", b"new")
    assert merge_file("f", b"a", b"a", None, LABELS)[:2] == ("delete", None)
    action, content, note = merge_file("f", b"a", b"mine", None, LABELS)
    assert (action, content) == ("conflict", b"mine") and "changed locally" in note


LINES = st.lists(st.text(alphabet="abcdefgh ", min_size=1, max_size=12), min_size=4, max_size=30)


@settings(max_examples=150, deadline=None)
@given(base=LINES, data=st.data())
def test_local_edits_to_lines_the_template_keeps_always_survive(
    base: list[str], data: st.DataObject
) -> None:
    n = len(base)
    template_changes = set(data.draw(st.sets(st.integers(0, n - 1), max_size=n // 3)))
    local = data.draw(
        st.sets(
            st.integers(0, n - 1).filter(lambda i: i not in template_changes),
            min_size=1,
            max_size=max(1, n // 3),
        )
    )
    theirs = [f"T{i}:{line}" if i in template_changes else line for i, line in enumerate(base)]
    ours = [f"L{i}:{line}" if i in local else line for i, line in enumerate(base)]

    def encode(lines: list[str]) -> bytes:
        return "".join(f"{line}\n" for line in lines).encode()

    action, content, _ = merge_file("notes.txt", encode(base), encode(ours), encode(theirs), LABELS)
    assert content is not None
    result = content.decode().splitlines()
    for i in local:
        assert ours[i] in result, f"local edit of line {i} lost ({action})"
    if action != "conflict":
        for i in template_changes:
            assert theirs[i] in result
