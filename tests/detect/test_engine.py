"""The detection engine on blocks of text: what counts as a key, where it is, and what not.

Every key and key-shaped decoy is assembled at run time (tests/testing.py).
"""

from __future__ import annotations

import time
import uuid

import pytest

from leakstop.detect.engine import (
    CONTEXT_CHARS,
    CONTEXT_LINES,
    CONTEXT_LINES_AFTER,
    LABEL_CHARS,
    Detector,
)
from leakstop.findings import Block
from leakstop.providers import all_rules, get_rule
from tests.testing import RULE_IDS, hex_key, new_key

DETECTOR = Detector(all_rules())

# Lines that give each family what it needs to count (context for the contextual ones).
_LINE = {
    "ecgrid-api-key": 'ECGRID_API_KEY="{key}"',
    "syncline-platform-key": 'SYNCLINE_PLATFORM_KEY="{key}"',
}


def found(
    text: str, path: str = "app/config.txt", **block: object
) -> list[tuple[str, str, int, int]]:
    hits = DETECTOR.scan(Block(path, text, **block))  # type: ignore[arg-type]
    return [(h.rule.id, h.secret, h.line, h.column) for h in hits]


def secrets_in(text: str, path: str = "app/config.txt") -> list[str]:
    """The keys reported with certainty (blocking)."""
    hits = DETECTOR.scan(Block(path, text))
    return [h.secret for h in hits if h.confidence == "certain"]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_family_is_found_with_line_and_column(rule_id: str) -> None:
    key = new_key(rule_id)
    line = _LINE.get(rule_id, 'KEY="{key}"').format(key=key)
    text = "first line\n\n" + line + "\n"
    assert found(text) == [(rule_id, key, 3, line.index(key) + 1)]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_key_at_very_start_and_very_end_of_block(rule_id: str) -> None:
    key = new_key(rule_id)
    text = _LINE[rule_id].format(key=key).replace('"', "") if rule_id in _LINE else key
    assert secrets_in(text) == [key]
    assert secrets_in(text + "\n") == [key]


@pytest.mark.parametrize(
    "rule_id", ["electronhub-api-key", "scrapebit-api-key", "scrapebit-test-key"]
)
def test_fixed_length_bodies_must_be_exact(rule_id: str) -> None:
    key = new_key(rule_id)
    assert secrets_in(f"k={key[:-1]}\n") == []  # 31 characters
    assert secrets_in(f"k={key}Q\n") == []  # 33 characters
    assert secrets_in(f"k={key}\n") == [key]


def test_sha1_after_electronhub_prefix_is_not_a_key() -> None:
    assert secrets_in(f"k={hex_key('ek-', 40)}\n") == []
    assert secrets_in(f"k={hex_key('ek-', 64)}\n") == []
    assert secrets_in(f"k={hex_key('ek-', 32)}\n") != []


@pytest.mark.parametrize("glue", ["my", "x", "_", "-", "9"])
def test_prefix_inside_a_longer_word_is_not_a_key(glue: str) -> None:
    for rule_id in ("electronhub-api-key", "scrapebit-api-key", "syncline-user-key"):
        key = new_key(rule_id)
        assert secrets_in(f"v={glue}{key}\n") == []
        if rule_id != "syncline-user-key":  # there `…x` just makes a longer body
            assert secrets_in(f"v={key}{glue}\n") == []


def test_guid_glued_to_more_hex_is_not_a_key() -> None:
    guid = str(uuid.uuid4())
    assert secrets_in(f"ecgrid api_key=0{guid}\n") == []
    assert secrets_in(f"ecgrid api_key={guid}-00\n") == []
    assert secrets_in(f"ecgrid api_key={{{guid}}}\n") == [guid]


def test_variable_length_bodies_have_an_upper_bound() -> None:
    body = "".join(new_key("syncline-user-key").removeprefix("sk_user_") for _ in range(5))
    assert secrets_in("k=sk_user_" + body[:128] + "\n") != []
    assert secrets_in("k=sk_user_" + body[:129] + "\n") == []
    assert secrets_in("k=sk_user_" + body[:15] + "\n") == []


