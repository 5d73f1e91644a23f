"""The unified-diff parser on git's real output shapes: headers, quoting, hunks, skips."""

from __future__ import annotations

from leakstop.findings import Block, Skipped
from leakstop.sources.diff import SUBMODULE, decode_path, parse, unquote_path


def _lines(text: str) -> list[bytes]:
    return [line.encode("utf-8", "surrogateescape") for line in text.splitlines(keepends=True)]


def _parse(text: str, max_bytes: int = 10_000) -> list[Block | Skipped]:
    return list(parse(_lines(text), max_bytes))


def _blocks(items: list[Block | Skipped]) -> list[tuple[str, str, int, list[int]]]:
    return [
        (b.path, b.text, b.first_line, sorted(b.added or ())) for b in items if isinstance(b, Block)
    ]


NEW_FILE = """\
diff --git a/app.py b/app.py
new file mode 100644
index 0000000..1111111
--- /dev/null
+++ b/app.py
@@ -0,0 +1,2 @@
+one
+two
"""


def test_new_file_is_one_block_of_added_lines() -> None:
    assert _blocks(_parse(NEW_FILE)) == [("app.py", "one\ntwo", 1, [1, 2])]


def test_hunks_keep_context_drop_removed_lines_and_number_as_the_new_file() -> None:
    diff = """\
diff --git a/m.txt b/m.txt
index 1111111..2222222 100644
--- a/m.txt
+++ b/m.txt
@@ -10,4 +10,4 @@ def section():
 ctx1
-old
+new
 ctx2
 ctx3
@@ -30 +30,2 @@
 tail
+added
\\ No newline at end of file
"""
    assert _blocks(_parse(diff)) == [
        ("m.txt", "ctx1\nnew\nctx2\nctx3", 10, [11]),
        ("m.txt", "tail\nadded", 30, [31]),
    ]


def test_crlf_content_and_blank_context_lines() -> None:
    diff = "diff --git a/w.txt b/w.txt\n--- a/w.txt\n+++ b/w.txt\n@@ -1,2 +1,3 @@\n"
    diff += " a\r\n\n+b\r\n"  # the empty line is a blank context line (suppressBlankEmpty)
    assert _blocks(_parse(diff)) == [("w.txt", "a\n\nb", 1, [3])]


def test_hunk_with_only_removed_lines_yields_nothing() -> None:
    diff = "diff --git a/r b/r\n--- a/r\n+++ b/r\n@@ -1,2 +0,0 @@\n-x\n-y\n"
    assert _parse(diff) == []


def test_malformed_hunk_header_is_ignored() -> None:
    assert _parse("diff --git a/r b/r\n@@ nonsense @@\n+x\n") == []


def test_path_with_space_drops_the_tab_git_appends() -> None:
    diff = NEW_FILE.replace("app.py", "dir with space/a b.py").replace(
        "+++ b/dir with space/a b.py\n", "+++ b/dir with space/a b.py\t\n"
    )
    assert _blocks(_parse(diff))[0][0] == "dir with space/a b.py"


def test_quoted_paths_are_unquoted() -> None:
    for shown, real in [
        ('"b/new\\nline.py"', "new\nline.py"),
        ('"b/q\\"uote.py"', 'q"uote.py'),
        ('"b/tab\\there"', "tab\there"),
        ('"b/back\\\\slash"', "back\\slash"),
        ('"b/\\303\\251t\\303\\251.txt"', "été.txt"),
    ]:
        diff = NEW_FILE.replace("+++ b/app.py", "+++ " + shown).replace(
            "diff --git a/app.py b/app.py", f"diff --git {shown.replace('b/', 'a/', 1)} {shown}"
        )
        assert _blocks(_parse(diff))[0][0] == real


def test_rename_with_changes_is_named_by_its_new_path() -> None:
    diff = """\
diff --git a/old name.py b/new name.py
similarity index 90%
rename from old name.py
rename to new name.py
index 1111111..2222222 100644
--- a/old name.py\t
+++ b/new name.py\t
@@ -1 +1,2 @@
 kept
+added
"""
    assert _blocks(_parse(diff)) == [("new name.py", "kept\nadded", 1, [2])]


def test_pure_rename_yields_nothing() -> None:
    diff = "diff --git a/a.txt b/b.txt\nsimilarity index 100%\nrename from a.txt\nrename to b.txt\n"
    assert _parse(diff) == []


def test_binary_file_is_named_as_skipped() -> None:
    diff = (
        'diff --git "a/img\\n.png" "b/img\\n.png"\nnew file mode 100644\n'
        'index 0000000..1111111\nBinary files /dev/null and "b/img\\n.png" differ\n'
    )
    assert _parse(diff) == [Skipped("img\n.png", "binary")]


