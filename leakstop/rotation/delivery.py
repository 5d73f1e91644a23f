"""Safe delivery of a new key, done before anything else happens after a rotation.

Three targets: `file:DIR` (one new 0600 file per key, default the user's state directory),
`dotenv:PATH:VAR` (atomic in-place replacement of one variable), `exec:CMD` (a program run
without a shell, e.g. a secret manager's CLI, with the key on its stdin). Each is checked
before the provider is called, so a rotation never ends with a key that has nowhere to go.
The output names where the key went, never the key.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.rotation.paths import default_keys_dir, private_dir

_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Delivery:
    kind: str
    target: str
    variable: str = ""
    argv: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "dotenv":
            return f"{self.variable} in {self.target}"
        if self.kind == "exec":
            return f"the stdin of `{self.argv[0]}`"
        return self.target

    def preflight(self, repo_root: Path | None) -> None:
        """Refuse a target that would put the key in the repository or cannot be written."""
        if self.kind == "exec":
            from shutil import which

            if which(self.argv[0]) is None:
                raise LeakstopError(f"--deliver exec: {self.argv[0]!r} is not an executable")
            return
        path = Path(self.target).resolve()
        if repo_root is not None and _inside_and_unignored(path, repo_root, self.kind):
            raise LeakstopError(
                f"--deliver: {self.target} is inside the repository; new keys never go there"
            )
        if self.kind == "dotenv":
            if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
                raise LeakstopError(f"--deliver dotenv: cannot write in {path.parent}")
        else:
            private_dir(path)

    def deliver(self, key: str, label: str) -> str:
        """Store `key`; returns where it went (a description without the key)."""
        if self.kind == "file":
            return _to_file(Path(self.target), key, label)
        if self.kind == "dotenv":
            _to_dotenv(Path(self.target), self.variable, key)
            return self.describe()
        return _to_exec(self.argv, key)


def parse(spec: str | None) -> Delivery:
    if not spec:
        return Delivery("file", str(default_keys_dir()))
    kind, _, rest = spec.partition(":")
    if kind == "file" and rest:
        return Delivery("file", os.path.expanduser(rest))
    if kind == "dotenv":
        path, _, variable = rest.rpartition(":")
        if path and _VAR.match(variable):
            return Delivery("dotenv", os.path.expanduser(path), variable=variable)
    if kind == "exec" and rest:
        argv = tuple(shlex.split(rest))
        if argv:
            return Delivery("exec", rest, argv=argv)
    raise LeakstopError(f"--deliver {spec!r}: use file:DIR, dotenv:PATH:VAR or exec:'COMMAND ARGS'")


def _to_file(directory: Path, key: str, label: str) -> str:
    private_dir(directory)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for attempt in range(100):
        path = directory / f"{label}-{stamp}{f'-{attempt}' if attempt else ''}.key"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
        return str(path)
    raise LeakstopError(f"cannot create a new key file in {directory}")  # pragma: no cover


def _to_dotenv(path: Path, variable: str, key: str) -> None:
    """Replace (or append) VAR=key, keeping every other line; atomic via rename."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        lines = []
    pattern = re.compile(rf"^(\s*(?:export\s+)?{re.escape(variable)}\s*=\s*)(['\"]?)")
    replaced = False
    for i, line in enumerate(lines):
        match = pattern.match(line)
        if match and not replaced:
            quote = match.group(2)
            ending = "\n" if line.endswith("\n") else ""
            lines[i] = f"{match.group(1)}{quote}{key}{quote}{ending}"
            replaced = True
    if not replaced:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(f"{variable}={key}\n")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(lines)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _to_exec(argv: tuple[str, ...], key: str) -> str:
    try:
        proc = subprocess.run(
            list(argv), input=key + "\n", text=True, capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LeakstopError(f"--deliver exec: {argv[0]} failed ({type(exc).__name__})") from None
    # Its output is not shown: a secret manager's CLI may echo what it stored.
    if proc.returncode != 0:
        raise LeakstopError(f"--deliver exec: {argv[0]} exited with {proc.returncode}")
    return f"the stdin of `{argv[0]}` (exit 0)"


def _inside_and_unignored(path: Path, root: Path, kind: str) -> bool:
    """A path in the repository that git could pick up (a key file never goes there; a
    dotenv file only if git ignores it and does not track it)."""
    if not path.is_relative_to(root.resolve()):
        return False
    return kind == "file" or not _git_ignored(root, path)


def _git_ignored(root: Path, path: Path) -> bool:
    from leakstop import git

    return git.is_ignored(root, path) and not git.is_tracked(root, path)
