"""`detect-secrets audit` that never shows a whole secret.

Stock audit prints every secret in full: highlighted in the code snippet of its interactive
review, and as the `secrets` field and the quoted lines of `--report`. Here detect-secrets runs
unchanged, but what it shows is masked:

- the secret it highlights in a snippet or lists in --report, whatever its length;
- every secret detect-secrets handles in this process (each goes through
  `PotentialSecret.set_secret`, which is wrapped to record it), including the secrets on the
  neighbouring lines of a snippet: the files the baseline names are scanned with the stock
  plugins (allowlist pragmas ignored) before the audit starts, so their secrets are known
  before any line is shown. In snippet and report lines every known secret is masked; in the
  rest of stdout and stderr, those of 8 characters or more;
- anything shaped like a key of a leakstop family (prefix and body, or an ECGrid GUID),
  whatever detect-secrets thinks of it.

A secret keeps at most its family prefix and two characters at each end (`ek-ab…yz`), as in
every other leakstop output.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TextIO

from leakstop.providers import all_rules
from leakstop.secrets_text import redact

_SHORTEST = 4
"""Shorter values are too common to mean anything (a keyword plugin's `pin = "1"`)."""
_EVERYWHERE = 8
"""Values shorter than this (a keyword plugin's `pw = "ECGrid"`) are masked only in code:
the highlight, the snippet lines and --report's lines, and there only as whole words; not
in the rest of the output, where the same word may be a secret type's name or a JSON key."""


class Redactor:
    """Replaces known secrets and key-shaped text in whatever is shown."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._families = [(rule.pattern, rule.prefix) for rule in all_rules()]
        self._compiled: tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None = None

    def add(self, secret: object) -> None:
        known = isinstance(secret, str) and secret in self._secrets
        if isinstance(secret, str) and len(secret.strip()) >= _SHORTEST and not known:
            self._secrets.add(secret)
            self._compiled = None

    def __call__(self, text: str, code: bool = False) -> str:
        """`text` with secrets masked; `code`: it is a file's text, where short secrets are
        masked too."""
        long, short = self._patterns()
        for pattern in (long, short if code else None):
            if pattern is not None:
                text = pattern.sub(lambda m: masked(m.group(0)), text)
        for family, prefix in self._families:
            text = family.sub(lambda m, p=prefix: redact(m.group(0), p), text)  # type: ignore[misc]
        return text

    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        if self._compiled is None:
            forms: set[str] = set()
            for secret in self._secrets:
                # As printed, and as quoted inside the JSON of --report.
                forms.update({secret, json.dumps(secret)[1:-1]})
            ordered = sorted(forms, key=len, reverse=True)
            long = [re.escape(f) for f in ordered if len(f) >= _EVERYWHERE]
            short = [rf"(?<!\w){re.escape(f)}(?!\w)" for f in ordered if len(f) < _EVERYWHERE]
            self._compiled = (
                re.compile("|".join(long)) if long else None,
                re.compile("|".join(short)) if short else None,
            )
        return self._compiled


def masked(secret: str) -> str:
    """A secret as leakstop shows it: family prefix and 2+2 characters at most."""
    for rule in all_rules():
        if rule.prefix and secret.startswith(rule.prefix):
            return redact(secret, rule.prefix)
    return redact(secret)


class RedactingStream(io.TextIOBase):
    """A text stream that redacts each write before passing it on. It has no file
    descriptor, so `input()` writes its prompt through it too."""

    def __init__(self, target: TextIO, redactor: Callable[[str], str]) -> None:
        self._target = target
        self._redact = redactor

    def write(self, text: str) -> int:
        self._target.write(self._redact(text))
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return self._target.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"


class _UsageShown(Exception):
    """Raised where detect-secrets would print its usage block after a failed check of its
    arguments; the failure is this exception's __context__."""


def run_audit(argv: list[str], detect_secrets_main: Callable[[list[str]], int]) -> int:
    """`detect-secrets audit` with its output redacted, and its usage errors, unreadable
    baselines and entries of files no longer there told in one or two lines (exit 2), not
    argparse's usage block or a traceback."""
    import argparse

    from detect_secrets.exceptions import UnableToReadBaselineError

    def usage_error(message: str) -> int:
        sys.stderr.write(f"leakstop: error: {message}\nTry 'leakstop audit --help'.\n")
        return 2

    def parser_error(parser: argparse.ArgumentParser, message: str) -> NoReturn:
        raise _UsageShown(message)

    def usage_block(parser: argparse.ArgumentParser, file: Any = None) -> None:
        raise _UsageShown

    named = [arg for arg in argv[1:] if not arg.startswith("-")]
    saved = argparse.ArgumentParser.error, argparse.ArgumentParser.print_usage
    argparse.ArgumentParser.error = parser_error  # type: ignore[assignment]
    argparse.ArgumentParser.print_usage = usage_block  # type: ignore[method-assign,assignment]
    try:
        with redacted_output(argv):
            code: int = detect_secrets_main(argv)
            return code
    except _UsageShown as shown:
        return usage_error(str(shown.args[0] if shown.args else shown.__context__))
    except UnableToReadBaselineError:
        sys.stderr.write(
            f"leakstop: error: cannot read the baseline {' / '.join(named)}: missing, "
            "unreadable or not JSON\n"
        )
        return 2
    except FileNotFoundError as exc:  # an entry of a file no longer in the work tree
        sys.stderr.write(
            f"leakstop: error: the baseline names {exc.filename}, which is not there; update "
            "the baseline first (detect-secrets scan --baseline BASELINE)\n"
        )
        return 2
    finally:
        argparse.ArgumentParser.error = saved[0]  # type: ignore[method-assign]
        argparse.ArgumentParser.print_usage = saved[1]  # type: ignore[method-assign]


@contextmanager
def redacted_output(argv: list[str]) -> Iterator[Redactor]:
    """While active: every secret detect-secrets creates is recorded, the secret it highlights
    or reports is masked whatever its length, and stdout and stderr are redacted. The files
    named by the baseline in `argv` are scanned first."""
    from detect_secrets.audit import report
    from detect_secrets.core.potential_secret import PotentialSecret
    from detect_secrets.util.code_snippet import CodeSnippet

    redactor = Redactor()
    set_secret = PotentialSecret.set_secret
    highlight = CodeSnippet.apply_highlight
    snippet_text = CodeSnippet.__str__
    generate_report = report.generate_report

    def recording(self: Any, secret: str) -> None:
        redactor.add(secret)
        set_secret(self, secret)

    def masked_highlight(self: Any, payload: str) -> str:
        return highlight(self, masked(payload))

    def masked_snippet(self: Any) -> str:
        return redactor(snippet_text(self), code=True)

    def masked_report(*args: Any, **kwargs: Any) -> dict[str, list[dict[str, Any]]]:
        generated: dict[str, list[dict[str, Any]]] = generate_report(*args, **kwargs)
        for item in generated.get("results", []):
            secret = item.get("secrets")
            if isinstance(secret, str) and secret:
                item["secrets"] = masked(secret)
                item["lines"] = {
                    n: redactor(line.replace(secret, masked(secret)), code=True)
                    if isinstance(line, str)
                    else line
                    for n, line in item.get("lines", {}).items()
                }
        return generated

    saved = sys.stdout, sys.stderr
    PotentialSecret.set_secret = recording  # type: ignore[method-assign]
    CodeSnippet.apply_highlight = masked_highlight  # type: ignore[method-assign]
    CodeSnippet.__str__ = masked_snippet  # type: ignore[method-assign]
    report.generate_report = masked_report
    sys.stdout = RedactingStream(saved[0], redactor)
    sys.stderr = RedactingStream(saved[1], redactor)
    try:
        _learn_files(argv, redactor)
        yield redactor
    finally:
        PotentialSecret.set_secret = set_secret  # type: ignore[method-assign]
        CodeSnippet.apply_highlight = highlight  # type: ignore[method-assign]
        CodeSnippet.__str__ = snippet_text  # type: ignore[method-assign]
        report.generate_report = generate_report
        sys.stdout, sys.stderr = saved


def _learn_files(argv: list[str], redactor: Redactor) -> None:
    """Scan every file the audited baselines name with detect-secrets' stock plugins, so that
    the secrets on lines around an audited one are known. (Leakstop's own families need no
    scan: the redactor knows their shapes, and the plugin's per-file state stays untouched.)"""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.core.scan import scan_file
    from detect_secrets.settings import transient_settings

    files: set[str] = set()
    for arg in argv[1:]:
        if arg.startswith("-"):
            continue
        try:
            data = json.loads(Path(arg).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        results = data.get("results") if isinstance(data, dict) else None
        if isinstance(results, dict):
            files.update(name for name in results if isinstance(name, str))
    classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
    stock = [{"name": cls.__name__} for cls in classes if not cls.__module__.startswith("leakstop")]
    with transient_settings({"plugins_used": stock}) as settings:
        # A pragma keeps a line out of the baseline, not off the screen of its neighbours.
        settings.disable_filters("detect_secrets.filters.allowlist.is_line_allowlisted")
        for name in sorted(files):
            if not Path(name).is_file():
                continue
            try:
                for found in scan_file(name):
                    redactor.add(found.secret_value)
            except Exception:  # a file detect-secrets chokes on: the family patterns remain
                continue
