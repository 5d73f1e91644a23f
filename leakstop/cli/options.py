"""Options and output handling that several commands share, defined once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from leakstop.errors import LeakstopError
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


def check_triage(rotate: bool, yes: bool, dry_run: bool, deliver_spec: str | None) -> None:
    if (yes or dry_run or deliver_spec) and not rotate:
        raise LeakstopError("--yes, --dry-run and --deliver go with --rotate")


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
    if output:
        try:
            Path(output).write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise LeakstopError(f"cannot write report to {output}: {exc.strerror}") from None
    else:
        click.echo(rendered, nl=False)


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
