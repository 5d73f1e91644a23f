"""Author and tagger fields as git writes them, and as damaged or hand-made objects hold
them: the name is always kept, the date only when it can be read."""

from __future__ import annotations

import pytest

from leakstop.sources.objects import identity


def test_a_well_formed_field_gives_name_and_local_time() -> None:
    assert identity("Ada <ada@example.invalid> 1700000000 +0130") == (
        "Ada <ada@example.invalid>",
        "2023-11-14T23:43:20+01:30",
    )
    assert identity("Ada <a@b> 1700000000 -0500")[1] == "2023-11-14T17:13:20-05:00"


@pytest.mark.parametrize(
    "value",
    [
        "no email at all",
        "Ada <a@b>",  # no date
        "Ada <a@b> soon +0000",  # not a number
        "Ada <a@b> 1700000000 +00",  # a short offset
    ],
)
def test_a_field_without_a_readable_date_is_kept_whole(value: str) -> None:
    assert identity(value) == (value, "")


@pytest.mark.parametrize(
    "value", ["Ada <a@b> 99999999999999999999 +0000", "Ada <a@b> 1700000000 +9999"]
)
def test_a_date_out_of_range_keeps_the_name(value: str) -> None:
    assert identity(value) == ("Ada <a@b>", "")
