"""Engines: the classifier's choice, copier's own engine, and copier-made repos as they are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaffolder.engines.classify import classify
from tests.copier_fixture import (
    ANSWERS_TEMPLATE,
    commit_repo,
    copier_copy,
    git,
    git_template,
    tree_of,
)
from tests.helpers import build_file_tree, run_cli

Capsys = pytest.CaptureFixture[str]

YIELD_V1 = {
    "copier.yml": "_subdirectory: t\nname: demo\n"
    "langs:\n  type: str\n  multiselect: true\n  choices: [py, go, rs]\n  default: [go, py]\n",
    "t/README.md.jinja": "hello {{ name }}\n",
    "t/{% yield l from langs %}{{ l }}{% endyield %}/main.txt.jinja": "lang {{ l }}\n",
    **{f"t/{k}": v for k, v in ANSWERS_TEMPLATE.items()},
}
YIELD_V2 = {**YIELD_V1, "t/README.md.jinja": "hello {{ name }}\nversion two\n"}


@pytest.mark.parametrize(
    ("copier_yml", "files", "reason"),
    [
        ("_tasks: [echo hi]\n", {}, "setting _tasks"),
        ("_jinja_extensions: [x.Y]\n", {}, "setting _jinja_extensions"),
        ("_external_data: {a: a.yml}\n", {}, "setting _external_data"),
        ('_templates_suffix: ""\n', {}, "_templates_suffix ''"),
        ("_envops: {block_start_string: '<%'}\n", {}, "_envops block_start_string"),
        ("x: {type: path}\n", {}, "question 'x' has type 'path'"),
        ("x: {choices: {A: {value: a, validator: '{{ no }}'}}}\n", {}, "choices with validator"),
        ("", {"f.jinja": "{% yield x from [1] %}{{ x }}{% endyield %}"}, "Jinja the native"),
        ("", {"f.jinja": "{{ _copier_conf.dst_path }}"}, "_copier_conf.dst_path"),
        ("", {"f.jinja": "{{ _copier_python }}"}, "uses _copier_python"),
    ],
)
def test_outside_the_native_subset_goes_to_copier(
    tmp_path: Path, copier_yml: str, files: dict[str, str], reason: str
) -> None:
    build_file_tree(tmp_path, {"copier.yml": copier_yml or "a: 1\n", **files})
    choice = classify(tmp_path)
    assert choice.engine == "copier"
    assert reason in choice.reason


def test_builtin_golden_paths_are_native(capsys: Capsys) -> None:
    run = run_cli(capsys, "list", "--json")
    rows = {r["name"]: r for r in json.loads(run.out)}
    assert {r["render_engine"] for r in rows.values()} == {"native"}, rows
    run = run_cli(capsys, "questions", "service", "--json")
    assert json.loads(run.out)["engine"] == "native"


def test_classification_is_cached_by_content(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"copier.yml": "a: 1\n", "f.jinja": "{{ a }}"})
    assert classify(tmp_path).engine == "native"
    (tmp_path / "f.jinja").write_text("{% yield x from [1] %}{{ x }}{% endyield %}")
    assert classify(tmp_path).engine == "copier", "an edited template is classified again"


def test_copier_engine_renders_what_copier_renders(capsys: Capsys, tmp_path: Path) -> None:
    template = git_template(tmp_path / "tpl", {"v1.0.0": YIELD_V1})
    ours = tmp_path / "ours"
    run = run_cli(capsys, "new", "--template", template, ours, "--defaults", "--no-git")
    assert run.code == 0, run.err
    theirs = copier_copy(template, tmp_path / "theirs", {})
    assert tree_of(ours) == theirs
    assert sorted(theirs) == [".copier-answers.yml", "README.md", "go/main.txt", "py/main.txt"]
    run = run_cli(capsys, "questions", "--template", template, "--json")
    assert json.loads(run.out)["engine"] == "copier"
    assert "yield" in json.loads(run.out)["engine_reason"]


def test_forcing_the_native_engine_on_copier_only_templates_fails(
    capsys: Capsys, tmp_path: Path
) -> None:
    template = git_template(tmp_path / "tpl", {"v1.0.0": YIELD_V1})
    run = run_cli(
        capsys, "new", "--template", template, tmp_path / "o", "--defaults", "--engine", "native"
    )
    assert run.code == 1
    assert "native engine cannot render" in run.err and "yield" in run.err


def test_one_engine_option_names_the_format_and_the_renderer(
    capsys: Capsys, tmp_path: Path
) -> None:
    files = {
        "copier.yml": "name: demo\n",
        "README.md.jinja": "hello {{ name }}\n",
        **ANSWERS_TEMPLATE,
    }
    template = git_template(tmp_path / "tpl", {"v1.0.0": files})
    run = run_cli(capsys, "questions", "--template", template, "--json")
    assert json.loads(run.out)["engine"] == "native", "the classifier's choice"
    run = run_cli(capsys, "questions", "--template", template, "--engine", "copier", "-o", "json")
    assert json.loads(run.out)["engine"] == "copier", run.err
    run = run_cli(capsys, "questions", "--template", template, "--engine", "copier")
    assert "Engine: copier (--engine copier)." in run.out
    repo = tmp_path / "repo"
    run = run_cli(capsys, "new", "--template", template, repo, "--defaults", "--engine", "copier")
    assert run.code == 0, run.err
    run = run_cli(capsys, "diff", repo, "--engine", "copier", "--json")
    assert run.code == 0 and json.loads(run.out)["repos"][0]["files"], run.out + run.err
    run = run_cli(capsys, "questions", "--template", template, "--engine", "cookiecutter")
    assert run.code == 1 and "is not a cookiecutter template" in run.err, run.out


def test_both_engines_agree_where_native_applies(capsys: Capsys, tmp_path: Path) -> None:
    files = {
        "copier.yml": "name: demo\n_subdirectory: t\n",
        "t/{{ name }}.txt.jinja": "{{ name }}\n",
        **{f"t/{k}": v for k, v in ANSWERS_TEMPLATE.items()},
    }
    template = git_template(tmp_path / "tpl", {"v1.0.0": files})
    for engine in ("native", "copier"):
        dest = tmp_path / engine
        run = run_cli(capsys, "new", "--template", template, dest, "--defaults", "--no-git")
        assert run.code == 0, run.err
        forced = tmp_path / f"{engine}-forced"
        args = ("--defaults", "--no-git", "--engine", engine)
        run = run_cli(capsys, "new", "--template", template, forced, *args)
        assert run.code == 0, run.err
        assert tree_of(forced) == tree_of(dest)
    assert tree_of(tmp_path / "native") == copier_copy(template, tmp_path / "ref", {})


def test_tasks_run_only_for_trusted_templates(capsys: Capsys, tmp_path: Path) -> None:
    files = {
        "copier.yml": "_tasks: ['echo made > made.txt']\nname: demo\n",
        "a.txt.jinja": "{{ name }}\n",
    }
    template = git_template(tmp_path / "tpl", {"v1.0.0": files})
    run = run_cli(capsys, "new", "--template", template, tmp_path / "o", "--defaults")
    assert run.code == 1
    assert "_tasks" in run.err and "--trust" in run.err
    assert not (tmp_path / "o").exists()
    args = ("--defaults", "--no-git", "--trust")
    run = run_cli(capsys, "new", "--template", template, tmp_path / "o", *args)
    assert run.code == 0, run.err
    assert (tmp_path / "o" / "made.txt").read_text() == "made\n"
    assert "made" not in run.out, "what tasks print stays off stdout"


def test_a_repo_made_by_copier_is_diffed_and_upgraded_as_it_is(
    capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = git_template(tmp_path / "tpl", {"v1.0.0": YIELD_V1, "v2.0.0": YIELD_V2})
    monkeypatch.chdir(tmp_path)  # copier records the path as given: relative here
    repo = tmp_path / "repo"
    copier_copy("tpl", repo, {"name": "pay"}, ref="v1.0.0")
    commit_repo(repo)
    assert "_scaffolder" not in (repo / ".copier-answers.yml").read_text()
    run = run_cli(capsys, "diff", repo)
    assert run.code == 2, run.err
    assert "README.md" in run.out and "outdated" in run.out  # the report is on stdout
    run = run_cli(capsys, "audit", repo)
    assert "unknown golden path" not in run.out + run.err
    run = run_cli(capsys, "adopt", repo)
    assert run.code == 0 and "already records tpl 1.0.0" in run.err, run.err
    run = run_cli(capsys, "upgrade", repo)
    assert run.code == 0, run.err
    # Byte for byte what copier makes at v2.0.0, answers file included (_src_path as written).
    assert tree_of(repo) == copier_copy("tpl", tmp_path / "ref", {"name": "pay"}, ref="v2.0.0")
    del template


def test_skip_if_exists_keeps_the_repos_copy_on_upgrade(capsys: Capsys, tmp_path: Path) -> None:
    v1 = {
        "copier.yml": "_skip_if_exists: ['{{ name }}.cfg']\nname: demo\n",
        "{{ name }}.cfg.jinja": "setting: 1\n",
        "other.txt": "one\n",
        **ANSWERS_TEMPLATE,
    }
    v2 = {**v1, "{{ name }}.cfg.jinja": "setting: 2\n", "other.txt": "two\n"}
    template = git_template(tmp_path / "tpl", {"v1.0.0": v1, "v2.0.0": v2})
    repo = tmp_path / "repo"
    run = run_cli(capsys, "new", "--template", f"{template}@v1.0.0", repo, "--defaults")
    assert run.code == 0, run.err
    run = run_cli(capsys, "upgrade", repo)
    assert run.code == 0, run.err
    assert (repo / "demo.cfg").read_text() == "setting: 1\n"
    assert (repo / "other.txt").read_text() == "two\n"
    # copier update does the same
    reference = tmp_path / "ref"
    copier_copy(template, reference, {}, ref="v1.0.0")
    commit_repo(reference)
    import copier

    copier.run_update(reference, defaults=True, overwrite=True, quiet=True, unsafe=True)
    assert (reference / "demo.cfg").read_text() == "setting: 1\n"
    assert tree_of(repo) == tree_of(reference)


def test_upgrade_template_points_a_record_at_a_moved_template(
    capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = git_template(tmp_path / "tpl", {"v1.0.0": YIELD_V1, "v2.0.0": YIELD_V2})
    repo = tmp_path / "repo"
    copier_copy(template, repo, {"name": "pay"}, ref="v1.0.0")
    commit_repo(repo)
    moved = template.rename(tmp_path / "moved")
    run = run_cli(capsys, "upgrade", repo)
    assert run.code == 1 and "does not exist" in run.err
    run = run_cli(capsys, "upgrade", repo, "--template", f"{moved}@v2.0.0")
    assert run.code == 0, run.err
    assert f"_src_path: {moved}\n" in (repo / ".copier-answers.yml").read_text()
    assert (repo / "README.md").read_text() == "hello pay\nversion two\n"


def test_symlinks_and_empty_folders_are_made_as_copier_makes_them(
    capsys: Capsys, tmp_path: Path
) -> None:
    template = tmp_path / "tpl"
    files = {
        "copier.yml": "_preserve_symlinks: true\nflag: false\n",
        "scripts/make.py": "print('make')\n",
        "opt/{% if flag %}x.txt{% endif %}.jinja": "x\n",
    }
    build_file_tree(template, files)
    (template / "scripts" / "make").symlink_to("make.py")
    commit_repo(template)
    git(template, "tag", "v1.0.0")
    ours = tmp_path / "ours"
    run = run_cli(capsys, "new", "--template", template, ours, "--defaults", "--no-git")
    assert run.code == 0, run.err
    assert (ours / "scripts" / "make").readlink() == Path("make.py")
    assert tree_of(ours) == copier_copy(template, tmp_path / "theirs", {})
    assert "opt/" in tree_of(ours)


def test_a_recorded_answer_the_new_version_rejects_takes_its_default_as_in_copier(
    capsys: Capsys, tmp_path: Path
) -> None:
    v1 = {"copier.yml": "kind: {type: bool, default: true}\n", "a.txt.jinja": "{{ kind }}\n"}
    v2 = {
        "copier.yml": "kind: {type: str, choices: [lib, app], default: lib}\n",
        "a.txt.jinja": "{{ kind }}\n",
    }
    files = {name: {**v, **ANSWERS_TEMPLATE} for name, v in (("v1.0.0", v1), ("v2.0.0", v2))}
    template = git_template(tmp_path / "tpl", files)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for repo in (ours, theirs):
        copier_copy(template, repo, {}, ref="v1.0.0")
        commit_repo(repo)
    run = run_cli(capsys, "upgrade", ours)
    assert run.code == 0, run.err
    import copier

    copier.run_update(theirs, defaults=True, overwrite=True, quiet=True)
    assert tree_of(ours) == tree_of(theirs)
    assert (ours / "a.txt").read_text() == "lib\n"


def test_a_named_answers_file_is_found(capsys: Capsys, tmp_path: Path) -> None:
    files = {
        "copier.yml": "_answers_file: .copier-answers.ci.yml\nname: demo\n",
        "a.txt.jinja": "{{ name }}\n",
        **ANSWERS_TEMPLATE,
    }
    template = git_template(tmp_path / "tpl", {"v1.0.0": files})
    repo = tmp_path / "repo"
    copier_copy(template, repo, {}, ref="v1.0.0")
    commit_repo(repo)
    assert (repo / ".copier-answers.ci.yml").is_file()
    run = run_cli(capsys, "diff", repo)
    assert run.code == 0, run.err
    run = run_cli(capsys, "audit", repo, "--format", "json")
    report = json.loads(run.out)["repos"][0]
    assert report["error"] is None and report["golden_path"] == "tpl", report


def test_copier_update_works_on_a_repo_scaffolder_made(capsys: Capsys, tmp_path: Path) -> None:
    template = git_template(tmp_path / "tpl", {"v1.0.0": YIELD_V1, "v2.0.0": YIELD_V2})
    repo = tmp_path / "repo"
    run = run_cli(capsys, "new", "--template", f"{template}@v1.0.0", repo, "--defaults")
    assert run.code == 0, run.err
    import copier

    copier.run_update(repo, defaults=True, overwrite=True, quiet=True)
    assert tree_of(repo) == copier_copy(template, tmp_path / "ref", {}, ref="v2.0.0")


def test_a_template_taking_files_from_a_submodule_says_so(capsys: Capsys, tmp_path: Path) -> None:
    files = {
        ".gitmodules": '[submodule "tools"]\n\tpath = vendor/tools\n\turl = https://x.invalid/t\n',
        "copier.yml": "_subdirectory: t\nname: demo\n",
        "t/ids.txt.jinja": "{% include 'vendor/tools/ids.txt' %}\n",
        **{k: v for k, v in YIELD_V1.items() if k.startswith("t/{% yield")},
    }
    template = git_template(tmp_path / "tpl", {"v1.0.0": files})
    run = run_cli(capsys, "new", "--template", template, tmp_path / "o", "--defaults")
    assert run.code == 1
    assert "TemplateNotFound: 'vendor/tools/ids.txt'" in run.err
    assert "git submodules (vendor/tools), which scaffolder does not fetch" in run.err
    assert not (tmp_path / "o").exists()


def test_a_template_in_a_bare_repository(capsys: Capsys, tmp_path: Path) -> None:
    # Templates kept on a shared disk as bare repositories (/srv/git/svc.git): the same
    # files as from a clone with a work tree, and the repo upgrades from it.
    template = git_template(tmp_path / "tpl", {"v1.0.0": YIELD_V1, "v2.0.0": YIELD_V2})
    bare = tmp_path / "svc.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(template), str(bare))
    repo = tmp_path / "repo"
    run = run_cli(capsys, "new", "--template", f"{bare}@v1.0.0", repo, "-d", "name=pay")
    assert run.code == 0, run.err
    expected = copier_copy(template, tmp_path / "ref1", {"name": "pay"}, ref="v1.0.0")
    answers = ".copier-answers.yml"
    assert {k: v for k, v in tree_of(repo).items() if k != answers} == {
        k: v for k, v in expected.items() if k != answers
    }
    assert f"_src_path: {bare}\n" in (repo / answers).read_text()
    run = run_cli(capsys, "upgrade", repo, "--to", "2.0.0")
    assert run.code == 0, run.err
    assert (repo / "README.md").read_text() == "hello pay\nversion two\n"
