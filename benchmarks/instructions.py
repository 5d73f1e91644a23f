"""Count the instructions of the pre-commit hot path with callgrind: `leakstop scan --staged`
on the benchmark's staged change (12 keys) and on a clean change of the same size.

    python benchmarks/instructions.py [--also LABEL=SOURCE_TREE ...]

Unlike wall time, an instruction count is the same on a busy machine, so a change of a few
percent in start-up cost shows. Only the Python process is counted (git runs natively).
`--also before=../before` counts a checkout of an earlier commit (its `leakstop` package
imported from that tree with this interpreter) in the same run, for an A/B of a change.
Needs valgrind. See benchmarks/README.md ("Instruction counts").
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (sibling modules; the script runs from any directory)
from run import isolated_env  # noqa: E402

_COLLECTED = re.compile(r"Collected : (\d+)")


def clean_change(root: Path) -> None:
    """A repository with ten staged files of 200 lines each and no key."""
    root.mkdir()
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    for number in range(10):
        lines = (f"value_{number}_{i} = compute({i}, 'step {i}')\n" for i in range(200))
        (root / f"module_{number}.py").write_text("".join(lines), encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)


def count(tree: Path, repo: Path, env: dict[str, str]) -> int:
    """Instructions of one `scan --staged` run with `tree`'s leakstop (after a warm-up run,
    so bytecode is cached as on a developer's machine)."""
    tree_env = {**env, "PYTHONPATH": str(tree)}
    argv = [sys.executable, "-m", "leakstop", "scan", "--staged"]
    subprocess.run(argv, cwd=repo, env=tree_env, capture_output=True)
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        cwd=repo,
        env=tree_env,
        capture_output=True,
        text=True,
    )
    found = _COLLECTED.search(proc.stderr)
    if found is None:
        raise SystemExit(f"callgrind gave no count for {tree}: {proc.stderr[-500:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--also",
        action="append",
        metavar="LABEL=SOURCE_TREE",
        help="another checkout to count in the same run (its leakstop/ is imported); repeatable",
    )
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is required (Debian: apt-get install valgrind)")
    trees = [("this tree", ROOT)]
    for spec in args.also or []:
        label, _, path = spec.partition("=")
        if not label or not (Path(path) / "leakstop" / "__init__.py").is_file():
            parser.error(f"--also {spec}: LABEL=PATH to a checkout with a leakstop/ package")
        trees.append((label, Path(path).resolve()))
    work = Path(tempfile.mkdtemp(prefix="leakstop-instructions-"))
    try:
        env = isolated_env(work)
        changes = {"12 keys": work / "keys", "clean": work / "clean"}
        corpus.build(changes["12 keys"])
        clean_change(changes["clean"])
        print(
            f"instructions of `leakstop scan --staged` (callgrind; python {sys.version.split()[0]})"
        )
        print(f"{'tree':<12}" + "".join(f"{name:>18}" for name in changes))
        first: list[int] = []
        for label, tree in trees:
            counts = [count(tree, repo, env) for repo in changes.values()]
            first = first or counts
            cells = "".join(
                f"{c / 1e6:>10.1f}M"
                + (f" {100 * (c / f - 1):+5.1f}%" if label != "this tree" else " " * 7)
                for c, f in zip(counts, first, strict=True)
            )
            print(f"{label:<12}{cells}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
