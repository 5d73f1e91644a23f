"""action.yml, the composite GitHub Action, run step by step as a runner would: its `if:`
conditions and `${{ }}` expressions evaluated, each `run:` step in bash with the GITHUB_*
variables and an event payload file, on real clones of a real remote."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.testing import (
    PROJECT,
    ZERO,
    Repo,
    assert_no_leak,
    ci_checkout,
    ci_env,
    commit_file,
    new_key,
    run_bash,
    sarif_uris,
)

ACTION = PROJECT / "action.yml"
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_NAME = re.compile(r"\b(inputs|steps|github)\.([A-Za-z0-9_.-]+)")


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


@dataclass
class ActionRun:
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    uses: list[str] = field(default_factory=list)
    """`uses:` steps whose condition held (they are not run here)."""
    failed: str | None = None
    """The name of the step that failed the job."""

    @property
    def status(self) -> str:
        return self.outputs["scan"]["status"]


class Context:
    """The expression contexts the action uses: inputs, steps.<id>.outputs, github."""

    def __init__(self, inputs: dict[str, str], run: ActionRun, github: dict[str, str]) -> None:
        self.inputs, self.run, self.github = inputs, run, github

    def value(self, match: re.Match[str]) -> str:
        scope, name = match[1], match[2]
        if scope == "inputs":
            return self.inputs[name]
        if scope == "github":
            return self.github[name]
        step, kind, output = name.split(".")
        assert kind == "outputs"
        return self.run.outputs.get(step, {}).get(output, "")

    def substitute(self, text: str) -> str:
        return _EXPRESSION.sub(lambda m: _NAME.sub(self.value, m[1]), text)

    def holds(self, condition: str) -> bool:
        """An `if:` of ==, !=, &&, ||, parentheses and always(), as GitHub evaluates it."""
        python = _NAME.sub(lambda m: repr(self.value(m)), condition)
        python = python.replace("&&", " and ").replace("||", " or ").replace("always()", "True")
        return bool(eval(python, {"__builtins__": {}}))  # a test harness over our own file


def run_action(
    clone: Path, tmp_path: Path, event: str, payload: dict[str, Any], ref: str, **inputs: str
) -> ActionRun:
    spec = action()
    values = {name: str(item.get("default", "")) for name, item in spec["inputs"].items()}
    # The runner's Python already has leakstop (the venv): no setup-python, no pip install.
    values.update({"setup-python": "false", "install": "false"})
    values.update({name.replace("_", "-"): value for name, value in inputs.items()})
    event_path = tmp_path / f"event-{clone.name}.json"
    event_path.write_text(json.dumps(payload), encoding="utf-8")
    github = {"action_path": str(PROJECT), "event_name": event, "ref": ref}
    run = ActionRun()
    context = Context(values, run, github)
    for step in spec["runs"]["steps"]:
        name = step.get("id") or step["name"]
        if "if" in step and not context.holds(step["if"]):
            continue
        if "uses" in step:
            run.uses.append(step["uses"])
            continue
        assert step["shell"] == "bash"
        output = tmp_path / f"output-{clone.name}-{name.replace(' ', '-')}"
        output.write_text("")
        env = ci_env(
            tmp_path,
            GITHUB_EVENT_NAME=event,
            GITHUB_EVENT_PATH=str(event_path),
            GITHUB_REF=ref,
            GITHUB_ACTION_PATH=str(PROJECT),
            GITHUB_WORKSPACE=str(clone),
            GITHUB_OUTPUT=str(output),
            **{k: context.substitute(str(v)) for k, v in step.get("env", {}).items()},
        )
        ran = run_bash(context.substitute(step["run"]), clone, env)
        run.logs[name] = ran.stdout + ran.stderr
        run.outputs[name] = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
        if ran.returncode != 0:
            run.failed = name
            break
    return run


def push_payload(before: str, after: str) -> dict[str, Any]:
    return {"before": before, "after": after, "created": before == ZERO, "deleted": after == ZERO}


def sarif(clone: Path, run: ActionRun) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((clone / run.outputs["scan"]["report"]).read_text())
    return data


def test_push_events(published: Repo, tmp_path: Path) -> None:
    repo = published
    keys = [new_key("syncline-user-key"), new_key("scrapebit-api-key")]
    before = repo.git("rev-parse", "HEAD").strip()
    commit_file(repo, "a.txt", "clean\n")
    bad = commit_file(repo, "k.txt", f"{keys[0]}\n")
    repo.git("push", "-q", "origin", "main")
    clone = ci_checkout(repo, tmp_path, "push")
    run = run_action(clone, tmp_path, "push", push_payload(before, bad), "refs/heads/main")
    assert run.status == "1"
    assert sarif_uris(sarif(clone, run)) == ["k.txt"]
    assert "::error file=k.txt,line=1," in run.logs["scan"]  # annotations
    assert run.uses == ["github/codeql-action/upload-sarif@v3"]
    assert run.failed == "Fail on findings"
    assert "found API keys" in run.logs["Fail on findings"]
    assert_no_leak(run.logs.values(), keys)

    # A new branch (before = zeros): only what no other branch has.
    repo.git("checkout", "-q", "-b", "feature")
    clean = commit_file(repo, "b.txt", "clean\n")
    repo.git("push", "-q", "origin", "feature")
    clone = ci_checkout(repo, tmp_path, "new-branch")
    run = run_action(clone, tmp_path, "push", push_payload(ZERO, clean), "refs/heads/feature")
    assert run.status == "0"
    assert sarif_uris(sarif(clone, run)) == []
    assert run.failed is None
    assert run.uses == ["github/codeql-action/upload-sarif@v3"]

    # A force push: what is new since the old tip, which no branch has any more.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    commit_file(repo, "c.txt", "rewritten\n")
    bad2 = commit_file(repo, "d.txt", f"{keys[1]}\n")
    repo.git("push", "-q", "--force", "origin", "feature")
    clone = ci_checkout(repo, tmp_path, "forced")
    run = run_action(clone, tmp_path, "push", push_payload(clean, bad2), "refs/heads/feature")
    assert run.status == "1"
    assert sarif_uris(sarif(clone, run)) == ["d.txt"]
    assert run.failed == "Fail on findings"

    # A deleted branch: nothing to scan, no report, nothing to upload.
    clone = ci_checkout(repo, tmp_path, "deleted")
    run = run_action(clone, tmp_path, "push", push_payload(clean, ZERO), "refs/heads/gone")
    assert run.outputs["scan"] == {"status": "0"}
    assert run.uses == [] and run.failed is None


def test_pull_request_and_other_events(published: Repo, tmp_path: Path) -> None:
    repo = published
    base = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "pr")
    commit_file(repo, "a.txt", "clean\n")
    head = commit_file(repo, "cfg.env", f"SB={new_key('scrapebit-api-key')}\n")
    repo.git("push", "-q", "origin", "pr")
    clone = ci_checkout(repo, tmp_path, "pr")
    payload = {"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}
    run = run_action(clone, tmp_path, "pull_request", payload, "refs/pull/7/merge")
    assert run.status == "1"
    assert sarif_uris(sarif(clone, run)) == ["cfg.env"]
    assert run.failed == "Fail on findings"

    clone = ci_checkout(repo, tmp_path, "dispatch")
    run = run_action(clone, tmp_path, "workflow_dispatch", {}, "refs/heads/main")
    assert sorted(sarif_uris(sarif(clone, run))) == ["cfg.env", "old.txt"]


def test_inputs_mode_format_and_failing(published: Repo, tmp_path: Path) -> None:
    repo = published
    key = new_key("electronhub-api-key")
    before = repo.git("rev-parse", "HEAD").strip()
    bad = commit_file(repo, "k.txt", f"{key}\n")
    repo.git("push", "-q", "origin", "main")
    push = push_payload(before, bad)

    clone = ci_checkout(repo, tmp_path, "json")
    run = run_action(
        clone,
        tmp_path,
        "push",
        push,
        "refs/heads/main",
        format="json",
        output="leakstop.json",
        fail_on_findings="false",
        annotations="false",
    )
    assert run.status == "1" and run.failed is None
    assert run.uses == []  # SARIF only
    report = json.loads((clone / "leakstop.json").read_text())
    assert [f["file"] for f in report["findings"]] == ["k.txt"]
    assert "::error" not in run.logs["scan"]
    assert_no_leak(run.logs.values(), [key])

    clone = ci_checkout(repo, tmp_path, "files")
    run = run_action(clone, tmp_path, "push", push, "refs/heads/main", mode="files")
    assert sarif_uris(sarif(clone, run)) == ["k.txt"]

    clone = ci_checkout(repo, tmp_path, "history")
    run = run_action(clone, tmp_path, "push", push, "refs/heads/main", mode="history")
    assert sorted(sarif_uris(sarif(clone, run))) == ["k.txt", "old.txt"]

    # A scan that cannot run fails the job even with fail-on-findings off.
    clone = ci_checkout(repo, tmp_path, "bad")
    run = run_action(
        clone,
        tmp_path,
        "push",
        push,
        "refs/heads/main",
        mode="everything",
        fail_on_findings="false",
    )
    assert run.status == "2"
    assert run.failed == "Fail on findings"
    assert "could not scan" in run.logs["Fail on findings"]
    missing = {"pull_request": {"base": {"sha": "1" * 40}, "head": {"sha": bad}}}
    clone = ci_checkout(repo, tmp_path, "missing-base")
    run = run_action(clone, tmp_path, "pull_request", missing, "refs/pull/1/merge")
    assert run.status == "2" and run.failed == "Fail on findings"


def test_shallow_checkout_is_deepened(published: Repo, tmp_path: Path) -> None:
    """actions/checkout's default depth of 1: the action fetches what the scan needs."""
    repo = published
    repo.git("checkout", "-q", "-b", "topic")
    commit_file(repo, "a.txt", "clean\n")
    tip = commit_file(repo, "b.txt", "clean too\n")
    repo.git("push", "-q", "origin", "topic")
    bare = repo.git("remote", "get-url", "origin").strip()
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "topic", f"file://{bare}", str(clone)],
        check=True,
    )
    run = run_action(clone, tmp_path, "push", push_payload(ZERO, tip), "refs/heads/topic")
    assert "shallow clone; fetching" in run.logs["scan"]
    # main's old key is on another branch: not this push's; the two new commits are clean.
    assert run.status == "0", run.logs["scan"]
    assert run.failed is None


def test_action_metadata() -> None:
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert {"mode", "format", "fail-on-findings", "output", "annotations"} <= set(spec["inputs"])
    assert set(spec["outputs"]) == {"status", "report"}
    install = next(s for s in spec["runs"]["steps"] if s.get("name") == "Install leakstop")
    assert "github.action_path" in install["env"]["ACTION_PATH"]  # the action's own version
