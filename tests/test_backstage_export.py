"""JSON Schema of questions and the Backstage Template export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from scaffolder.backstage_files import location_text, unchanged_since_export, with_header
from scaffolder.catalog import load_catalog
from scaffolder.cli import main
from scaffolder.schema import parse_when, questions_schema, value_schema
from scaffolder.template import load_template_config
from tests.helpers import build_file_tree, run_cli

ALL_NEW_REPO = ["inference-service", "service", "training-job", "cluster-baseline"]


def test_when_shapes_are_understood() -> None:
    assert parse_when("{{ gpu }}").kind == "truthy"  # type: ignore[union-attr]
    assert parse_when("{{ not gpu }}").kind == "falsy"  # type: ignore[union-attr]
    cond = parse_when("{{ gpu_mode == 'mig' }}")
    assert cond is not None and (cond.variable, cond.kind, cond.value) == (
        "gpu_mode",
        "equals",
        "mig",
    )
    assert parse_when("{{ a and b }}") is None and parse_when(True) is None


def test_demo_schema(demo_catalog: Path) -> None:
    config = load_template_config(demo_catalog / "templates/demo/1.0.0")
    schema = questions_schema(config.questions, title="Demo")
    jsonschema.Draft7Validator.check_schema(schema)
    props = schema["properties"]
    assert schema["required"] == ["name"]
    assert props["port"] == {
        "title": "Port",
        "description": "Port",
        "type": "integer",
        "default": 8080,
    }
    assert props["environments"]["type"] == "array"
    assert props["environments"]["items"]["enum"] == ["dev", "stage", "prod"]
    assert "pins" not in props and "gpu_count" not in props
    assert props["token"]["x-scaffolder-secret"] is True
    assert props["namespace"]["x-scaffolder-default"] == "{{ name }}-ns"
    branches = schema["dependencies"]["gpu"]["oneOf"]
    on = next(b for b in branches if b["properties"]["gpu"]["const"] is True)
    off = next(b for b in branches if b["properties"]["gpu"]["const"] is False)
    assert "gpu_count" in on["properties"] and "gpu_count" not in off["properties"]
    validator = jsonschema.Draft7Validator(schema)
    assert not list(validator.iter_errors({"name": "pay", "gpu": True, "gpu_count": 2}))
    assert list(validator.iter_errors({"name": "pay", "port": "80"}))


def test_questions_json_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "questions", "inference-service", "--json-schema")
    schema = json.loads(r.out)
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["x-scaffolder-golden-path"] == "inference-service"
    mig = schema["dependencies"]["gpu_mode"]["oneOf"]
    assert any("mig_profile" in b["properties"] for b in mig)


def test_export_writes_a_template_per_new_repo_golden_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    r = run_cli(
        capsys,
        "backstage",
        "export",
        tmp_path,
        "--publish-action",
        "publish:gitlab",
        "--allowed-host",
        "gitlab.example.com",
    )
    assert r.code == 0, r.err
    template = yaml.safe_load((tmp_path / "service/template.yaml").read_text())
    assert template["apiVersion"] == "scaffolder.backstage.io/v1beta3"
    assert template["kind"] == "Template" and template["metadata"]["name"] == "service"
    steps = template["spec"]["steps"]
    assert [s["action"] for s in steps] == [
        "fetch:golden-path",
        "publish:gitlab",
        "catalog:register",
    ]
    fetch = steps[0]["input"]
    assert fetch["goldenPath"] == "service"
    assert fetch["values"]["name"] == "${{ parameters.name }}"
    assert "parseEntityRef" in fetch["values"]["owner"]
    form = template["spec"]["parameters"][0]
    assert form["properties"]["owner"]["ui:field"] == "OwnerPicker"
    repo = template["spec"]["parameters"][-1]["properties"]["repoUrl"]
    assert repo["ui:options"]["allowedHosts"] == ["gitlab.example.com"]
    location = yaml.safe_load((tmp_path / "catalog-info.yaml").read_text())
    assert "./service/template.yaml" in location["spec"]["targets"]
    assert not (tmp_path / "tenant").exists(), "golden paths that add to a repo are not exported"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every built-in Template, as `scaffolder backstage export` writes it."""
    from scaffolder.cli import main

    outdir = tmp_path_factory.mktemp("export")
    assert main(["backstage", "export", str(outdir)]) == 0
    return {n: yaml.safe_load((outdir / n / "template.yaml").read_text()) for n in ALL_NEW_REPO}