def test_submodule_pointer_is_named_not_scanned() -> None:
    diff = """\
diff --git a/vendor/lib b/vendor/lib
new file mode 160000
index 0000000..1234567
--- /dev/null
+++ b/vendor/lib
@@ -0,0 +1 @@
+Subproject commit 1234567890123456789012345678901234567890
"""
    assert _parse(diff) == [Skipped("vendor/lib", SUBMODULE)]
    bumped = diff.replace("new file mode 160000\nindex 0000000..1234567", "index 1..2 160000")
    assert _parse(bumped) == [Skipped("vendor/lib", SUBMODULE)]


def test_lfs_pointer_and_nul_content_are_skipped() -> None:
    lines = ["version https://git-lfs.github.com/spec/v1", "oid sha256:" + "ab" * 32, "size 12"]
    pointer = NEW_FILE.replace("+1,2 @@\n+one\n+two\n", "+1,3 @@\n+" + "\n+".join(lines) + "\n")
    [skipped] = _parse(pointer)
    assert isinstance(skipped, Skipped) and skipped.reason.startswith("git-lfs pointer")
    # Only the whole shape is a pointer: the same lines and one more are text.
    longer = pointer.replace("+1,3 @@", "+1,4 @@") + "+more\n"
    assert [type(item) for item in _parse(longer)] == [Block]
    forced_text = NEW_FILE.replace("+one\n", "+o\x00ne\n")  # `diff` attribute on a binary
    assert _parse(forced_text) == [Skipped("app.py", "binary")]


def test_oversized_change_is_named_once_with_the_limit() -> None:
    big = "diff --git a/big b/big\n--- /dev/null\n+++ b/big\n@@ -0,0 +1,3 @@\n"
    big += "+" + "x" * 60 + "\n+" + "y" * 60 + "\n+z\n"
    big += "@@ -10,0 +11 @@\n+w\n" + NEW_FILE
    items = _parse(big, max_bytes=100)
    assert items[0] == Skipped("big", "too large (the change is over the limit of 100 bytes)")
    assert _blocks(items[1:]) == [("app.py", "one\ntwo", 1, [1, 2])]


def test_unquote_edge_cases() -> None:
    assert unquote_path(b"plain") == "plain"
    assert unquote_path(b'"a\\1b"') == "a\x01b"  # short octal escape
    assert unquote_path(b'"unknown\\zescape"') == "unknownzescape"
    assert unquote_path(b'"trailing\\"') == "trailing\\"  # malformed: kept as is
    assert decode_path(b"caf\xe9") == "caf\\xe9"  # not UTF-8: shown escaped, never raises


def test_header_path_without_hunks_or_plus_line() -> None:
    odd = 'diff --git "a/x" b/y\nBinary files differ\n'
    assert _parse(odd) == [Skipped("y", "binary")]
    unnamed = "diff --git a/x b/yy\nBinary files differ\n"
    assert _parse(unnamed) == []


def test_no_newline_marker_inside_a_hunk_and_deleted_target() -> None:
    diff = """\
diff --git a/n b/n
--- a/n
+++ b/n
@@ -1 +1 @@
-old
\\ No newline at end of file
+new
diff --git a/gone b/gone
deleted file mode 100644
--- a/gone
+++ /dev/null
@@ -1 +0,0 @@
-bye
"""
    assert _blocks(_parse(diff)) == [("n", "new", 1, [1])]


def test_renames_and_shown_paths_are_reported_to_the_caller() -> None:
    diff = """\
diff --git a/old.bin b/new.bin
similarity index 90%
rename from old.bin
rename to new.bin
index 1111111..2222222 100644
Binary files a/old.bin and b/new.bin differ
diff --git a/t.txt b/t.txt
--- a/t.txt
+++ b/t.txt
@@ -1 +1 @@
-x
+y
"""
    renamed: dict[str, str] = {}
    shown: set[str] = set()
    items = list(parse(_lines(diff), 1000, renamed, shown))
    assert items[0] == Skipped("new.bin", "binary")
    assert renamed == {"new.bin": "old.bin"}
    assert shown == {"new.bin", "t.txt"}


def test_nul_in_a_later_hunk_names_the_file_once_and_drops_the_rest() -> None:
    diff = "diff --git a/f b/f\n--- a/f\n+++ b/f\n"
    diff += "@@ -10 +10 @@\n-a\n+b\x00c\n@@ -20 +20 @@\n-d\n+e\n"
    assert _parse(diff) == [Skipped("f", "binary")]


def test_chunks_of_paths_for_git_command_lines() -> None:
    from leakstop.sources.staged import path_chunks

    assert list(path_chunks(["a", "b", "c", "d"], 2)) == [["a", "b"], ["c", "d"]]
    assert list(path_chunks(["a", "b", "c"], 2)) == [["a", "b"], ["c"]]
    assert list(path_chunks([], 2)) == []
