"""`leakstop sweep --scheduler tcp://HOST:8786`: the sweep's repositories as tasks on a Dask
cluster, whose scheduler balances them over its workers.

One `prepare` task per repository opens it on a worker (its own mirror cache, see
WORKER_CACHE_ENV), lists the commits not scanned before and, for an ordinary repository,
scans them at once. A repository with more new commits than `split` comes back as a plan
instead, and its commits go out again as `block` tasks of `split` commits each, so one huge
repository is spread over the cluster instead of setting the finish time. Blocks are joined
in order, as one scan joins its git processes: the report is the local sweep's.

The incremental state stays with the client (its `--cache`): a task gets the old tips and
gives back the new ones. The same repository is sent to the same worker (rendezvous hashing
of the repository's identity over the worker names, stable while the workers are), where its
mirror is warm; `allow_other_workers` lets the scheduler move it when that worker is busy or
gone. A worker that dies costs only the tasks it held: the scheduler runs them again
elsewhere, and a task that failed with an unexpected error is retried (`RETRIES`). A task
that still fails makes its repository `failed` with the reason, never a silent gap.

Credentials: a task's key is `leakstop-<kind>-<run>-<digest of the identity>` (Dask shows
keys in its dashboard and logs), and the repository's location, which an https URL may give
a token, travels only inside a `Job` whose repr leaves it out. Keys found travel back to the
client only when --verify/--rotate need them (`keep_keys`); otherwise results are keyless.

Dask is an optional extra: it is imported here only, inside functions.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leakstop.detect.engine import Detector
from leakstop.errors import LeakstopError
from leakstop.findings import Finding
from leakstop.providers import all_rules, get_rule
from leakstop.report.records import FindingRecord
from leakstop.report.sweep_records import RepoStatus
from leakstop.sweep import run, state
from leakstop.sweep.cache import Cache, default_dir
from leakstop.sweep.targets import Target, shown

if TYPE_CHECKING:
    from distributed import Client, Future

SCHEDULER_ENV = "LEAKSTOP_SCHEDULER"
WORKER_CACHE_ENV = "LEAKSTOP_WORKER_CACHE"
"""Where a worker keeps its mirrors [default: $XDG_CACHE_HOME/leakstop/mirrors there]."""
CONNECT_TIMEOUT = 5.0
"""Seconds to reach the scheduler (and for it to have a worker) before giving up."""
SPLIT = 2000
"""Commits per block: a repository with more new commits than this is split."""
RETRIES = 2
"""Extra tries of a task that raised (a task on a worker that died runs again anyway)."""


@dataclass(frozen=True)
class Job:
    """A repository as a task argument: what a worker needs to open it, and nothing else."""

    identity: str
    name: str
    remote: bool
    location: str = field(repr=False)
    """May carry credentials (an https token): never in a repr, which Dask may log."""

    @classmethod
    def of(cls, target: Target) -> Job:
        return cls(target.identity, target.name, target.remote, target.location)

    def target(self) -> Target:
        return Target(self.identity, self.name, self.location, self.remote)


@dataclass(frozen=True)
class Options:
    """How a worker scans (the same for every task of a sweep but the old tips)."""

    jobs: int
    max_bytes: int
    timeout: float
    keep_keys: bool
    split: int


@dataclass
class Plan:
    """A repository too large for one task: what is known, and the commits still to scan."""

    scanned: run.Scanned
    pending: list[str]


@dataclass(frozen=True)
class Failed:
    reason: str


# -- on the worker ----------------------------------------------------------------------
@lru_cache(maxsize=1)
def _detector() -> Detector:
    return Detector(all_rules())


@lru_cache(maxsize=1)
def _worker_cache() -> Cache:
    configured = os.environ.get(WORKER_CACHE_ENV)
    return Cache(Path(configured) if configured else default_dir())


def _open(target: Target, timeout: float, update: bool) -> tuple[Path, str | None]:
    """The repository on this worker; a mirror is updated only when `update` (a block
    reuses the mirror its plan was made on, when it is here)."""
    cache = _worker_cache()
    if target.remote and not update and (cache.mirror_path(target) / "HEAD").is_file():
        return cache.mirror_path(target), None
    with cache.locked(target, wait=True):
        return run.open_repository(target, cache, timeout)


def prepare(
    job: Job, old_tips: Sequence[str], recall: Sequence[FindingRecord], options: Options
) -> run.Scanned | Plan | Failed:
    """Task: open the repository, list its new commits; scan them, or plan blocks. With
    `keep_keys`, the keys of `recall` (earlier runs' records) are read back here too, where
    the repository is."""
    from leakstop.sources.tags import annotated_tags

    target = job.target()
    try:
        root, link = _open(target, options.timeout, update=True)
        tips, commits, lost = run.list_new(root, old_tips)
        tags = annotated_tags(root)
        if len(commits) > options.split:  # tag messages and lost commits go with the plan
            plan = run.scan_commits(
                root, [], _detector(), 1, options.max_bytes, options.keep_keys, tags, lost
            )
            plan.tips, plan.commit_link = tips, link
            _recall(plan, recall, options)
            return Plan(plan, commits)
        scanned = run.scan_commits(
            root,
            commits,
            _detector(),
            options.jobs,
            options.max_bytes,
            options.keep_keys,
            tags,
            lost,
        )
        scanned.tips, scanned.commit_link = tips, link
        _recall(scanned, recall, options)
        return scanned
    except (LeakstopError, OSError) as exc:
        return Failed(run.safe_reason(exc))


def block(job: Job, commits: Sequence[str], options: Options) -> run.Scanned | Failed:
    """Task: scan one block of a large repository's commits."""
    target = job.target()
    try:
        root, _ = _open(target, options.timeout, update=False)
        try:
            return _scan_block(root, commits, options)
        except LeakstopError:
            if not target.remote:
                raise
            # This worker's mirror is older than the plan's: update it, once.
            root, _ = _open(target, options.timeout, update=True)
            return _scan_block(root, commits, options)
    except (LeakstopError, OSError) as exc:
        return Failed(run.safe_reason(exc))


def _scan_block(root: Path, commits: Sequence[str], options: Options) -> run.Scanned:
    return run.scan_commits(
        root, commits, _detector(), options.jobs, options.max_bytes, options.keep_keys
    )


def _recall(scanned: run.Scanned, recall: Sequence[FindingRecord], options: Options) -> None:
    from leakstop.sweep.triage import read_back

    if not options.keep_keys:
        return
    for record in recall:
        hashed = record.hashed_secret
        if hashed is None or hashed in scanned.keys:
            continue
        secret = read_back(scanned.root, record, _detector())
        if secret is not None:
            scanned.keys[hashed] = Finding(
                get_rule(record.rule), record.file, record.line or 0, record.column or 0, secret
            )


# -- on the client ----------------------------------------------------------------------
def connect(address: str, timeout: float) -> Client:
    """A client of the scheduler at `address` that has at least one worker, or a one-line
    error (Dask missing, scheduler unreachable, no worker)."""
    try:
        from distributed import Client
    except ImportError:
        raise LeakstopError(
            "--scheduler needs Dask: pip install 'leakstop[dask]' (dask and distributed)"
        ) from None
    where = shown(address)
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # refused, timed out, a bad address: all one answer
        raise LeakstopError(
            f"cannot reach the Dask scheduler at {where} ({_first_line(exc)})"
        ) from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except Exception:
        client.close()
        raise LeakstopError(f"the Dask scheduler at {where} has no worker") from None
    return client


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def home(target: Target, workers: dict[str, str]) -> str:
    """The worker (address) that `target` goes to: rendezvous hashing over the workers'
    names, so the same repository meets the same mirror cache on every run, and a worker
    joining or leaving moves only its own share."""

    def weight(name: str) -> bytes:
        return hashlib.sha256(f"{target.identity}\0{name}".encode("utf-8", "replace")).digest()

    best = max(workers, key=weight)
    return workers[best]


def sweep_on(address: str, request: run.SweepRequest, split: int = SPLIT) -> run.Sweep:
    client = connect(address, CONNECT_TIMEOUT)
    try:
        return _Run(client, request, split).sweep()
    finally:
        client.close()


class _Run:
    """One sweep on a cluster: submit, follow, join the blocks, settle on the client."""

    def __init__(self, client: Client, request: run.SweepRequest, split: int) -> None:
        self.client = client
        self.request = request
        self.targets = list(request.targets)
        self.options = Options(
            jobs=max(1, request.jobs or 1),
            max_bytes=request.max_bytes,
            timeout=request.timeout,
            keep_keys=request.keep_keys,
            split=max(1, split),
        )
        self.token = secrets.token_hex(4)
        self.remembered = [state.load(request.cache.state_path(t)) for t in self.targets]
        self.results: dict[int, run.RepoResult] = {}
        self.tasks: dict[str, tuple[int, int]] = {}
        """Task key -> (target index, block index; -1 for prepare)."""
        self.plans: dict[int, Plan] = {}
        self.parts: dict[int, dict[int, run.Scanned]] = {}
        self.workers = {
            str(info.get("name", addr)): addr
            for addr, info in client.scheduler_info()["workers"].items()
        }

    def key(self, kind: str, index: int, part: int | None = None) -> str:
        digest = self.targets[index].digest[:16]
        return f"leakstop-{kind}-{self.token}-{digest}" + (f"-{part}" if part is not None else "")

    def submit(
        self, func: Callable[..., Any], index: int, part: int, *args: Any, priority: int = 0
    ) -> Future[Any]:
        key = self.key("prepare" if part < 0 else "block", index, None if part < 0 else part)
        self.tasks[key] = (index, part)
        return self.client.submit(
            func,
            *args,
            key=key,
            workers=[home(self.targets[index], self.workers)],
            allow_other_workers=True,
            retries=RETRIES,
            priority=priority,
            pure=False,
        )

    def sweep(self) -> run.Sweep:
        from distributed import as_completed

        started = time.monotonic()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        futures = []
        for index, target in enumerate(self.targets):
            base = None if self.request.rescan else self.remembered[index]
            old = base.tips if base else []
            recall = base.findings if base and self.options.keep_keys else []
            futures.append(
                self.submit(prepare, index, -1, Job.of(target), old, recall, self.options)
            )
        pending = as_completed(futures, loop=self.client.loop)
        try:
            for future in pending:
                for extra in self.collect(future):
                    pending.add(extra)
        except BaseException:  # Ctrl-C: the cluster drops what this sweep asked for
            self.client.cancel(list(pending.futures))
            raise
        self.account()
        return run.Sweep(
            repositories=[self.results[i] for i in range(len(self.targets))],
            started=stamp,
            seconds=round(time.monotonic() - started, 3),
        )

    def account(self) -> None:
        """Say on stderr what the cluster did, and whether a lost worker cost anything."""
        now = set(self.client.scheduler_info()["workers"])
        lost = [addr for addr in self.workers.values() if addr not in now]
        failed = sum(r.status == RepoStatus.FAILED for r in self.results.values())
        line = f"dask: {len(self.tasks)} task(s) on {len(self.workers)} worker(s)"
        if lost:
            line += f"; {len(lost)} worker(s) left during the sweep, their tasks ran again"
        line += "; every repository was swept" if not failed else f"; {failed} not swept"
        self.request.say(line)

    def collect(self, future: Future[Any]) -> list[Future[Any]]:
        """Take one finished task in; the block tasks a plan asks for."""
        index, part = self.tasks[str(future.key)]
        if index in self.results:  # its repository already failed
            return []
        outcome = self.outcome(future)
        if isinstance(outcome, Failed):
            self.finish(index, outcome)
            return []
        if isinstance(outcome, Plan):
            return self.fan_out(index, outcome)
        if part < 0:
            self.finish(index, outcome)
            return []
        parts = self.parts[index]
        parts[part] = outcome
        plan = self.plans[index]
        if len(parts) == -(-len(plan.pending) // self.options.split):
            joined = plan.scanned
            for number in sorted(parts):
                joined.add(parts[number])
            self.finish(index, joined)
        return []

    def outcome(self, future: Future[Any]) -> run.Scanned | Plan | Failed:
        if future.status == "cancelled":  # the scheduler went away or dropped it
            return Failed("the task was lost with the Dask scheduler")
        if future.status != "finished":
            exc = future.exception()
            return Failed(f"the task failed on the cluster ({type(exc).__name__})")
        result = future.result()
        future.release()
        if not isinstance(result, (run.Scanned, Plan, Failed)):
            return Failed("the task returned something unexpected")
        return result

    def fan_out(self, index: int, plan: Plan) -> list[Future[Any]]:
        self.plans[index] = plan
        self.parts[index] = {}
        job, size = Job.of(self.targets[index]), self.options.split
        blocks = [plan.pending[i : i + size] for i in range(0, len(plan.pending), size)]
        self.request.say(
            f"{self.targets[index].name}: {len(plan.pending)} new commits, {len(blocks)} blocks"
        )
        # Blocks go before repositories not started yet: a large repository starts early.
        return [
            self.submit(block, index, number, job, commits, self.options, priority=1)
            for number, commits in enumerate(blocks)
        ]

    def finish(self, index: int, outcome: run.Scanned | Failed) -> None:
        target = self.targets[index]
        result = run.RepoResult(target)
        remembered = self.remembered[index]
        if isinstance(outcome, Failed):
            run.fail(result, outcome.reason, remembered)
        else:
            if target.remote:
                outcome.root = None  # the mirror is on a worker
            try:
                with self.request.cache.locked(target):
                    run.settle(
                        result,
                        outcome,
                        None if self.request.rescan else remembered,
                        self.request.cache,
                    )
            except (LeakstopError, OSError) as exc:
                run.fail(result, run.safe_reason(exc), remembered)
        self.results[index] = result
        self.request.say(f"[{len(self.results)}/{len(self.targets)}] {run.summary(result)}")
