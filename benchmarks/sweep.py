"""Benchmark a sweep's makespan over many repositories of skewed sizes: a local sweep with
`--jobs 2`, two static shards run at once (`--shard 1/2`, `--shard 2/2`, `--jobs 1` each),
and a Dask cluster of two single-threaded workers on this machine (`--scheduler`).

    python benchmarks/sweep.py [--repos 45] [--big 12000,5000,3000] [--runs 1]

The repositories are generated once with git fast-import (cached under
benchmarks/.cache/sweep/, git-ignored): a few big ones (`--big`) and many small ones (20 to
600 commits, most of them small), each commit rewriting one file of a few KB, with some
keys planted. Every run scans everything again (`--rescan`, fresh caches). For each engine
the figures are the wall time (makespan), each worker's busy time and its idle tail (time
from its last piece of work to the end of the sweep), and the findings, which must be the
same for all three. See benchmarks/README.md ("Sweep makespan").

Workers are: the local sweep's two pool threads (a thread's busy time ends at its last
repository; the progress lines on stderr time them), the two shard processes, and the two
Dask workers (their task records, from the scheduler's task stream).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (installation of leakstop, the isolated environment)
import synthetic_repo  # noqa: E402

CACHE = HERE / ".cache" / "sweep"
VERSION = 2
_WORDS = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "theta", "lambda"]


# ---------------------------------------------------------------------------------------------
# The repositories.


def sizes(count: int, big: list[int], seed: int) -> list[int]:
    """`big`, then small repositories: most under 100 commits, a few up to 600."""
    rng = random.Random(seed)
    small = [min(600, max(20, int(rng.lognormvariate(4.2, 0.8)))) for _ in range(count - len(big))]
    return [*big, *small]


def build_repo(path: Path, commits: int, seed: int) -> None:
    """`commits` commits, each rewriting one of 60 files (about 3 KB); a key of a made-up
    random body every 1,500 commits (and in the first commit of one small repo in five)."""
    rng = random.Random(seed)
    if path.exists():
        shutil.rmtree(path)
    env = synthetic_repo.git_env()
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True, env=env)
    chunks: list[bytes] = []
    for number in range(commits):
        lines = [" ".join(rng.choice(_WORDS) for _ in range(9)) + f" {number}" for _ in range(45)]
        if number % 1500 == 1499 or (number == 0 and seed % 5 == 0):
            body = "".join(
                rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                for _ in range(32)
            )
            lines.append(f"SCRAPEBIT_API_KEY=sb_live_{body}")
        data = ("\n".join(lines) + "\n").encode()
        when = 1_600_000_000 + number * 97
        chunks += [
            b"commit refs/heads/main\n",
            f"committer Dev <dev@example.org> {when} +0000\n".encode(),
            f"data 12\nchange {number:05d}\n".encode(),
            f"M 644 inline src/mod{number % 60}.py\ndata {len(data)}\n".encode(),
            data,
            b"\n",
        ]
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=path, input=b"".join(chunks), check=True, env=env
    )


def repositories(counts: list[int], seed: int) -> list[Path]:
    root = CACHE / (f"v{VERSION}-s{seed}-" + "-".join(map(str, counts[:3])) + f"-n{len(counts)}")
    done = root / "done.json"
    paths = [root / f"repo{index:03d}-c{count}.git" for index, count in enumerate(counts)]
    if done.is_file():
        return paths
    run.say(f"generating {len(counts)} repositories ({sum(counts)} commits) in {root} ...")
    root.mkdir(parents=True, exist_ok=True)
    for index, (path, count) in enumerate(zip(paths, counts, strict=True)):
        build_repo(path, count, seed * 1000 + index)
    done.write_text(json.dumps(counts))
    return paths


# ---------------------------------------------------------------------------------------------
# One engine's run.


@dataclass
class Lane:
    """One worker: a pool thread, a shard process or a Dask worker."""

    name: str
    busy: float = 0.0
    end: float = 0.0
    """Seconds from the sweep's start to this worker's last piece of work."""


@dataclass
class Outcome:
    engine: str
    wall: float = 0.0
    lanes: list[Lane] = field(default_factory=list)
    findings: list[tuple[str, str, str]] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)

    def idle_tail(self, lane: Lane) -> float:
        return max(0.0, self.wall - lane.end)


def _sweep_argv(leakstop: str, cache: Path, listing: Path, report: Path, *extra: str) -> list[str]:
    return [
        leakstop, "sweep", "--list", str(listing), "--cache", str(cache), "--rescan",
        "--format", "json", "-o", str(report), *extra,
    ]  # fmt: skip


def _findings(*reports: Path) -> list[tuple[str, str, str]]:
    found = []
    for report in reports:
        for f in json.loads(report.read_text())["findings"]:
            found.append((Path(f["repository"]).name, f["commit"], f["hashed_secret"]))
    return sorted(found)


def local(leakstop: str, listing: Path, work: Path, env: dict[str, str]) -> Outcome:
    """`--jobs 2`: two pool threads; the stderr progress line of each repository is stamped
    as it arrives. Once the queue is empty a thread that finishes goes idle: thread A's work
    ends at the second-to-last repository, thread B's at the last."""
    report = work / "local.json"
    argv = _sweep_argv(leakstop, work / "cache-local", listing, report, "--jobs", "2")
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert proc.stderr is not None
    stamps = [time.monotonic() - start for line in proc.stderr if line.startswith(b"leakstop: [")]
    code = proc.wait()
    wall = time.monotonic() - start
    ends = sorted(stamps)[-2:] if len(stamps) >= 2 else [wall, wall]
    lanes = [Lane("thread A", ends[0], ends[0]), Lane("thread B", ends[1], ends[1])]
    return Outcome("local --jobs 2", wall, lanes, _findings(report), [code])


