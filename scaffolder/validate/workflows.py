"""GitHub Actions workflows validated against the schema check-jsonschema vendors."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError


@functools.cache
def workflow_validator() -> jsonschema.Draft7Validator:
    schema_file = (
        resources.files("check_jsonschema") / "builtin_schemas/vendor/github-workflows.json"
    )
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def workflow_errors(doc: Any) -> list[ValidationError]:
    return sorted(workflow_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
