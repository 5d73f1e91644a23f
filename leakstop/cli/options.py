"""Options and output handling that several commands share, defined once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from leakstop import command as shared
from leakstop.command import check_triage as check_triage  # shared with click-free cores
from leakstop.sources.text import DEFAULT_MAX_BYTES

F = TypeVar("F", bound=Callable[..., Any])


def report_options(formats: Sequence[str], default: str = "text") -> Callable[[F], F]:
    """--format and --output."""

    def decorate(command: F) -> F:
        command = click.option(
            "--output", "-o", type=click.Path(dir_okay=False), help="Write the report here."
        )(command)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(formats),
            default=default,
            show_default=True,
            help="Report format.",
        )(command)

    return decorate


def _configure_calls(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None:
        return  # nothing to set (a value set by an earlier command was reset at its end)
    from leakstop.rotation import http

    name = str(param.name)
    http.configure(name, value)
    ctx.call_on_close(lambda: http.configure(name, None))  # for this command only


def call_options(command: F) -> F:
    """--proxy and --call-deadline for provider calls (never read from a scanned repo)."""
    command = click.option(
        "--call-deadline",
        "deadline",
        metavar="SECONDS",
        expose_value=False,
        callback=_configure_calls,
        help="Total time budget of one provider call [env LEAKSTOP_CALL_DEADLINE; default 30].",
    )(command)
    return click.option(
        "--proxy",
        "proxy",
        metavar="URL",
        expose_value=False,
        callback=_configure_calls,
        help="Send provider calls through this http(s) proxy [env LEAKSTOP_PROXY].",
    )(command)


def triage_options(rotate_help: str) -> Callable[[F], F]:
    """--verify, --rotate and the options that only go with --rotate."""

    def decorate(command: F) -> F:
        for option in reversed(
            [
                click.option(
                    "--verify",
                    is_flag=True,
                    help="Ask each provider's check call whether a key is live.",
                ),
                click.option("--rotate", is_flag=True, help=rotate_help),
                click.option(
                    "--yes", is_flag=True, help="With --rotate: do not ask for confirmation (CI)."
                ),
                click.option(
                    "--dry-run", is_flag=True, help="With --rotate: show the calls, change nothing."
                ),
                click.option(
                    "--deliver",
                    "deliver_spec",
                    metavar="SPEC",
                    help="With --rotate: where new keys go: file:DIR, dotenv:PATH:VAR or "
                    "exec:CMD [default: file in the user's state directory].",
                ),
            ]
        ):
            command = option(command)
        return call_options(command)

    return decorate


def max_file_size_option(what: str, note: str = "") -> Callable[[F], F]:
    return click.option(
        "--max-file-size",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_BYTES,
        show_default=True,
        help=f"Skip (and name in the report) {what} larger than this many bytes.{note}",
    )


def write_report(rendered: str, output: str | None) -> None:
    """The report to --output, or to stdout."""
    shared.write_report(rendered, output, show)


def show(text: str) -> None:
    """Text for standard output (a report), as it is."""
    click.echo(text, nl=False)


def say(line: str) -> None:
    """One line for the user, on standard error."""
    click.echo(f"leakstop: {line}", err=True)


def bundle(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several option decorators as one, applied in the order written (top one outermost),
    so a command's long option list can live beside it without lengthening it."""

    def decorate(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return decorate


def scan_options(command: F) -> F:
    """Every option and argument of `leakstop scan`."""
    from leakstop.report import FORMATS

    return bundle(
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option(
            "--staged", is_flag=True, help="Added lines of the index against HEAD (pre-commit)."
        ),
        click.option(
            "--range",
            "revision_range",
            metavar="A..B",
            help="Added lines of the commits in A..B.",
        ),
        click.option(
            "--pre-push",
            is_flag=True,
            help="Commits a push sends, from git's pre-push lines on stdin (args: [REMOTE "
            "[URL]]) or pre-commit's PRE_COMMIT_FROM_REF/TO_REF.",
        ),
        click.option(
            "--pre-receive",
            is_flag=True,
            help="Server side: commits a push brings that no existing ref reaches, from the "
            "pre-receive hook's '<old> <new> <ref>' lines on stdin.",
        ),
        click.option(
            "--history",
            is_flag=True,
            help="Added lines of every commit reachable from any ref.",
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            help="git processes for commit scans [default: cores].",
        ),
        report_options(FORMATS),
        click.option(
            "--baseline",
            type=click.Path(dir_okay=False),
            help="detect-secrets baseline of accepted findings [default: .secrets.baseline if "
            "present]. For --range, --pre-push and --pre-receive it is read as it is on the "
            "trusted side (the range's base, the remote's or server's current tip), unless "
            "FILE is outside the repository.",
        ),
        click.option("--no-baseline", is_flag=True, help="Ignore any baseline."),
        click.option(
            "--trust-pragmas/--no-trust-pragmas",
            default=None,
            help="Whether `pragma: allowlist secret` comments in the scanned text suppress "
            "findings [default: $LEAKSTOP_TRUST_PRAGMAS, else yes, except for --range, "
            "--pre-push and --pre-receive, where the commits judged could add their own "
            "pragmas].",
        ),
        triage_options("Regenerate each distinct live key at its provider."),
        max_file_size_option(
            "staged and committed changes",
            " Files mode reads a larger file in pieces of this size instead.",
        ),
    )(command)
