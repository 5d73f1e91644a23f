"""Generated messages read right whatever name is filled in ("an ElectronHub key")."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakstop.providers import all_providers
from leakstop.wording import a, article, count
from tests.testing import RunCli, new_key


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("ElectronHub", "an"),
        ("ECGrid", "an"),
        ("Syncline", "a"),
        ("Scrapebit", "a"),
        ("electronhub", "an"),
        ("ecgrid", "an"),
        ("pre-push", "a"),
        ("pre-receive", "a"),
        ("error", "an"),
        ("user", "a"),
        ("hour", "an"),
        ("SSH", "an"),
        ("URL", "a"),
        ("HTTP", "an"),
        ("tag", "a"),
        ("8-character", "an"),
        ("", "a"),
    ],
)
def test_article(word: str, expected: str) -> None:
    assert article(word) == expected
    assert a(word) == f"{expected} {word}"


def test_count() -> None:
    assert count(1, "key") == "1 key"
    assert count(0, "key") == "0 keys"
    assert count(2, "repository", "repositories") == "2 repositories"


def test_every_provider_name_gets_the_right_article_in_a_real_message(
    tmp_path: Path, run_cli: RunCli
) -> None:
    expected = {"electronhub": "an", "ecgrid": "an", "syncline": "a", "scrapebit": "a"}
    assert set(expected) == {p.name for p in all_providers()}
    for provider in all_providers():
        # A well-formed key of another provider: the named provider's rules do not match it.
        other = new_key(
            "scrapebit-api-key" if provider.name == "electronhub" else "electronhub-api-key"
        )
        outcome = run_cli(
            ["rotate", "--provider", provider.name, "--yes"], tmp_path, keys=[other], stdin=other
        )
        assert outcome.code == 2
        assert f"not {expected[provider.name]} {provider.title} key" in outcome.err, outcome.err
