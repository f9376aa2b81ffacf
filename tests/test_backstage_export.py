"""JSON Schema of questions and the Backstage Template export."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from scaffolder.schema import parse_when, questions_schema
from scaffolder.template import load_template_config
from tests.helpers import run_cli


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
    repo = template["spec"]["parameters"][1]["properties"]["repoUrl"]
    assert repo["ui:options"]["allowedHosts"] == ["gitlab.example.com"]
    location = yaml.safe_load((tmp_path / "catalog-info.yaml").read_text())
    assert "./service/template.yaml" in location["spec"]["targets"]
    assert not (tmp_path / "tenant").exists(), "golden paths that add to a repo are not exported"
