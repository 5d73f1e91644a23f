"""`leakstop init` on real repositories: what it writes, what it keeps, that a second run
changes nothing, and that it refuses (changing nothing) what it cannot edit safely."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from leakstop import __version__
from leakstop.plugin.detectors import DETECTORS
from leakstop.plugin.filters import STOCK_REPLACEMENTS
from leakstop.plugin.wiring import PLUGIN_FILE, PLUGIN_FILE_TEXT, PLUGIN_PATH
from tests.testing import PROJECT, Repo, RunCli, assert_no_leak, new_key

BASELINE = ".secrets.baseline"
CONFIG = ".pre-commit-config.yaml"
OUR_NAMES = {cls.__name__ for cls in DETECTORS}


def snapshot(repo: Repo) -> dict[str, bytes]:
    return {
        p.relative_to(repo.path).as_posix(): p.read_bytes()
        for p in repo.path.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(repo.path).parts
    }


def baseline(repo: Repo) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((repo.path / BASELINE).read_text(encoding="utf-8"))
    return data


def filter_paths(data: dict[str, Any]) -> set[str]:
    return {f["path"] for f in data["filters_used"]}


def test_outside_a_repository_is_a_one_line_error(tmp_path: Path, run_cli: RunCli) -> None:
    outcome = run_cli(["init"], tmp_path)
    assert outcome.code == 2
    assert outcome.err.count("\n") == 1
    assert "not inside" in outcome.err
    assert list(tmp_path.iterdir()) == []


def test_fresh_repository_gets_plugin_baseline_and_hook(repo: Repo, run_cli: RunCli) -> None:
    outcome = run_cli(["init"], repo.path)
    assert outcome.code == 0, outcome.err
    for name in (PLUGIN_FILE, BASELINE, CONFIG):
        assert f"created    {name}" in outcome.out
    assert (repo.path / PLUGIN_FILE).read_text(encoding="utf-8") == PLUGIN_FILE_TEXT

    data = baseline(repo)
    assert data["results"] == {}
    plugins = {p["name"]: p for p in data["plugins_used"]}
    assert {"AWSKeyDetector", "KeywordDetector"} <= set(plugins)
    assert all(plugins[name]["path"] == PLUGIN_PATH for name in OUR_NAMES)
    paths = filter_paths(data)
    assert set(STOCK_REPLACEMENTS.values()) <= paths
    assert not set(STOCK_REPLACEMENTS) & paths
    assert "detect_secrets.filters.heuristic.is_templated_secret" in paths

    config = yaml.safe_load((repo.path / CONFIG).read_text(encoding="utf-8"))
    assert config["default_install_hook_types"] == ["pre-commit", "pre-push"]
    [local] = config["repos"]
    assert local["repo"] == "local"
    hooks = {hook["id"]: hook for hook in local["hooks"]}
    assert hooks["leakstop"]["entry"] == "leakstop scan --staged"
    assert hooks["leakstop"]["stages"] == ["pre-commit"]
    assert hooks["leakstop-push"]["entry"] == "leakstop scan --pre-push"
    assert hooks["leakstop-push"]["stages"] == ["pre-push"]
    assert all(hook["language"] == "system" for hook in hooks.values())
    assert "`pre-commit install --hook-type pre-commit --hook-type pre-push`" in outcome.out

    before = snapshot(repo)
    again = run_cli(["init"], repo.path)
    assert snapshot(repo) == before  # byte for byte
    assert again.out.count("unchanged") == 3


def test_remote_option_pins_the_published_repository(repo: Repo, run_cli: RunCli) -> None:
    outcome = run_cli(["init", "--remote", "--no-baseline"], repo.path)
    assert outcome.code == 0, outcome.err
    config = yaml.safe_load((repo.path / CONFIG).read_text(encoding="utf-8"))
    assert config["repos"] == [
        {
            "repo": "https://github.com/leakstop/leakstop",
            "rev": f"v{__version__}",
            "hooks": [{"id": "leakstop"}, {"id": "leakstop-push"}],
        }
    ]
    assert __version__ == "0.1.0"  # README and docs name the tag v0.1.0
    # The published hooks must be the ones .pre-commit-hooks.yaml defines.
    published = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    assert {hook["id"] for hook in published} == {"leakstop", "leakstop-push"}
    assert run_cli(["init", "--remote", "--local-hook"], repo.path).code == 2


def test_without_pre_commit_or_leakstop_on_path_it_says_what_to_install(
    repo: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git_exe = shutil.which("git")
    assert git_exe
    (bin_dir / "git").symlink_to(git_exe)
    monkeypatch.setenv("PATH", str(bin_dir))
    outcome = run_cli(["init"], repo.path)
    assert outcome.code == 0, outcome.err
    assert "missing    pre-commit is not installed here" in outcome.out
    assert "pipx install pre-commit" in outcome.out
    assert "the hooks run `leakstop` from PATH, and PATH has none" in outcome.out
    assert str(Path(sys.executable).parent) in outcome.out
    assert (repo.path / CONFIG).is_file()


def test_second_run_changes_nothing(repo: Repo, run_cli: RunCli) -> None:
    repo.write(
        CONFIG,
        "repos:\n- repo: local\n  hooks:\n  - id: other\n"
        "    name: o\n    entry: o\n    language: system\n",
    )
    assert run_cli(["init"], repo.path).code == 0
    before = snapshot(repo)
    again = run_cli(["init"], repo.path)
    assert again.code == 0
    assert snapshot(repo) == before
    assert "created" not in again.out and "updated" not in again.out
    assert again.out.count("unchanged") == 3


def test_existing_findings_are_counted_not_baselined(repo: Repo, run_cli: RunCli) -> None:
    keys = [new_key("electronhub-api-key"), new_key("scrapebit-api-key")]
    repo.stage("app.py", "".join(f'K{i} = "{k}"\n' for i, k in enumerate(keys)))
    outcome = run_cli(["init", "--no-pre-commit"], repo.path, keys=keys)
    assert outcome.code == 0
    assert "2 key(s) are in tracked files now and none was added to the baseline" in outcome.out
    assert baseline(repo)["results"] == {}
    assert not (repo.path / CONFIG).exists()
    assert CONFIG not in outcome.out


def test_existing_baseline_keeps_entries_and_settings(repo: Repo, run_cli: RunCli) -> None:
    entry = {
        "type": "Secret Keyword",
        "filename": "a.py",
        "hashed_secret": "0" * 40,
        "is_verified": False,
        "line_number": 3,
        "is_secret": False,
    }
    old = {
        "version": "1.5.0",
        "plugins_used": [
            {"name": "Base64HighEntropyString", "limit": 5.5},
            {"name": "LeakstopEcgridApiKeyDetector", "path": "file:///elsewhere/plugin.py"},
        ],
        "filters_used": [
            {"path": "detect_secrets.filters.heuristic.is_potential_uuid"},
            {"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["^vendor/"]},
        ],
        "results": {"a.py": [entry]},
        "generated_at": "2020-01-01T00:00:00Z",
    }
    repo.write(BASELINE, json.dumps(old, indent=2) + "\n")
    outcome = run_cli(["init", "--no-pre-commit"], repo.path)
    assert outcome.code == 0
    assert f"updated    {BASELINE}" in outcome.out
    assert "(its 1 entries kept)" in outcome.out
    data = baseline(repo)
    assert list(data) == list(old)
    assert data["results"] == old["results"]
    assert data["generated_at"] == old["generated_at"]
    plugins = {p["name"]: p for p in data["plugins_used"]}
    assert plugins["Base64HighEntropyString"] == {"name": "Base64HighEntropyString", "limit": 5.5}
    assert "KeywordDetector" not in plugins  # a plugin the user left out stays out
    assert {name: plugins[name]["path"] for name in OUR_NAMES} == dict.fromkeys(
        OUR_NAMES, PLUGIN_PATH
    )
    # The stock UUID filter is replaced in place; filters the user did not have stay absent.
    assert filter_paths(data) == {
        "leakstop.plugin.filters.is_potential_uuid",
        "detect_secrets.filters.regex.should_exclude_file",
    }


def test_old_baseline_is_upgraded_before_the_swap(repo: Repo, run_cli: RunCli) -> None:
    old = {
        "version": "1.0.3",
        "plugins_used": [{"name": "AWSKeyDetector"}],
        "filters_used": [{"path": "detect_secrets.filters.heuristic.is_potential_uuid"}],
        "results": {},
    }
    repo.write(BASELINE, json.dumps(old))
    assert run_cli(["init", "--no-pre-commit"], repo.path).code == 0
    data = baseline(repo)
    assert data["version"] == "1.5.0"
    # detect-secrets' 1.1 upgrade adds is_lock_file and is_swagger_file: ours replace them.
    assert {
        "leakstop.plugin.filters.is_lock_file",
        "leakstop.plugin.filters.is_swagger_file",
        "leakstop.plugin.filters.is_potential_uuid",
    } <= filter_paths(data)
    assert not set(STOCK_REPLACEMENTS) & filter_paths(data)


def test_baseline_without_filters_gets_the_defaults_swapped(repo: Repo, run_cli: RunCli) -> None:
    repo.write(BASELINE, json.dumps({"version": "1.5.0", "results": {}}))
    assert run_cli(["init", "--no-pre-commit"], repo.path).code == 0
    paths = filter_paths(baseline(repo))
    assert "leakstop.plugin.filters.is_indirect_reference" in paths
    assert "detect_secrets.filters.heuristic.is_templated_secret" in paths


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read .secrets.baseline"),
        ("[" * 100_000, "cannot read .secrets.baseline"),
        ("[]", "not a detect-secrets baseline (no version)"),
        ('{"version": "1.5.0"}', "not a detect-secrets baseline (no results)"),
        ('{"version": "1.5.0", "results": {}, "plugins_used": {}}', "plugins_used is not a list"),
        ('{"version": "0.9.0", "results": {}}', "cannot upgrade the baseline"),
    ],
)
def test_unusable_baseline_refuses_and_writes_nothing(
    repo: Repo, run_cli: RunCli, content: str, message: str
) -> None:
    repo.write(BASELINE, content)
    before = snapshot(repo)
    outcome = run_cli(["init"], repo.path)
    assert outcome.code == 2
    assert message in outcome.err
    assert outcome.err.count("\n") == 1
    assert snapshot(repo) == before


def test_no_baseline_leaves_it_alone(repo: Repo, run_cli: RunCli) -> None:
    repo.write(BASELINE, "{broken")
    outcome = run_cli(["init", "--no-baseline", "--no-pre-commit"], repo.path)
    assert outcome.code == 0, outcome.err
    assert (repo.path / BASELINE).read_text(encoding="utf-8") == "{broken"
    assert (repo.path / PLUGIN_FILE).is_file()
    assert f"{BASELINE}:" not in outcome.out  # not written, not reported as written
    # leakstop itself reads the baseline when counting keys already present: it says so.
    assert "could not look for keys already in the repository" in outcome.out


USER_CONFIG = """\
# team hooks: keep this comment
default_language_version:
  python: python3

repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.6.0
    hooks:
      - id: trailing-whitespace   # inline comment
  # a comment at item level

ci:
  skip: [trailing-whitespace]
"""


def test_hook_is_added_inside_repos_keeping_comments_and_keys(repo: Repo, run_cli: RunCli) -> None:
    repo.write(CONFIG, USER_CONFIG)
    outcome = run_cli(["init", "--no-baseline", "--remote"], repo.path)
    assert outcome.code == 0, outcome.err
    text = (repo.path / CONFIG).read_text(encoding="utf-8")
    assert text.startswith(USER_CONFIG.split("\nci:")[0].rstrip("\n"))
    assert text.endswith("\nci:\n  skip: [trailing-whitespace]\n")
    for comment in ("# team hooks", "# inline comment", "# a comment at item level"):
        assert comment in text
    config = yaml.safe_load(text)
    assert [r["repo"] for r in config["repos"]] == [
        "https://github.com/pre-commit/pre-commit-hooks",
        "https://github.com/leakstop/leakstop",
    ]
    assert config["ci"] == {"skip": ["trailing-whitespace"]}
    assert "  - repo: https://github.com/leakstop/leakstop\n    rev:" in text


@pytest.mark.parametrize(
    ("original", "expected_repos"),
    [
        ("repos: []\n", 1),
        ("repos:\n", 1),
        ("repos: ~\nfail_fast: true\n", 1),
        ("fail_fast: true", 1),
        ("", 1),
        ("repos:\n-   repo: local\n    hooks: []", 2),
        ("repos:\r\n  - repo: local\r\n    hooks: []\r\n\r\n\r\nfail_fast: true\r\n", 2),
    ],
)
def test_hook_is_added_to_every_layout(
    repo: Repo, run_cli: RunCli, original: str, expected_repos: int
) -> None:
    repo.write(CONFIG, original)
    assert run_cli(["init", "--no-baseline"], repo.path).code == 0
    text = (repo.path / CONFIG).read_bytes().decode("utf-8")
    config = yaml.safe_load(text)
    assert len(config["repos"]) == expected_repos
    entries = [hook["entry"] for hook in config["repos"][-1]["hooks"]]
    assert entries == ["leakstop scan --staged", "leakstop scan --pre-push"]
    if "fail_fast" in original:
        assert config["fail_fast"] is True
    if "\r\n" in original:
        assert "\n" not in text.replace("\r\n", "")
        assert "\r\n\r\nfail_fast" in text
    before = snapshot(repo)
    assert run_cli(["init", "--no-baseline"], repo.path).code == 0
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("repos: [{repo: local, hooks: []}]\n", "not a block list"),
        ("repos: 3\n", "not a block list"),
        ("- a\n- b\n", "not a YAML mapping"),
        ("repos:\n  - repo: x\n   bad: [\n", "not valid YAML at line"),
    ],
)
def test_config_that_cannot_be_edited_safely_is_refused(
    repo: Repo, run_cli: RunCli, content: str, message: str
) -> None:
    repo.write(CONFIG, content)
    outcome = run_cli(["init"], repo.path)
    assert outcome.code == 2
    assert message in outcome.err
    assert snapshot(repo) == {CONFIG: content.encode()}


def test_yaml_errors_never_quote_the_file(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("syncline-user-key")
    content = f"repos:\n  - repo: x\n    args: [{key}\n"
    repo.write(CONFIG, content)
    outcome = run_cli(["init"], repo.path, keys=[key])
    assert outcome.code == 2


def test_existing_leakstop_hooks_are_left_alone(repo: Repo, run_cli: RunCli) -> None:
    content = (
        "repos:\n  - repo: https://example.invalid/fork\n    rev: v1\n"
        "    hooks:\n      - id: leakstop\n      - id: leakstop-push\n"
    )
    repo.write(CONFIG, content)
    outcome = run_cli(["init", "--no-baseline"], repo.path)
    assert "unchanged  .pre-commit-config.yaml: pre-commit config already runs" in outcome.out
    assert (repo.path / CONFIG).read_text(encoding="utf-8") == content


@pytest.mark.parametrize("remote", [False, True])
def test_only_the_missing_hook_is_added(repo: Repo, run_cli: RunCli, remote: bool) -> None:
    content = (
        "repos:\n  - repo: https://example.invalid/fork\n    rev: v1\n"
        "    hooks:\n      - id: leakstop\n"
    )
    repo.write(CONFIG, content)
    outcome = run_cli(["init", "--no-baseline", *(["--remote"] if remote else [])], repo.path)
    assert outcome.code == 0, outcome.err
    text = (repo.path / CONFIG).read_text(encoding="utf-8")
    assert text.startswith(content)
    added = yaml.safe_load(text)["repos"][1]
    assert [hook["id"] for hook in added["hooks"]] == ["leakstop-push"]
    assert added["repo"] == ("https://github.com/leakstop/leakstop" if remote else "local")
    before = snapshot(repo)
    assert run_cli(["init", "--no-baseline"], repo.path).code == 0
    assert snapshot(repo) == before


def test_unreadable_or_unwritable_files_are_one_line_errors(
    repo: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write(CONFIG, b"repos: \xff\n")
    outcome = run_cli(["init"], repo.path)
    assert outcome.code == 2
    assert "cannot read .pre-commit-config.yaml: not UTF-8 text" in outcome.err

    (repo.path / CONFIG).unlink()
    repo.write(".leakstop", "a file where the directory should be")
    outcome = run_cli(["init"], repo.path)
    assert outcome.code == 2
    assert "cannot read detect_secrets_plugin.py: Not a directory" in outcome.err

    (repo.path / ".leakstop").unlink()

    def refuse(self: Path, target: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "replace", refuse)
    outcome = run_cli(["init"], repo.path)
    assert outcome.code == 2
    assert (
        outcome.err == "leakstop: error: cannot write detect_secrets_plugin.py: Permission denied\n"
    )


def test_init_from_a_subdirectory_writes_at_the_root(repo: Repo, run_cli: RunCli) -> None:
    sub = repo.path / "src" / "pkg"
    sub.mkdir(parents=True)
    assert run_cli(["init"], sub).code == 0
    assert (repo.path / BASELINE).is_file()
    assert not (sub / BASELINE).exists()


def test_init_config_blocks_a_real_commit_and_push(
    repo: Repo, run_cli: RunCli, tmp_path: Path
) -> None:
    """The whole chain with the real pre-commit, offline: `leakstop init`, the install
    command it prints, then a real `git commit` and a real `git push` to a bare remote."""
    from tests.testing import VENV_BIN, git_push, remote_tip, with_origin

    with_origin(repo, tmp_path)
    outcome = run_cli(["init"], repo.path)
    assert outcome.code == 0, outcome.err
    install = next(line for line in outcome.out.splitlines() if "pre-commit install" in line)
    command = install.split("`")[1].split()
    repo.git("add", "-A")
    repo.commit("wire leakstop")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": VENV_BIN + os.pathsep + os.environ["PATH"],
    }
    subprocess.run(command, cwd=repo.path, check=True, capture_output=True, env=env)
    assert git_push(repo, "origin", "main", env=env).returncode == 0

    keys = [new_key("ecgrid-api-key"), new_key("scrapebit-api-key")]
    repo.stage("ecgrid.env", f"ECGRID_API_KEY={keys[0]}\n")
    refused = subprocess.run(
        ["git", "commit", "-m", "add key"], cwd=repo.path, capture_output=True, text=True, env=env
    )
    assert refused.returncode != 0
    assert "ECGrid API Key" in refused.stdout + refused.stderr
    assert_no_leak([refused.stdout, refused.stderr], keys)
    assert repo.git("log", "--format=%s", "-1").strip() == "wire leakstop"

    # A key committed past the commit hook is stopped at the push.
    repo.git("rm", "-q", "--cached", "ecgrid.env")
    repo.stage("sb.env", f"SB={keys[1]}\n")
    repo.git("commit", "-q", "--no-verify", "-m", "skipped the hook")
    bad = repo.git("rev-parse", "HEAD").strip()
    pushed = git_push(repo, "origin", "main", env=env)
    assert pushed.returncode != 0
    assert "sb.env:1" in pushed.stdout + pushed.stderr
    assert_no_leak([pushed.stdout, pushed.stderr], keys)
    assert remote_tip(repo, "refs/heads/main") != bad

    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.stage("sb.env", "SB=${SCRAPEBIT_KEY}\n")
    committed = subprocess.run(
        ["git", "commit", "-q", "-m", "from the environment"], cwd=repo.path, env=env
    )
    assert committed.returncode == 0
    clean = repo.git("rev-parse", "HEAD").strip()
    allowed = git_push(repo, "origin", "main", env=env)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert remote_tip(repo, "refs/heads/main") == clean


def _isolated_python(site: str, module: str) -> list[str]:
    """A Python that imports `module` from `site` without processing site-packages' .pth
    files, so the editable leakstop install is not importable (-I: nor is the cwd)."""
    code = f"import sys; sys.path.insert(0, {site!r}); from {module} import main; sys.exit(main())"
    return [sys.executable, "-I", "-S", "-c", code]


def test_detect_secrets_without_leakstop_says_so_in_one_line(repo: Repo, run_cli: RunCli) -> None:
    import detect_secrets

    assert run_cli(["init", "--no-pre-commit"], repo.path).code == 0
    key = new_key("syncline-user-key")
    repo.stage("client.py", f'KEY = "{key}"\n')
    site = str(Path(detect_secrets.__file__).parent.parent)
    probe = subprocess.run(
        [*_isolated_python(site, "detect_secrets.main")[:-1], "import leakstop"],
        cwd=repo.path,
        capture_output=True,
    )
    assert probe.returncode != 0  # the isolation works: leakstop cannot be imported there
    for module, args in (
        ("detect_secrets.main", ["scan", "--baseline", BASELINE]),
        ("detect_secrets.pre_commit_hook", ["--baseline", BASELINE, "client.py"]),
    ):
        ran = subprocess.run(
            [*_isolated_python(site, module), *args],
            cwd=repo.path,
            capture_output=True,
            text=True,
        )
        assert ran.returncode != 0  # fail closed: never a pass without leakstop's detectors
        assert "Traceback" not in ran.stderr
        assert ran.stderr.count("\n") == 1, ran.stderr
        assert "leakstop is not importable here" in ran.stderr
        assert "install leakstop where detect-secrets runs" in ran.stderr
        assert_no_leak([ran.stdout, ran.stderr], [key])


def _yaml_blocks(markdown: Path) -> list[Any]:
    text = markdown.read_text(encoding="utf-8")
    return [
        yaml.safe_load(block)
        for block in text.split("```yaml\n")[1:]
        for block in [block.split("```")[0]]
    ]


@pytest.mark.parametrize("remote", [False, True])
def test_documented_snippets_are_what_init_writes(
    repo: Repo, run_cli: RunCli, remote: bool
) -> None:
    """The README (and docs/pre-push.md) show the configuration init writes, so the snippet
    a user copies is the one the commit-and-push test above proves."""
    project = PROJECT
    assert (
        run_cli(["init", "--no-baseline", *(["--remote"] if remote else [])], repo.path).code == 0
    )
    written = yaml.safe_load((repo.path / CONFIG).read_text(encoding="utf-8"))
    documented = [
        block
        for doc in (project / "README.md", project / "docs" / "pre-push.md")
        for block in _yaml_blocks(doc)
        if isinstance(block, dict) and "repos" in block and "steps" not in block
    ]
    wanted = written["repos"]
    matching = [block for block in documented if block["repos"] == wanted]
    assert matching, f"no documented snippet equals what `init{' --remote' * remote}` writes"
    if not remote:
        assert matching[0].get("default_install_hook_types") == ["pre-commit", "pre-push"]
