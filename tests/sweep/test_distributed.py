"""`leakstop sweep --scheduler`: a real Dask cluster on this machine (a scheduler and two
worker processes, one per module), compared with the local sweep of the same targets."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from leakstop.report.sweep_records import RepoStatus
from leakstop.secrets_text import hashed_secret
from leakstop.simulator import SimulatorControl
from leakstop.sweep import distributed as engine
from leakstop.sweep import report as sweep_report
from leakstop.sweep import run, targets
from leakstop.sweep.cache import Cache
from tests.testing import Repo, RunCli, assert_no_leak, init_repo, new_key

distributed = pytest.importorskip("distributed")
if TYPE_CHECKING:
    from distributed import Client, LocalCluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """Scheduler and two single-threaded worker processes (restarted by their nanny when
    killed), with their own mirror cache and no user git configuration."""
    home = tmp_path_factory.mktemp("worker-home")
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        engine.WORKER_CACHE_ENV: str(home / "mirrors"),
    }
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        env=env,
    ) as local:
        yield local


@pytest.fixture
def client(cluster: LocalCluster) -> Iterator[Client]:
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as watcher:
        watcher.wait_for_workers(2, timeout=30)
        yield watcher


def _bulk(path: Path, commits: int, plant: dict[int, str], seed: int = 1) -> Repo:
    """A repository of `commits` commits made with git fast-import (fast), each rewriting
    one of 40 files; `plant` puts a line with a key into the commit of that number."""
    repo = init_repo(path)
    rng = random.Random(seed)
    words = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "theta"]
    stream: list[bytes] = []
    for number in range(commits):
        text = "".join(
            " ".join(rng.choice(words) for _ in range(8)) + f" {number}\n" for _ in range(30)
        )
        if number in plant:
            text += f"TOKEN={plant[number]}\n"
        data = text.encode()
        stream += [
            b"commit refs/heads/main\n",
            f"committer Dev <dev@example.invalid> {1_600_000_000 + number * 60} +0000\n".encode(),
            f"data 8\nc{number:06d}\n".encode(),
            f"M 644 inline src/f{number % 40}.txt\ndata {len(data)}\n".encode(),
            data,
            b"\n",
        ]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(stream), check=True)
    repo.git("reset", "-q", "--hard", "main")
    return repo


def _small(path: Path, key: str | None, extra: int = 0) -> Repo:
    repo = init_repo(path)
    repo.stage("README.md", "hello\n")
    repo.commit("start")
    if key:
        repo.stage("conf/app.env", f"# settings\nAPI_KEY={key}\n")
        repo.commit("settings")
        repo.stage("conf/app.env", "# settings\n")
        repo.commit("no key")
    for number in range(extra):
        repo.stage("notes.txt", f"note {number}\n")
        repo.commit(f"note {number}")
    return repo


def _request(
    paths: list[str], cwd: Path, cache: Path, scheduler: str | None = None, **extra: Any
) -> run.SweepRequest:
    return run.SweepRequest(
        targets=targets.collect(paths, [], cwd),
        cache=Cache(cache),
        jobs=extra.pop("jobs", 1),
        scheduler=scheduler,
        **extra,
    )


def _timeless(report: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(report))
    data["scan"].pop("seconds")
    data["scan"].pop("started")
    return data


def test_cluster_sweep_writes_the_local_report_in_every_format(
    tmp_path: Path, cluster: LocalCluster, run_cli: RunCli
) -> None:
    keys = [new_key("scrapebit-api-key"), new_key("electronhub-api-key")]
    for number in range(6):
        _small(tmp_path / f"small-{number}", keys[number % 2] if number % 3 == 0 else None)
    _bulk(tmp_path / "large", 400, {5: keys[0], 390: new_key("syncline-user-key")})
    init_repo(tmp_path / "empty")
    (tmp_path / "not-a-repo").mkdir()
    # A remote (file URL): mirrored into the worker's cache, not the client's.
    _small(tmp_path / "origin", keys[1], extra=2)
    names = [*(f"small-{n}" for n in range(6)), "large", "empty", "not-a-repo"]
    names.append(f"file://{tmp_path / 'origin'}")
    found = []
    for fmt in ("json", "csv", "text", "html"):
        outcomes = []
        for where in ("local", "cluster"):
            args = ["sweep", "--cache", str(tmp_path / f"cache-{where}-{fmt}"), *names]
            args += ["--format", fmt, "-j", "2"]
            if where == "cluster":
                args += ["--scheduler", cluster.scheduler_address]
            outcomes.append(run_cli(args, tmp_path, keys=keys))
        local, remote = outcomes
        assert local.code == remote.code == 1
        if fmt == "json":
            assert _timeless(json.loads(local.out)) == _timeless(json.loads(remote.out))
            found = json.loads(remote.out)["findings"]
        elif fmt in ("csv", "text"):
            assert local.out == remote.out
        else:  # the page shows the sweep's time: the rest is the same
            strip = re.compile(r"\d{4}-\d\d-\d\dT[\d:]+Z|[\d.]+ ?s\b")
            assert strip.sub("", local.out) == strip.sub("", remote.out)
        assert "not swept:" in remote.err and "not-a-repo" in remote.err
    assert len(found) == 5
    assert not (tmp_path / "cache-cluster-json" / "origin").exists()
    mirrors = list((tmp_path / "cache-cluster-json").glob("*.git"))
    assert mirrors == [], "mirrors live with the workers; the client keeps only the state"
    assert list((tmp_path / "cache-cluster-json").glob("origin-*.json"))


def test_large_repository_split_into_blocks_finds_what_one_scan_finds(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    keys = {number: new_key("scrapebit-api-key") for number in (0, 149, 150, 299, 451)}
    _bulk(tmp_path / "large", 460, keys, seed=7)
    _small(tmp_path / "side", new_key("electronhub-api-key"))
    paths = ["large", "side"]
    lines: list[str] = []
    local = run.sweep(_request(paths, tmp_path, tmp_path / "c1"))
    split = engine.sweep_on(
        cluster.scheduler_address,
        _request(paths, tmp_path, tmp_path / "c2", say=lines.append, keep_keys=False),
        split=150,
    )
    one, other = sweep_report.of_sweep(local).to_json(), sweep_report.of_sweep(split).to_json()
    assert _timeless(one) == _timeless(other)
    assert {f["hashed_secret"] for f in one["findings"]} >= {
        hashed_secret(k) for k in keys.values()
    }
    assert any("460 new commits, 4 blocks" in line for line in lines)
    assert all(not r.keys for r in split.repositories), "no key travels back without triage"
    # The next run is incremental on the cluster too: one new commit, scanned alone.
    side = Repo(tmp_path / "side")
    side.stage("late.env", f"K={new_key('syncline-user-key')}\n")
    side.commit("late")
    again = engine.sweep_on(
        cluster.scheduler_address, _request(paths, tmp_path, tmp_path / "c2"), split=150
    )
    by_name = {Path(r.target.name).name: r for r in again.repositories}
    assert (by_name["large"].new_commits, by_name["side"].new_commits) == (0, 1)
    assert len(by_name["side"].records) == 2 and by_name["large"].commits == 460


def test_a_worker_killed_mid_sweep_costs_only_its_tasks(
    tmp_path: Path, cluster: LocalCluster, client: Client
) -> None:
    psutil = pytest.importorskip("psutil")
    keys = {number: new_key("electronhub-api-key") for number in (3, 700, 1390)}
    _bulk(tmp_path / "monster", 1400, keys, seed=3)
    for number in range(4):
        _small(tmp_path / f"s{number}", new_key("scrapebit-api-key") if number == 1 else None)
    paths = ["monster", *(f"s{n}" for n in range(4))]
    expected = sweep_report.of_sweep(
        run.sweep(_request(paths, tmp_path, tmp_path / "local"))
    ).to_json()

    outcome: dict[str, Any] = {}

    said: list[str] = []

    def sweep() -> None:
        request = _request(paths, tmp_path, tmp_path / "remote", say=said.append)
        outcome["sweep"] = engine.sweep_on(cluster.scheduler_address, request, split=350)

    pids: dict[str, int] = client.run(os.getpid)
    thread = threading.Thread(target=sweep)
    thread.start()
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and thread.is_alive():
        for pid in pids.values():
            with contextlib.suppress(psutil.NoSuchProcess):
                children = psutil.Process(pid).children(recursive=True)
                if any("log" in child.cmdline() for child in children):
                    os.kill(pid, signal.SIGKILL)  # mid-task: its git log is running
                    killed = pid
                    break
        time.sleep(0.005)
    thread.join(timeout=120)
    assert killed is not None, "no worker was caught scanning"
    got = sweep_report.of_sweep(outcome["sweep"]).to_json()
    assert _timeless(got) == _timeless(expected)
    assert all(r["status"] == "ok" for r in got["repositories"])
    assert "1 worker(s) left during the sweep, their tasks ran again" in said[-1]
    assert said[-1].endswith("every repository was swept")
    client.wait_for_workers(2, timeout=60)  # the nanny brought it back
    assert killed not in client.run(os.getpid).values()


def test_credentials_in_urls_stay_out_of_task_names_logs_and_reports(
    tmp_path: Path, cluster: LocalCluster, client: Client, run_cli: RunCli
) -> None:
    token = "ghp_" + "".join(random.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(30))
    url = f"https://build:{token}@127.0.0.1:9/acme/app.git"
    with distributed.get_task_stream(client=client) as stream:
        out = run_cli(
            [
                "sweep",
                "--cache",
                str(tmp_path / "c"),
                url,
                "--scheduler",
                cluster.scheduler_address,
            ],
            tmp_path,
            keys=[token],
        )
    assert out.code == 1 and "not swept: https://127.0.0.1:9/acme/app.git" in out.err
    names = [str(item.get("key")) for item in stream.data]
    assert any(name.startswith("leakstop-prepare-") for name in names)
    logs = [line for _, line in client.get_scheduler_logs()]
    logs += [line for lines in client.get_worker_logs().values() for _, line in lines]
    assert_no_leak([*names, *logs], [token])
    job = engine.Job.of(targets.parse(url, tmp_path))
    assert token not in repr(job) and job.location == url


def test_cluster_verify_reads_earlier_keys_back_on_the_worker(
    tmp_path: Path, cluster: LocalCluster, run_cli: RunCli, control: SimulatorControl
) -> None:
    live = control.create_account("electronhub", "master").key
    dead = control.create_account("syncline", "user").key
    control.revoke(dead)
    _small(tmp_path / "origin", live)
    _small(tmp_path / "local", dead)
    base = ["sweep", "--cache", str(tmp_path / "c"), f"file://{tmp_path / 'origin'}", "local"]
    base += ["--scheduler", cluster.scheduler_address, "--format", "json"]
    first = run_cli(base, tmp_path, keys=[live, dead])
    assert first.code == 1 and "verified" not in first.out
    # Nothing new to scan: the keys are read back where the repositories are.
    second = run_cli([*base, "--verify", "--call-interval", "0"], tmp_path, keys=[live, dead])
    report = json.loads(second.out)
    assert report["scan"]["commits"] == 0
    assert sorted(f["verified"] for f in report["findings"]) == ["invalid", "live"]
    assert "checked 2 distinct key(s): 1 live, 1 invalid" in second.err


def test_unreachable_scheduler_is_one_line_and_exit_2(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small(tmp_path / "one", None)
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 1.0)
    monkeypatch.setenv("LEAKSTOP_SCHEDULER", "tcp://127.0.0.1:9")
    started = time.monotonic()
    out = run_cli(["sweep", "--cache", str(tmp_path / "c"), "one"], tmp_path)
    assert out.code == 2 and time.monotonic() - started < 20
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in lines[0]
    assert "Traceback" not in out.err


def test_dask_is_not_imported_unless_a_scheduler_is_given() -> None:
    code = (
        "import sys, leakstop.cli.main, leakstop.sweep.run, leakstop.sweep.distributed, "
        "leakstop.plugin.wiring; print(sorted({'dask', 'distributed'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_same_repository_goes_to_the_same_worker() -> None:
    workers = {f"w{n}": f"tcp://127.0.0.{n + 1}:1" for n in range(5)}
    items = [targets.parse(f"https://example.invalid/org/r{n}", Path("/")) for n in range(200)]
    homes = {t.identity: engine.home(t, workers) for t in items}
    assert homes == {t.identity: engine.home(t, dict(reversed(workers.items()))) for t in items}
    assert len(set(homes.values())) == 5
    fewer = {k: v for k, v in workers.items() if k != "w4"}
    moved = [t for t in items if homes[t.identity] != engine.home(t, fewer)]
    assert all(homes[t.identity] == workers["w4"] for t in moved), "only w4's share moves"


def test_worker_tasks_plan_blocks_and_update_a_stale_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The task functions themselves, in this process: a plan for a large repository, a
    block on a worker whose mirror is older than the plan, a repository that is gone."""
    monkeypatch.setenv(engine.WORKER_CACHE_ENV, str(tmp_path / "mirrors"))
    engine._worker_cache.cache_clear()
    key = new_key("scrapebit-api-key")
    origin = _small(tmp_path / "origin", None, extra=3)
    target = targets.parse(f"file://{origin.path}", tmp_path)
    job = engine.Job.of(target)
    options = engine.Options(jobs=1, max_bytes=1 << 20, timeout=60, keep_keys=True, split=2)
    plan = engine.prepare(job, [], [], options)
    assert isinstance(plan, engine.Plan) and len(plan.pending) == 4
    # The repository moves on after the plan; a later plan's block finds the mirror stale.
    origin.stage("late.env", f"K={key}\n")
    late = origin.commit("late")
    part = engine.block(job, [late], options)
    assert isinstance(part, run.Scanned) and part.commits == 1
    assert [r.commit for r in part.records] == [late] and list(part.keys)
    small = engine.prepare(job, plan.scanned.tips, part.records, options)
    assert isinstance(small, run.Scanned) and small.commits == 1
    again = engine.prepare(job, small.tips, part.records, options)
    assert isinstance(again, run.Scanned) and again.commits == 0
    assert list(again.keys) == list(part.keys), "earlier keys are read back on the worker"
    assert again.keys[next(iter(again.keys))].secret == key
    gone = engine.Job.of(targets.parse(str(tmp_path / "gone"), tmp_path))
    assert engine.prepare(gone, [], [], options) == engine.Failed("no such directory")
    assert engine.block(gone, [late], options) == engine.Failed("no such directory")
    engine._worker_cache.cache_clear()


def test_a_task_that_keeps_failing_is_a_failed_repository_not_a_gap(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    """A location git cannot even be started with (Python refuses an argument with a NUL)
    raises in the task, is retried, and ends as a failed repository with its reason."""
    _small(tmp_path / "fine", None)
    bad = targets.Target("file:/bad", "/bad", f"file://{tmp_path}/bad\0name", remote=True)
    request = run.SweepRequest(
        targets=[bad, *targets.collect(["fine"], [], tmp_path)], cache=Cache(tmp_path / "c")
    )
    said: list[str] = []
    swept = engine.sweep_on(
        cluster.scheduler_address, dataclasses.replace(request, say=said.append)
    )
    results = {r.target.name: r for r in swept.repositories}
    assert results["/bad"].status == RepoStatus.FAILED
    assert results["/bad"].reason == "the task failed on the cluster (ValueError)"
    assert (
        results[str(tmp_path / "fine")].status == RepoStatus.EMPTY
        or results[str(tmp_path / "fine")].status == RepoStatus.OK
    )
    assert said[-1].endswith("1 not swept")
