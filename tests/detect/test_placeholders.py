"""Placeholder bodies are recognised; random bodies of every family are not.

Key-shaped values are assembled at run time, so this file holds no key-shaped literal.
"""

from __future__ import annotations

import secrets
import string
import uuid

import pytest

from leakstop.detect.placeholders import is_placeholder, is_placeholder_value
from leakstop.providers import get_rule
from tests.testing import RULE_IDS, new_key

SEED_ELECTRONHUB_BODY = "1234567890abcdef" * 2
SEED_ECGRID_KEY = "-".join(("f9e8d7c6", "b5a4", "3210", "fedc", "ba9876543210"))


@pytest.mark.parametrize(
    "body",
    [
        SEED_ELECTRONHUB_BODY,
        SEED_ECGRID_KEY,
        "x" * 32,
        "X" * 32,
        "0" * 32,
        "-".join(("0" * 8, "0" * 4, "0" * 4, "0" * 4, "0" * 12)),
        "your_key_here_and_more",
        "YOUR_SCRAPEBIT_API_KEY_1",
        "SYNCLINE_USER_KEY",
        "syncline_platform_key",
        "YourSynclineKey",
        "SynclinePlatformApiKey",
        "new_abc123xyz789",
        "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
        "Q7" + "Here" + "9x8z7w6v5u4t3s2r1q0ab",
        "k3J9" + "EXAMPLE" + "q8Lm2Zx7Vb4Nw1Rt6Y",
        "abcdefgh" + "Zq81Lm2Zx7Vb4Nw1Rt6Yp0o9",
        "ab12" * 8,
        "ab1" * 10 + "ab",
        "Zq81Lm2Zx7" + "7" * 8 + "Nw1Rt6Yp0o9ab",
        "deadbeef" * 4,
    ],
)
def test_placeholder_bodies(body: str) -> None:
    assert is_placeholder(body)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_random_bodies_are_not_placeholders(rule_id: str) -> None:
    # keys.new_key itself retries placeholders, so draw bodies the plain way here.
    alphabet = string.ascii_letters + string.digits
    misses = 0
    for _ in range(2000):
        body = (
            str(uuid.uuid4())
            if rule_id == "ecgrid-api-key"
            else "".join(secrets.choice(alphabet) for _ in range(32))
        )
        misses += is_placeholder(body)
    # A real key taken for a placeholder is a missed leak: allow at most a rare accident.
    assert misses <= 2, f"{misses} random {rule_id} bodies were taken for placeholders"
    key = new_key(rule_id)
    assert not is_placeholder(key.removeprefix(get_rule(rule_id).prefix))


def test_mixed_case_word_by_chance_is_not_a_placeholder() -> None:
    # `hErE` inside a random mixed-case body is chance, not a word someone typed.
    assert not is_placeholder("Zq81Lm2Zx7" + "hErE" + "Nw1Rt6Yp0o9aB3cD5eF")
    assert not is_placeholder("Zq81Lm2Zx7" + "XxXx" + "Nw1Rt6Yp0o9aB3cD5eF")


@pytest.mark.parametrize(
    "value",
    [
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",  # Swagger UI's sample
        "3FA85F64-5717-4562-B3FC-2C963F66AFA6",
        "123e4567-e89b-12d3-a456-426614174000",  # RFC 4122 / Wikipedia
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",  # RFC 4122 DNS namespace
        "16fd2706-8baf-433b-82eb-8c7fada847da",  # Python's uuid docs
    ],
)
def test_documented_example_values(value: str) -> None:
    assert is_placeholder_value(value)


def test_random_guids_are_not_documented_values() -> None:
    assert not any(is_placeholder_value(str(uuid.uuid4())) for _ in range(200))
