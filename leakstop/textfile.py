"""Reading and writing the small text files leakstop edits in a repository (configuration,
baseline): line endings kept as they are, writes atomic, errors as one line."""

from __future__ import annotations

from pathlib import Path

from leakstop.errors import LeakstopError


def read_text(path: Path) -> str | None:
    """The file's text with its line endings as they are (a CRLF config stays CRLF)."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise LeakstopError(f"cannot read {path.name}: not UTF-8 text") from None
    except OSError as exc:
        raise LeakstopError(f"cannot read {path.name}: {exc.strerror}") from None


def write_text(path: Path, text: str) -> None:
    """Write through a temporary file, so an interrupted run never leaves half a file."""
    tmp = path.with_name(path.name + ".leakstop-tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LeakstopError(f"cannot write {path.name}: {exc.strerror}") from None