def _fields(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every field a form renders: properties, array items, object members, branches."""
    for name, prop in (schema.get("properties") or {}).items():
        if set(prop) == {"const"}:
            continue  # a branch's selector, not a field
        yield f"{path}{name}", prop
        if prop.get("type") == "array":
            yield f"{path}{name}[]", prop["items"]
            yield from _fields(prop["items"], f"{path}{name}[].")
        yield from _fields(prop, f"{path}{name}.")
    for dep in (schema.get("dependencies") or {}).values():
        for branch in dep["oneOf"]:
            yield from _fields(branch, path)


def test_value_schema_follows_the_shape_of_a_default() -> None:
    assert value_schema([]) == {"type": "array", "items": {"type": "string"}}
    assert value_schema([{"name": "a", "gpu": 1}, {"name": "b"}]) == {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "name": {"title": "Name", "type": "string"},
                "gpu": {"title": "Gpu", "type": "integer"},
            },
            "required": ["name"],
        },
    }
    assert value_schema({"on": True, "ratio": 0.5})["properties"]["ratio"]["type"] == "number"


@pytest.mark.parametrize("name", ALL_NEW_REPO)
def test_every_exported_field_has_a_type(exported: dict[str, Any], name: str) -> None:
    for page in exported[name]["spec"]["parameters"]:
        jsonschema.Draft7Validator.check_schema(page)
        for field, schema in _fields(page):
            assert schema.get("type") in (
                "string",
                "integer",
                "number",
                "boolean",
                "array",
                "object",
            ), f"{name}: {field} has no type a form can render: {schema}"


def test_structured_questions_are_typed_lists(exported: dict[str, Any]) -> None:
    service = dict(_fields({"properties": {}, "dependencies": {}}))
    for page in exported["service"]["spec"]["parameters"]:
        service.update(_fields(page))
    assert service["secret_keys"]["type"] == "array"
    assert service["secret_keys[]"] == {"type": "string"}
    baseline: dict[str, Any] = {}
    for page in exported["cluster-baseline"]["spec"]["parameters"]:
        baseline.update(_fields(page))
    teams = baseline["teams[]"]
    assert teams["type"] == "object"
    assert {k: v["type"] for k, v in teams["properties"].items()} == {
        "name": "string",
        "cpu": "string",
        "memory": "string",
        "gpu": "integer",
        # Budgets and the serving reserve of the default teams (cluster-baseline 1.1.0).
        "budget": "integer",
        "gpu_hours": "integer",
        "serving_gpus": "integer",
    }
    # The form's default is the golden path's, and valid against the field's own schema.
    jsonschema.validate(baseline["teams"]["default"], baseline["teams"])


@pytest.mark.parametrize("name", ALL_NEW_REPO)
def test_no_question_is_asked_twice(exported: dict[str, Any], name: str) -> None:
    asked = []
    for page in exported[name]["spec"]["parameters"]:
        top = list(page["properties"])
        branches = {
            field
            for dep in (page.get("dependencies") or {}).values()
            for branch in dep["oneOf"]
            for field in branch["properties"]
            if set(branch["properties"][field]) != {"const"}
        }
        asked += top + sorted(branches - set(top))
    assert len(asked) == len(set(asked)), asked
    values = exported[name]["spec"]["steps"][0]["input"]["values"]
    assert set(values) <= set(asked) | {"repo_url"}


def test_the_publish_step_answers_the_repo_url_and_branch(exported: dict[str, Any]) -> None:
    template = exported["cluster-baseline"]
    fields = {f for page in template["spec"]["parameters"] for f in page["properties"]}
    assert "repo_url" not in fields and "repoUrl" in fields
    fetch, publish = template["spec"]["steps"][:2]
    assert "parseRepoUrl" in fetch["input"]["values"]["repo_url"]
    assert publish["input"]["defaultBranch"] == "${{ parameters.repo_branch }}"
    for name in ALL_NEW_REPO:
        publish = exported[name]["spec"]["steps"][1]["input"]
        assert publish["description"] == "${{ parameters.description }}"
        pages = exported[name]["spec"]["parameters"]
        assert any("description" in page["properties"] for page in pages), name


def test_pages_follow_the_golden_path_metadata(exported: dict[str, Any]) -> None:
    pages = exported["service"]["spec"]["parameters"]
    version = exported["service"]["metadata"]["annotations"]["scaffolder.dev/golden-path-version"]
    assert [p["title"] for p in pages] == [
        f"Python HTTP service (service {version})",
        "Runtime",
        "Secrets, routing and delivery",
        "Where to publish",
    ]
    assert list(pages[0]["properties"]) == ["name", "description", "owner", "cost_center", "tier"]
    # prometheus_url is asked only with a canary: it stays in the canary's branch, on its page.
    assert "canary" in pages[2]["dependencies"]


def test_pages_without_metadata_put_what_identifies_the_repo_first(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    r = run_cli(capsys, "backstage", "export", tmp_path, "--catalog", demo_catalog)
    assert r.code == 0, r.err
    pages = yaml.safe_load((tmp_path / "demo/template.yaml").read_text())["spec"]["parameters"]
    assert [p["title"] for p in pages] == ["Demo (demo 1.0.0)", "Options", "Where to publish"]
    assert list(pages[0]["properties"]) == ["name"]
    assert "port" in pages[1]["properties"]
    # gpu_count is asked only with a GPU: it stays with gpu, on gpu's page.
    assert "gpu" in pages[1]["properties"] and "gpu" in pages[1]["dependencies"]


@pytest.mark.parametrize("name", ALL_NEW_REPO)
def test_names_get_the_entity_name_picker_and_the_first_field_focus(
    exported: dict[str, Any], name: str
) -> None:
    pages = exported[name]["spec"]["parameters"]
    first_name, first = next(iter(pages[0]["properties"].items()))
    assert first.get("ui:autofocus") is True
    assert first["ui:field"] == "EntityNamePicker", first_name
    assert first_name in ("name", "cluster_name")
    focused = [f for page in pages for f, s in _fields(page) if s.get("ui:autofocus")]
    assert focused == [first_name]
    # One entity name per Template: training-job's queue_name is a Kueue queue, not it.
    pickers = [
        f for page in pages for f, s in _fields(page) if s.get("ui:field") == "EntityNamePicker"
    ]
    assert pickers == [first_name]


def test_unknown_question_in_form_pages_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], demo_catalog: Path, tmp_path: Path
) -> None:
    meta = demo_catalog / "templates/demo/golden-path.yml"
    meta.write_text(meta.read_text() + "form_pages:\n  - title: Basics\n    questions: [nmae]\n")
    r = run_cli(capsys, "backstage", "export", tmp_path / "out", "--catalog", demo_catalog)
    assert r.code == 1
    assert "form_pages names nmae" in r.err and "name" in r.err
    assert not (tmp_path / "out").exists()


def test_export_merges_into_the_location_and_keeps_edits(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    location = out / "catalog-info.yaml"
    location.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: ours\n"
        "spec:\n  targets:\n    - ./hand-made/template.yaml\n"
        "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: platform\n"
        "spec:\n  type: team\n  children: []\n"
    )
    r = run_cli(capsys, "backstage", "export", out, "--golden-path", "service")
    assert r.code == 0, r.err
    docs = list(yaml.safe_load_all(location.read_text()))
    assert docs[0]["spec"]["targets"] == [
        "./hand-made/template.yaml",
        "./service/template.yaml",
        "./service-upgrade/template.yaml",
    ]
    assert docs[1]["kind"] == "Group"

    # A subset later on adds to the Location and never drops a target.
    r = run_cli(capsys, "backstage", "export", out, "--golden-path", "training-job")
    assert r.code == 0, r.err
    targets = yaml.safe_load_all(location.read_text()).__next__()["spec"]["targets"]
    assert targets == [
        "./hand-made/template.yaml",
        "./service/template.yaml",
        "./service-upgrade/template.yaml",
        "./training-job/template.yaml",
        "./training-job-upgrade/template.yaml",
    ]

    # The same export again writes nothing.
    r = run_cli(capsys, "backstage", "export", out, "--golden-path", "service")
    assert (r.code, r.out) == (0, "")

    # An edited Template stops the export, and nothing at all is written.
    template = out / "service/template.yaml"
    edited = template.read_text().replace("kind: Template", "kind: Template  # ours")
    template.write_text(edited)
    before = location.read_text()
    r = run_cli(
        capsys,
        "backstage",
        "export",
        out,
        "--golden-path",
        "service",
        "--golden-path",
        "cluster-baseline",
    )
    assert r.code == 1
    assert f"refusing to overwrite {template}" in r.err and "--force" in r.err
    assert template.read_text() == edited and location.read_text() == before
    assert not (out / "cluster-baseline").exists()

    r = run_cli(capsys, "backstage", "export", out, "--golden-path", "service", "--force")
    assert r.code == 0, r.err
    assert r.out.splitlines() == [str(template)]
    assert unchanged_since_export(template.read_text())


def test_an_unchanged_older_export_is_replaced() -> None:
    older = with_header("kind: Template\nold: true\n")
    assert unchanged_since_export(older)
    assert not unchanged_since_export(older.replace("old: true", "old: false"))
    assert not unchanged_since_export("kind: Template\n")


def test_a_catalog_info_that_is_not_a_location_is_not_overwritten(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "catalog-info.yaml").write_text("- just\n- a list\n")
    r = run_cli(capsys, "backstage", "export", tmp_path, "--golden-path", "service")
    assert r.code == 1 and "not a Location" in r.err
    assert not (tmp_path / "service").exists()
    r = run_cli(capsys, "backstage", "export", tmp_path, "--golden-path", "service", "--force")
    assert r.code == 0, r.err
    assert yaml.safe_load((tmp_path / "catalog-info.yaml").read_text())["kind"] == "Location"


def test_location_merge_keeps_a_single_target_and_other_documents() -> None:
    existing = (
        "kind: Location\nmetadata:\n  name: org\nspec:\n  target: ./hand/template.yaml\n"
        "---\nkind: Group\nmetadata:\n  name: platform\n"
    )
    merged = location_text(existing, ["./service/template.yaml"])
    assert merged is not None
    location, group = yaml.safe_load_all(merged)
    assert location["spec"] == {"targets": ["./hand/template.yaml", "./service/template.yaml"]}
    assert group == {"kind": "Group", "metadata": {"name": "platform"}}
    # Nothing to add: the file is left exactly as it was.
    assert location_text(merged, ["./service/template.yaml"]) == merged
    # A file without a Location gets one; one that is not entities is refused.
    added = location_text("kind: Group\nmetadata:\n  name: a\n", ["./x/template.yaml"])
    assert added is not None and [d["kind"] for d in yaml.safe_load_all(added)] == [
        "Group",
        "Location",
    ]
    assert location_text("a: [\n", ["./x/template.yaml"]) is None


def test_a_golden_path_that_asks_nothing_gets_the_publish_page_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    build_file_tree(
        catalog / "templates/fixed",
        {
            "golden-path.yml": "title: Fixed\n",
            "1.0.0/copier.yml": "_subdirectory: template\nname:\n  default: x\n  when: false\n",
            "1.0.0/template/README.md": "fixed\n",
        },
    )
    r = run_cli(capsys, "backstage", "export", tmp_path / "out", "--catalog", catalog)
    assert r.code == 0, r.err
    template = yaml.safe_load((tmp_path / "out/fixed/template.yaml").read_text())
    assert [p["title"] for p in template["spec"]["parameters"]] == ["Where to publish"]
    assert template["spec"]["steps"][0]["input"]["values"] == {}


def test_each_golden_path_gets_an_upgrade_template(tmp_path: Path) -> None:
    from scaffolder.backstage_upgrade import SOURCE_LOCATION, SOURCE_URL

    assert main(["backstage", "export", str(tmp_path), "--golden-path", "service"]) == 0
    upgrade = yaml.safe_load((tmp_path / "service-upgrade/template.yaml").read_text())
    versions = [v.version for v in load_catalog([]).get("service").versions]
    form = upgrade["spec"]["parameters"][0]["properties"]
    assert form["version"]["enum"] == versions[::-1] and form["version"]["default"] == versions[-1]
    picker = form["entity"]["ui:options"]["catalogFilter"][0]
    assert picker["metadata.annotations.scaffolder.dev/golden-path"] == "service"
    assert "Template" not in picker["kind"]
    steps = {s["id"]: s for s in upgrade["spec"]["steps"]}
    assert [s["action"] for s in steps.values()] == [
        "catalog:fetch",
        "fetch:plain",
        "golden-path:upgrade",
        "publish:github:pull-request",
    ]
    assert steps["fetch"]["input"]["url"] == SOURCE_URL
    # Our action reads the request's repo from the source location (tested in backstage/).
    assert steps["upgrade"]["input"]["sourceLocation"] == "${{ " + SOURCE_LOCATION + " }}"
    assert steps["upgrade"]["input"]["forge"] == "github"
    request = steps["publish"]["input"]
    assert request["repoUrl"] == "${{ steps['upgrade'].output.repoUrl }}"
    assert request["targetBranchName"] == "${{ steps['upgrade'].output.targetBranch }}"
    assert request["targetPath"] == "${{ steps['upgrade'].output.targetPath }}"
    assert steps["publish"]["input"]["draft"] == "${{ steps['upgrade'].output.hasConflicts }}"
    assert steps["publish"]["input"]["branchName"] == (
        "golden-path/service-${{ steps['upgrade'].output.toVersion }}"
    )
    # 2.0.0 added `tier` without a default: repos made before need it, later ones have it.
    new_page = upgrade["spec"]["parameters"][1]
    assert list(new_page["properties"]) == ["tier"] and "required" not in new_page
    assert new_page["properties"]["tier"]["enum"][:2] == ["critical", "standard"]
    assert steps["upgrade"]["input"]["values"] == {"tier": "${{ parameters.tier }}"}


def test_gitlab_upgrade_templates_open_merge_requests_and_others_get_none(tmp_path: Path) -> None:
    args = ["backstage", "export", "--golden-path", "service", "--publish-action"]
    assert main([*args[:2], str(tmp_path / "gl"), *args[2:], "publish:gitlab"]) == 0
    upgrade = yaml.safe_load((tmp_path / "gl/service-upgrade/template.yaml").read_text())
    publish = upgrade["spec"]["steps"][-1]
    assert publish["action"] == "publish:gitlab:merge-request"
    assert upgrade["spec"]["steps"][-2]["input"]["forge"] == "gitlab"
    # The real action takes neither: GitLab reads a draft from the title.
    assert "draft" not in publish["input"] and "update" not in publish["input"]
    assert publish["input"]["title"].startswith(
        "${{ 'Draft: ' if steps['upgrade'].output.hasConflicts else '' }}"
    )
    assert main([*args[:2], str(tmp_path / "bb"), *args[2:], "publish:bitbucketServer"]) == 0
    assert sorted(p.name for p in (tmp_path / "bb").iterdir()) == ["catalog-info.yaml", "service"]


def test_location_merge_keeps_comments_and_layout() -> None:
    existing = (
        "# Our catalog, kept by hand\n"
        "apiVersion: backstage.io/v1alpha1\n"
        "kind: Location\n"
        "metadata:\n"
        "  name: scaffolder-golden-paths  # registered once\n"
        "spec:\n"
        "  targets:\n"
        "    - ./hand/template.yaml  # hand-made\n"
        "    # the exported ones follow\n"
        "    - ./service/template.yaml\n"
        "---\n"
        "kind: Group # ours\n"
        "metadata: {name: platform}\n"
    )
    merged = location_text(existing, ["./service/template.yaml", "./odd: name/template.yaml"])
    assert merged == existing.replace(
        "    - ./service/template.yaml\n",
        "    - ./service/template.yaml\n    - './odd: name/template.yaml'\n",
    )
    flow = "kind: Location  # flow\nspec:\n  targets: [./a.yaml]  # one\n"
    assert location_text(flow, ["./b.yaml"]) == flow.replace("[./a.yaml]", "[./a.yaml, ./b.yaml]")
    # A file without a Location keeps its text; ours follows as a new document.
    group = "# people\nkind: Group\nmetadata:\n  name: a"
    added = location_text(group, ["./x/template.yaml"])
    assert added is not None and added.startswith(group + "\n---\n")


def _ledger_catalog(root: Path) -> Path:
    """`ledger` 1.1.0 adds three questions without a default: `storage`, `bucket` asked
    only for one answer of `storage`, and `eu_contact` asked only for a recorded answer."""
    first = (
        "_subdirectory: template\nname: {type: str}\n"
        "region: {type: str, choices: [eu, us], default: eu}\n"
    )
    build_file_tree(
        root / "templates/ledger",
        {
            "golden-path.yml": "title: Ledger\n",
            "1.0.0/copier.yml": first,
            "1.0.0/template/README.md.jinja": "# {{ name }} in {{ region }}\n",
            "1.1.0/copier.yml": first
            + "storage: {type: str, choices: [s3, disk]}\n"
            + "bucket: {type: str, when: \"{{ storage == 's3' }}\"}\n"
            + "eu_contact: {type: str, when: \"{{ region == 'eu' }}\"}\n",
            "1.1.0/template/README.md.jinja": "# {{ name }} in {{ region }} on {{ storage }}\n",
        },
    )
    return root


def test_the_upgrade_form_asks_new_questions_with_when_as_optional_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    catalog = _ledger_catalog(tmp_path / "catalog")
    r = run_cli(capsys, "backstage", "export", tmp_path / "out", "--catalog", catalog)
    assert r.code == 0, r.err
    upgrade = yaml.safe_load((tmp_path / "out/ledger-upgrade/template.yaml").read_text())
    page = upgrade["spec"]["parameters"][1]
    # `bucket` tests a question of the page: shown only for that answer, as on the new-repo form.
    assert list(page["properties"]) == ["storage", "eu_contact"]
    branches = page["dependencies"]["storage"]["oneOf"]
    assert [(b["properties"]["storage"]["const"], list(b["properties"])) for b in branches] == [
        ("s3", ["storage", "bucket"]),
        ("disk", ["storage"]),
    ]
    # `eu_contact` tests a recorded answer, which the form does not know: always shown.
    assert page["properties"]["eu_contact"]["description"].endswith(
        "Needed only when: region == 'eu'."
    )
    # Optional throughout: left empty, a recorded answer stays.
    assert "required" not in page and all("required" not in b for b in branches)
    jsonschema.validate({}, page)
    jsonschema.validate({"storage": "s3"}, page)
    assert upgrade["spec"]["steps"][2]["input"]["values"] == {
        name: "${{ parameters." + name + " }}" for name in ("storage", "eu_contact", "bucket")
    }


def test_answers_the_upgrade_form_gives_to_questions_that_do_not_apply_are_ignored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """What makes the optional fields sound: the CLI takes an answer the repo does not need
    (``when`` false for its answers) without failing and without recording it."""
    catalog = _ledger_catalog(tmp_path / "catalog")
    data = tmp_path / "new.json"
    data.write_text(json.dumps({"name": "books", "region": "us"}))
    repo = tmp_path / "repo"
    args = ["--catalog", catalog, "--data-file", data]
    r = run_cli(capsys, "new", "ledger", repo, "--version", "1.0.0", "--no-git", *args)
    assert r.code == 0, r.err
    data.write_text(json.dumps({"storage": "disk", "bucket": "b", "eu_contact": "ops@eu"}))
    r = run_cli(capsys, "upgrade", repo, "--allow-no-git", "--format=json", *args)
    assert r.code == 0, r.err
    assert json.loads(r.out)["status"] == "upgraded"
    record = yaml.safe_load((repo / ".copier-answers.yml").read_text())
    assert record["storage"] == "disk"
    assert "bucket" not in record and "eu_contact" not in record
    assert (repo / "README.md").read_text() == "# books in us on disk\n"
