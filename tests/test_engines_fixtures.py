"""One fixture template per copier setting: `scaffolder new` + `upgrade` against `copier copy` +
`copier update`, byte for byte (answers file included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.copier_fixture import ANSWERS_TEMPLATE, commit_repo, copier_copy, git_template, tree_of
from tests.helpers import run_cli

Capsys = pytest.CaptureFixture[str]
ANSWERS = ANSWERS_TEMPLATE["{{ _copier_conf.answers_file }}.jinja"]


def _pair(
    config: str, v1: dict[str, str], v2: dict[str, str], *, answers: str = ".jinja"
) -> tuple[dict[str, str], dict[str, str]]:
    """Two versions of a template: copier.yml, the answers-file template and the files."""
    record = {f"{{{{ _copier_conf.answers_file }}}}{answers}": ANSWERS}
    first = {"copier.yml": config, **record, **v1}
    return first, {**first, **v2}


ORPHAN = "{% if ci == 'GitHub' %}test.yml{% endif %}.jinja"  # v2 no longer asks `ci`
YIELDS = {"{% yield s from [1] %}s{{ s }}{% endyield %}.txt": "s\n"}  # copier's engine
FEATURES = {
    # copier update renders with every recorded answer, asked or not (its "last answers")
    **{
        f"answer_no_longer_asked_{engine}": _pair(
            "ci: {type: str, default: GitHub}\nname: demo\n",
            {ORPHAN: "ci {{ ci }}\n", **extra},
            {"copier.yml": "name: demo\n", ORPHAN: "ci 2 {{ ci }}\n"},
        )
        for engine, extra in (("native", {}), ("copier", YIELDS))
    },
    "subdirectory": _pair(
        "_subdirectory: t\nname: demo\n",
        {"t/a.txt.jinja": "{{ name }} 1\n", "t/{{ _copier_conf.answers_file }}.jinja": ANSWERS},
        {"t/a.txt.jinja": "{{ name }} 2\n"},
    ),
    "templates_suffix": _pair(
        "_templates_suffix: .tmpl\nname: demo\n",
        {"a.txt.tmpl": "{{ name }} 1\n", "b.jinja": "{{ kept }}\n"},
        {"a.txt.tmpl": "{{ name }} 2\n"},
        answers=".tmpl",
    ),
    "exclude": _pair(
        "_exclude: ['{% if not flag %}opt.txt{% endif %}', 'copier.yml']\nflag: false\n",
        {"opt.txt": "opt\n", "keep.txt": "1\n"},
        {"keep.txt": "2\n"},
    ),
    "skip_if_exists": _pair(
        "_skip_if_exists: [local.cfg]\nname: demo\n",
        {"local.cfg.jinja": "v1 {{ name }}\n"},
        {"local.cfg.jinja": "v2 {{ name }}\n"},
    ),
    "answers_file": _pair(
        "_answers_file: .config/answers.yml\nname: demo\n",
        {"a.txt.jinja": "{{ name }}\n"},
        {"a.txt.jinja": "{{ name }}!\n"},
    ),
    "secret_questions": _pair(
        "_secret_questions: [token]\ntoken: {type: str, default: s3cret}\nname: demo\n",
        {"a.txt.jinja": "{{ token | length }}\n"},
        {"a.txt.jinja": "{{ token | length }} chars\n"},
    ),
    "envops": (
        envops := {
            "copier.yml": "_envops: {variable_start_string: '[[', variable_end_string: ']]'}\n"
            "name: demo\n",
            "[[ _copier_conf.answers_file ]].jinja": "[[ _copier_answers|to_nice_yaml ]]",
            "a.txt.jinja": "[[ name ]] {{ raw }}\n",
        },
        {**envops, "a.txt.jinja": "[[ name ]] two\n"},
    ),
    "when_and_computed": _pair(
        "flag: {type: bool, default: true}\nextra: {type: str, default: x, when: '{{ flag }}'}\n"
        "derived: {type: str, default: '{{ extra }}-d', when: false}\n",
        {"a.txt.jinja": "{{ extra }} {{ derived }}\n"},
        {"a.txt.jinja": "{{ extra }} {{ derived }} 2\n"},
    ),
    "min_copier_version_and_messages": _pair(
        "_min_copier_version: '9.0.0'\n_message_after_copy: done\n"
        "_message_after_update: updated\nname: demo\n",
        {"a.txt.jinja": "{{ name }}\n"},
        {"a.txt.jinja": "{{ name }} 2\n"},
    ),
    "yield (copier engine)": _pair(
        "items: {type: yaml, default: [a, b]}\n",
        {"{% yield i from items %}{{ i }}{% endyield %}.txt.jinja": "{{ i }}\n"},
        {"{% yield i from items %}{{ i }}{% endyield %}.txt.jinja": "{{ i }} 2\n"},
    ),
    "tasks (copier engine, trusted)": _pair(
        "_tasks: ['echo made > made.txt']\nname: demo\n",
        {"a.txt.jinja": "{{ name }}\n"},
        {"a.txt.jinja": "{{ name }} 2\n"},
    ),
}


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_new_and_upgrade_match_copy_and_update(
    capsys: Capsys, tmp_path: Path, feature: str
) -> None:
    v1, v2 = FEATURES[feature]
    template = git_template(tmp_path / "tpl", {"v1.0.0": v1, "v2.0.0": v2})
    ours, theirs = tmp_path / "ours" / "proj", tmp_path / "theirs" / "proj"
    args = ("--defaults", "--trust")
    run = run_cli(capsys, "new", "--template", f"{template}@v1.0.0", ours, *args)
    assert run.code == 0, run.err
    copier_copy(template, theirs, {}, ref="v1.0.0")
    assert tree_of(ours) == tree_of(theirs), "new"
    record = ".config/answers.yml" if feature == "answers_file" else ".copier-answers.yml"
    run = run_cli(capsys, "upgrade", ours, "--trust", "--commit", "--answers-file", record)
    assert run.code == 0, run.err
    import copier

    commit_repo(theirs)
    copier.run_update(
        theirs, answers_file=record, defaults=True, overwrite=True, quiet=True, unsafe=True
    )
    assert tree_of(ours) == tree_of(theirs), "upgrade"
