"""`--deliver file:DIR` never overwrites a key file: a name already taken (another key
rotated in the same second, or a file left there) gets the next free suffix."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from leakstop.simulator import SimulatorControl
from tests.testing import Repo, RunCli


def test_a_taken_name_gets_the_next_suffix(
    control: SimulatorControl, run_cli: RunCli, repo: Repo, tmp_path: Path
) -> None:
    keys = [control.create_account("syncline", "user").key for _ in range(2)]
    repo.stage("app.env", "".join(f"SYNCLINE_KEY_{i}={k}\n" for i, k in enumerate(keys)))
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir(mode=0o700)
    # Names for the next seconds already taken: the run must step past them, not replace them.
    now = time.time()
    taken = set()
    for second in range(30):
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now + second))
        for label in (f"syncline-{hashlib.sha1(k.encode()).hexdigest()[:12]}" for k in keys):
            name = f"{label}-{stamp}.key"
            (keys_dir / name).write_text("not a key\n")
            taken.add(name)
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--deliver", f"file:{keys_dir}"],
        repo.path,
        keys=keys,
    )
    assert outcome.code == 4, outcome.out + outcome.err  # blocked, every key rotated
    assert outcome.out.count("rotation: rotated: new key saved to") == 2
    written = {p.name: p.read_text() for p in keys_dir.glob("*.key") if p.name not in taken}
    assert len(written) == 2, sorted(p.name for p in keys_dir.iterdir())
    assert all(name.endswith("-1.key") for name in written)
    assert all((keys_dir / name).read_text() == "not a key\n" for name in taken)
    new_keys = {text.strip() for text in written.values()}
    assert len(new_keys) == 2 and not new_keys & set(keys)