@pytest.mark.parametrize(
    ("before", "counts"),
    [
        ("\\n", True),  # "…\nek-…" inside a JSON string
        ("\\t", True),
        ("\\\\n", False),  # an escaped backslash, then a plain `n` glued to the key
        ("\\u0022", True),
        ("\\x27", True),
        ("%3D", True),  # URL-encoded `=`
        ("%3", False),
        ("\\q", False),
    ],
)
def test_escapes_before_a_key(before: str, counts: bool) -> None:
    key = new_key("electronhub-api-key")
    assert secrets_in(f'"text{before}{key}"\n') == ([key] if counts else [])


def test_truncated_examples_are_not_keys() -> None:
    key = new_key("syncline-user-key")
    assert secrets_in(f"shown: {key}...\n") == []
    assert secrets_in(f"shown: {key}…\n") == []
    assert secrets_in(f"shown: {key}.\n") == [key]


def test_same_key_twice_on_a_line_is_one_hit_and_on_two_lines_two() -> None:
    key = new_key("scrapebit-api-key")
    assert len(found(f"a={key} b={key}\nc={key}\n")) == 2


def test_two_different_keys_on_one_line_in_column_order() -> None:
    first, second = new_key("scrapebit-api-key"), new_key("electronhub-api-key")
    text = f"{first},{second}"
    assert [(s, c) for _, s, _, c in found(text)] == [(first, 1), (second, len(first) + 2)]


def test_crlf_lines() -> None:
    key = new_key("scrapebit-test-key")
    assert found(f"a=1\r\nk={key}\r\nb=2\r\n") == [("scrapebit-test-key", key, 2, 3)]


def test_added_lines_and_first_line_number() -> None:
    old, new = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    text = f"x={old}\ny={new}\n"
    assert found(text, first_line=10, added=frozenset({11})) == [
        ("electronhub-api-key", new, 11, 3)
    ]
    assert found(text, first_line=10, added=frozenset()) == []


# -- contextual rules --------------------------------------------------------------------


def test_stripe_style_key_needs_syncline_context() -> None:
    key = new_key("syncline-platform-key")
    assert secrets_in(f"STRIPE_SECRET_KEY={key}\n") == []
    assert secrets_in(f"PLATFORM_KEY={key}\n", path="config/syncline.env") == [key]
    assert secrets_in(f"platform_key: {key}  # syncline\n") == [key]
    assert secrets_in(f"url = 'https://api.syncline.run'; key = '{key}'\n") == [key]


def test_context_lines_above_count_only_so_far() -> None:
    key = new_key("syncline-platform-key")
    near = "syncline:\n" + "  a: 1\n" * (CONTEXT_LINES - 1) + f"  key: {key}\n"
    far = "syncline:\n" + "  a: 1\n" * CONTEXT_LINES + f"  key: {key}\n"
    assert secrets_in(near) == [key]
    assert secrets_in(far) == []
    below = f"key: {key}\n" + "a: 1\n" * (CONTEXT_LINES_AFTER - 1) + "provider: syncline\n"
    too_far_below = f"key: {key}\n" + "a: 1\n" * CONTEXT_LINES_AFTER + "provider: syncline\n"
    assert secrets_in(below) == [key]
    assert secrets_in(too_far_below) == []


def test_stripe_named_on_the_line_is_not_syncline() -> None:
    """A .env with both products: each `sk_live_` key goes with the name on its own line."""
    stripe, platform = new_key("syncline-platform-key"), new_key("syncline-platform-key")
    text = (
        f"SYNCLINE_USER_KEY={new_key('syncline-user-key')}\n"
        f"STRIPE_SECRET_KEY={stripe}\n"
        f"SYNCLINE_PLATFORM_KEY={platform}\n"
        f"stripe.api_key = '{stripe}'\n"
    )
    assert secrets_in(text)[1:] == [platform]
    assert secrets_in(f"KEY={platform}  # syncline, not stripe\n") == [platform]


def test_curl_url_after_the_header_is_context() -> None:
    guid = str(uuid.uuid4())
    curl = f'curl -H "X-API-Key: {guid}" \\\n  https://rest.ecgrid.io/v2/users/me\n'
    assert secrets_in(curl) == [guid]
    long_line = f"X-API-Key: {guid} " + "x" * LABEL_CHARS + "\nhttps://rest.ecgrid.io\n"
    assert secrets_in(long_line) == []


