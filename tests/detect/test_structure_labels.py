"""The name a GUID is bound to, read from the constructs around it, in the corners the
format tests do not reach: values with no name at all, generic names with no sibling to
lend a better one, rows and lists read by position, and the bounds of every backward or
forward look (so a far-away name never labels a value)."""

from __future__ import annotations

import uuid

import pytest

from leakstop.detect.engine import Block, Detector
from leakstop.detect.structure import Label, LabelKind, enclosure, label_of, titles
from leakstop.providers import all_rules

_KEY, _OTHER, _NONE = LabelKind.KEY, LabelKind.OTHER, LabelKind.NONE


def _at(template: str) -> tuple[str, int, int]:
    """`template` with its `§` replaced by a fresh GUID, and the GUID's span."""
    value = str(uuid.uuid4())
    text = template.replace("§", value)
    start = text.index(value)
    return text, start, start + len(value)


def _label(template: str, path: str = "") -> Label:
    text, start, end = _at(template)
    return label_of(text, start, end, path)


@pytest.mark.parametrize(
    ("template", "name", "kind", "bound"),
    [
        # Free text and comments: words, not constructs.
        ('  "§"  # the ECGrid API key\n', "the ECGrid API key", _KEY, False),
        ("123 §\n", "", _NONE, False),
        ("is the §\n", "is the", _NONE, False),  # only linking words before it
        ("f(other, §)\n", "other", _OTHER, False),
        ("x = 1 + (§)\n", "", _NONE, False),  # a parenthesis, but no call
        # Constructs.
        ("https://admin:§@ecgrid.example.invalid/\n", "password", _KEY, True),
        ("api_keys = [other, §]\n", "api_keys", _KEY, True),
        ("secrets:\n\n\n  - §\n", "secrets", _KEY, True),  # blank lines between
        ("x\n  §\n", "x", _OTHER, True),  # the indentation parent
        # A generic name, and nothing beside it that names the value better.
        ('{"a": 1, "value": "§"}\n', "value", _OTHER, True),
        ('<x foo="1" value="§">\n', "value", _OTHER, True),
        ("<value>§</value>\n", "value", _OTHER, True),
        ("<root><value>§</value></root>\n", "value", _OTHER, True),
        ("name: X\nvalue: §", "X", _OTHER, True),  # the text ends on the value
        # ... and a sibling that does.
        ("name: X-Api-Key\nvalue: §\nother: 1\n", "X-Api-Key", _KEY, True),
        ("a: 1\nb: 2\nname: X-Api-Key\nvalue: §\n", "X-Api-Key", _KEY, True),
        ("- value: §\n  name: X-Api-Key\n", "X-Api-Key", _KEY, True),
        ('<setting name="EcgridApiKey"><value>§</value></setting>\n', "EcgridApiKey", _KEY, True),
    ],
)
def test_labels(template: str, name: str, kind: LabelKind, bound: bool) -> None:
    assert _label(template) == Label(name, kind, bound)


def test_a_sibling_name_more_than_twenty_lines_away_is_not_read() -> None:
    filler = "".join(f"k{i}: {i}\n" for i in range(25))
    assert _label(f"name: X-Api-Key\n{filler}value: §\n{filler}").name == "value"
    assert _label(f"value: §\n{filler}name: X-Api-Key\n").name == "value"


@pytest.mark.parametrize(
    ("template", "path", "name"),
    [
        ("a,b,c\n1,2,§\n", "x.csv", "c"),
        ("a,b,c\nf(1,2),§,x\n", "x.csv", "b"),  # a comma inside parentheses is no separator
        ("a\tb\n1\t§\n", "x.tsv", "b"),
        ("INSERT INTO t (a, b) VALUES (now(), '§');\n", "", "t.b"),
        ("INSERT INTO t (a, b) VALUES (f(1, g(2)), '§');\n", "", "t.b"),
        ("INSERT INTO t (a, b, c) VALUES ('x', 'y', '1'),\n  (now(), '§', 'z');\n", "", "t.b"),
        ("COPY t (a, b) FROM stdin;\nx\t§\n\\.\n", "", "t.b"),
    ],
)
def test_columns_by_position(template: str, path: str, name: str) -> None:
    assert _label(template, path).name == name


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("a,b\n1,2,§\n", "x.csv"),  # more fields than the header names
        ("INSERT INTO t (a, b) VALUES (f(1), ('x'), '§');\n", ""),  # a third value
        ("INSERT INTO t (a, b) VALUES ('x', 'y'), 1) '§'\n", ""),  # after the row closed
        ("INSERT INTO t (a) VALUES §\n", ""),  # no row
        ("'§' then INSERT INTO t (a) VALUES ('x');\n", ""),  # before the statement
        ("COPY t (a, b) FROM stdin;\nx\ty\n\\.\n§\n", ""),  # after the data ends
        ("COPY t (a) FROM stdin;\nx\ty\t§\n\\.\n", ""),  # more fields than columns
    ],
)
def test_no_column_name_outside_the_table(template: str, path: str) -> None:
    label = _label(template, path)
    assert not label.name.startswith("t.")
    assert label.name not in ("a", "b", "c")


def test_an_ecgrid_key_after_a_function_call_in_its_row_is_found() -> None:
    """A SQL row with `now()` before the key: the row's own parenthesis, not the call's,
    starts the count (the key was missed before)."""
    text, start, end = _at(
        "INSERT INTO ecgrid_accounts (id, created_at, api_key, mailbox_id)\n"
        "VALUES ('00000000-0000-4000-8000-00000000000a', now(), '§', "
        "'00000000-0000-4000-8000-00000000000b');\n"
    )
    hits = Detector(all_rules()).scan(Block(path="db/seed.sql", text=text))
    assert [(h.secret, h.confidence) for h in hits if h.rule.id == "ecgrid-api-key"] == [
        (text[start:end], "certain")
    ]


def test_titles_stop_after_a_few_lines() -> None:
    text, start, _ = _at("name: a\n" * 12 + "§\n")
    assert titles(text, start) == ["name: a"] * 9


def test_enclosure_reads_at_most_sixty_four_levels_of_indentation() -> None:
    text, start, end = _at("".join(" " * i + f"l{i}:\n" for i in range(70)) + " " * 70 + "v: §\n")
    heads = enclosure(text, start, end).heads
    assert heads[:2] == ("l69:", "l68:")
    assert len([h for h in heads if h.startswith("l")]) == 64


def test_a_continued_command_is_bounded_both_ways() -> None:
    above = "".join(f"a{i} \\\n" for i in range(45))
    below = "".join(f"b{i} \\\n" for i in range(45))
    text, start, end = _at(f"{above}--key § \\\n{below}end\n")
    [command] = [u for u in enclosure(text, start, end).units if "--key" in u]
    assert "a5 \\" in command and "a4 \\" not in command  # 40 lines up
    assert "b39 \\" in command and "b40 \\" not in command  # 40 lines down