def shards(leakstop: str, listing: Path, work: Path, env: dict[str, str]) -> Outcome:
    """Two processes at once, `--shard 1/2` and `--shard 2/2`, `--jobs 1` each."""
    reports = [work / f"shard-{i}.json" for i in (1, 2)]
    start = time.monotonic()
    procs = [
        subprocess.Popen(
            _sweep_argv(
                leakstop, work / f"cache-shard{i}", listing, reports[i - 1],
                "--jobs", "1", "--shard", f"{i}/2",
            ),
            env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        )
        for i in (1, 2)
    ]  # fmt: skip
    ends = [0.0, 0.0]

    def wait(index: int) -> None:
        procs[index].wait()
        ends[index] = time.monotonic() - start

    waiters = [threading.Thread(target=wait, args=(i,)) for i in (0, 1)]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        waiter.join()
    wall = time.monotonic() - start
    lanes = [Lane(f"shard {i + 1}/2", ends[i], ends[i]) for i in (0, 1)]
    codes = [p.returncode for p in procs]
    return Outcome("two static shards", wall, lanes, _findings(*reports), codes)


class Cluster:
    """`dask scheduler` and two `dask worker --nthreads 1` processes on loopback."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        self.file = work / "scheduler.json"
        bindir = Path(sys.executable).parent
        dask = str(bindir / "dask") if (bindir / "dask").exists() else "dask"
        self.procs = [
            subprocess.Popen(
                [dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                 "--dashboard-address", ":0", "--scheduler-file", str(self.file)],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        ]  # fmt: skip
        deadline = time.monotonic() + 60
        while not self.file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        worker_env = {**env, "LEAKSTOP_WORKER_CACHE": str(work / "worker-mirrors")}
        for name in ("w1", "w2"):
            self.procs.append(
                subprocess.Popen(
                    [dask, "worker", "--scheduler-file", str(self.file), "--name", name,
                     "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                     "--host", "127.0.0.1"],
                    env=worker_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip
        from distributed import Client

        self.client = Client(scheduler_file=str(self.file), timeout=60)
        self.client.wait_for_workers(2, timeout=60)
        self.address = self.client.scheduler.address

    def close(self) -> None:
        self.client.close()
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def on_dask(leakstop: str, listing: Path, work: Path, env: dict[str, str]) -> Outcome:
    from distributed import get_task_stream

    cluster = Cluster(work, env)
    try:
        report = work / "dask.json"
        argv = _sweep_argv(leakstop, work / "cache-dask", listing, report, "--jobs", "1")
        argv += ["--scheduler", cluster.address]
        with get_task_stream(client=cluster.client) as stream:
            start_wall = time.time()
            start = time.monotonic()
            proc = subprocess.run(argv, env=env, stderr=subprocess.DEVNULL, check=False)
            wall = time.monotonic() - start
        names = {
            addr: str(info.get("name"))
            for addr, info in cluster.client.scheduler_info()["workers"].items()
        }
        lanes: dict[str, Lane] = {}
        for record in stream.data:
            worker = str(record.get("worker"))
            lane = lanes.setdefault(worker, Lane(f"worker {names.get(worker, worker)}"))
            for part in record.get("startstops", []):
                if part.get("action") == "compute":
                    lane.busy += part["stop"] - part["start"]
                    lane.end = max(lane.end, part["stop"] - start_wall)
        return Outcome(
            "Dask, 2 workers", wall, sorted(lanes.values(), key=lambda x: x.name),
            _findings(report), [proc.returncode],
        )  # fmt: skip
    finally:
        cluster.close()


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=45, help="repositories (>= 40)")
    parser.add_argument(
        "--big", default="12000,5000,3000", help="commits of the big ones [%(default)s]"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1, help="rounds; the median wall is kept")
    parser.add_argument("--no-install", action="store_true", help="never run pip")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    big = [int(x) for x in args.big.split(",") if x]
    if args.repos < 40 or args.repos <= len(big):
        parser.error("--repos must be at least 40 and more than the big ones")
    try:
        import distributed  # noqa: F401
    except ImportError:
        sys.exit("the Dask row needs leakstop[dask]: pip install -e '.[dask]'")

    leakstop = run.ensure_leakstop(not args.no_install)
    counts = sizes(args.repos, big, args.seed)
    paths = repositories(counts, args.seed)
    work = Path(tempfile.mkdtemp(prefix="leakstop-sweep-bench-"))
    try:
        env = run.isolated_env(work)
        listing = work / "repos.txt"
        listing.write_text("".join(f"{p}\n" for p in paths))
        run.say("leakstop sweep makespan benchmark")
        small = sorted(counts[len(big) :])
        run.say(
            f"  {len(counts)} repositories, {sum(counts)} commits: the big ones "
            f"{', '.join(map(str, big))}; the small ones {small[0]} to {small[-1]} "
            f"(median {small[len(small) // 2]})"
        )
        run.say(f"  {os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f}")
        results: dict[str, list[Outcome]] = {}
        for number in range(args.runs):
            for engine in (local, shards, on_dask):
                place = work / f"{engine.__name__}-{number}"
                place.mkdir()
                outcome = engine(leakstop, listing, place, env)
                results.setdefault(outcome.engine, []).append(outcome)
        return report(results, args.json)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(results: dict[str, list[Outcome]], path: Path | None) -> int:
    run.say()
    run.say(f"{'engine':20} {'wall s':>7}  {'worker':12} {'busy s':>7} {'idle tail s':>11}")
    rows = {}
    reference = None
    same = True
    for name, outcomes in results.items():
        outcome = sorted(outcomes, key=lambda o: o.wall)[len(outcomes) // 2]
        reference = reference if reference is not None else outcome.findings
        same = same and outcome.findings == reference
        for number, lane in enumerate(outcome.lanes):
            head = f"{name:20} {outcome.wall:7.2f}" if number == 0 else " " * 28
            run.say(f"{head}  {lane.name:12} {lane.busy:7.2f} {outcome.idle_tail(lane):11.2f}")
        rows[name] = {
            "wall_seconds": outcome.wall,
            "workers": [
                {"name": lane.name, "busy_seconds": lane.busy, "idle_tail_seconds":
                 outcome.idle_tail(lane)}
                for lane in outcome.lanes
            ],
            "findings": len(outcome.findings),
            "exit_codes": outcome.codes,
        }  # fmt: skip
    run.say(
        f"  findings: {len(reference or [])} in every engine"
        if same
        else "  FINDINGS DIFFER between engines"
    )
    run.say(f"  load average after: {os.getloadavg()[0]:.2f} (2 cores shared: noisy if high)")
    if path is not None:
        path.write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