def test_context_on_a_long_line_must_be_near() -> None:
    key = new_key("syncline-platform-key")
    filler = "a" * 10 + " "
    near = "syncline " + filler * 10 + f'"{key}"'
    far = "syncline " + filler * (CONTEXT_CHARS // len(filler) + 1) + f'"{key}"'
    assert secrets_in(near) == [key]
    assert secrets_in(far) == []
    after_far = f'"{key}"' + " " * (LABEL_CHARS + 1) + "syncline"
    assert secrets_in(after_far) == []


def test_ecgrid_guid_needs_ecgrid_context_and_a_credential_label() -> None:
    guid = str(uuid.uuid4())
    assert secrets_in(f'API_KEY = "{guid}"\n') == []  # no ECGrid anywhere
    assert secrets_in(f'ecgrid_request_id = "{guid}"\n') == []  # not named as a credential
    assert secrets_in(f'ECGRID_API_KEY="{guid}"\n') == [guid]
    assert secrets_in(f'API_KEY = "{guid}"\n', path="src/ecgrid_client.py") == [guid]
    curl = f'curl https://rest.ecgrid.io/v2/users/me \\\n  -H "X-API-Key: {guid}"\n'
    assert secrets_in(curl) == [guid]
    assert secrets_in(f'ECGRID = "{guid}"  # the API key\n') == [guid]


def test_ecgrid_label_belongs_to_the_nearest_guid() -> None:
    key, other = str(uuid.uuid4()), str(uuid.uuid4())
    line = '{"ECGrid":{"ApiKey":"%s","MailboxId":"%s"}}\n'
    assert secrets_in(line % (key, other)) == [key]
    swapped = '{"ECGrid":{"MailboxId":"%s","ApiKey":"%s"}}\n'
    assert secrets_in(swapped % (other, key)) == [key]
    # A label binds its value however much space is between them; another value breaks it.
    assert secrets_in("ecgrid api key:" + " " * LABEL_CHARS + key) == [key]
    assert secrets_in(f"ecgrid api key: none, request id: {other}\n") == []


@pytest.mark.parametrize(
    "path",
    [
        "App.sln",
        "src/App/App.csproj",
        "package-lock.json",
        "web/yarn.lock",
        "Directory.Build.props",
    ],
)
def test_guids_in_identifier_files_are_never_ecgrid_keys(path: str) -> None:
    guid = str(uuid.uuid4())
    assert secrets_in(f'ECGRID_API_KEY="{guid}"\n', path=path) == []


@pytest.mark.parametrize(
    "path", ["db/migrations/0001_init.py", "tests/fixtures/ecgrid.json", "pkg/testdata/c.yaml"]
)
def test_test_paths_silence_unlabelled_guids_never_labelled_keys(path: str) -> None:
    guid = str(uuid.uuid4())
    assert secrets_in(f'ECGRID_API_KEY="{guid}"\n', path=path) == [guid]
    assert found(f"ecgrid:\n  - {guid}\n", path=path) == []
    assert found(f"ecgrid:\n  - {guid}\n", path="config/c.yaml") != []


def test_rule_ignore_paths_do_not_hide_other_families() -> None:
    key = new_key("electronhub-api-key")
    assert secrets_in(f"k={key}\n", path="package-lock.json") == [key]


# -- placeholders and allowlist pragmas ----------------------------------------------------


def test_placeholders_and_templates_are_not_keys() -> None:
    prefix = "ek" + "-"
    lines = [
        prefix + "x" * 32,
        prefix + "1234567890abcdef" * 2,
        "sk_user_" + "your_key_here",
        "sk_user_" + "YOUR_SYNCLINE_USER_KEY",
        "sb_live_" + "x" * 32,
        prefix + "${ELECTRONHUB_KEY}",
        "sb_live_" + "{{ scrapebit_key }}",
        "sk_user_" + "<SYNCLINE_USER_KEY>",
        "<" + "sk_user_" + "SYNCLINE_USER_API_KEY" + ">",
        "ECGRID_API_KEY=" + "-".join(("f9e8d7c6", "b5a4", "3210", "fedc", "ba9876543210")),
    ]
    assert secrets_in("\n".join(lines) + "\n") == []


@pytest.mark.parametrize(
    ("text", "path", "allowed"),
    [
        ('k = "{key}"  # pragma: allowlist secret', "a.py", True),
        ('k = "{key}"  // pragma: allowlist secret', "a.js", True),
        ('k = "{key}"  /* pragma: allowlist secret */', "a.c", True),
        ("<!-- pragma: allowlist secret --> {key}", "a.md", True),  # as `-- pragma…`
        ("<!-- pragma: allowlist secret --> {key}", "a.yaml", False),
        ('k = "{key}" <!-- pragma: allowlist secret -->', "a.md", True),
        ('k = "{key}"  # pragma: whitelist secret', "a.py", True),
        ('k = "{key}"  # pragma:allowlist-secret', "a.py", True),
        ('k = "{key}"  # PRAGMA: allowlist secret', "a.py", False),
        ('k = "{key} pragma: allowlist secret"', "a.py", False),
        ('k: "{key}"  // pragma: allowlist secret', "a.yaml", False),
        ('k: "{key}"  # pragma: allowlist secret', "a.yaml", True),
        ('# pragma: allowlist nextline secret\nk = "{key}"', "a.py", True),
        ('  // pragma: allowlist nextline secret\r\nk = "{key}"', "a.js", True),
        ('x = 1  # pragma: allowlist nextline secret\nk = "{key}"', "a.py", False),
        ('# pragma: allowlist nextline secret\n\nk = "{key}"', "a.py", False),
        ('# pragma: allowlist secret\nk = "{key}"', "a.py", False),
    ],
)
def test_allowlist_pragmas_as_detect_secrets_reads_them(
    text: str, path: str, allowed: bool
) -> None:
    key = new_key("scrapebit-api-key")
    text = text.format(key=key)
    assert secrets_in(text + "\n", path=path) == ([] if allowed else [key])
    # The expectation is detect-secrets' own reading of the same lines.
    *above, line = text.split("\n")
    assert _detect_secrets_allows(path, line, above[-1] if above else "") is allowed


def _detect_secrets_allows(path: str, line: str, previous: str) -> bool:
    from detect_secrets.filters.allowlist import _get_allowlist_regexes_for_file

    same, nextline = _get_allowlist_regexes_for_file(path)
    return any(r.search(line) for r in same) or any(r.search(previous) for r in nextline)


def test_pragma_covers_only_its_own_line() -> None:
    first, second = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    text = f"a = '{first}'  # pragma: allowlist secret\nb = '{second}'\n"
    assert secrets_in(text) == [second]


# -- speed -----------------------------------------------------------------------------------


def _timed(text: str) -> tuple[float, int]:
    started = time.perf_counter()
    hits = DETECTOR.scan(Block("bundle.min.js", text))
    return time.perf_counter() - started, len(hits)


def test_long_line_full_of_lookalikes_scans_in_linear_time() -> None:
    """A minified line with thousands of near-misses: per-match work stays local, so ten
    times the text takes about ten times as long (a quadratic engine would take 100x)."""
    stripe = get_rule("syncline-platform-key").prefix

    def bundle(units: int) -> str:
        parts = [f'var a="{hex_key(stripe)}";var g="{uuid.uuid4()}";' for _ in range(units)]
        return "/*syncline ecgrid apiKey*/" + "".join(parts)

    small, large = bundle(500), bundle(5_000)
    key = new_key("electronhub-api-key")
    small_time, _ = _timed(small + key)
    large_time, large_hits = _timed(large + key)
    assert large_hits >= 1
    assert large_time < max(small_time, 0.01) * 40, (small_time, large_time)


def test_five_megabyte_line_with_key_at_the_end() -> None:
    key = new_key("scrapebit-api-key")
    text = "x" * (5 * 1024 * 1024) + f";k='{key}'"
    seconds, hits = _timed(text)
    assert hits == 1
    assert seconds < 5, seconds  # generous; typically a few milliseconds
