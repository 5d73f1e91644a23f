"""Small grammar helpers for generated messages, so a name filled in at run time reads right
("an ElectronHub key", "a Syncline key", "1 key", "2 keys")."""

from __future__ import annotations

# Words that start with a vowel letter but a consonant sound, and the reverse.
_CONSONANT_SOUND = ("one", "once", "uni", "use", "usa", "user", "usu", "uti", "eu", "ewe", "uk")
_VOWEL_SOUND = ("hour", "honest", "honor", "honour", "heir")
# Letters whose spoken name starts with a vowel sound, for acronyms ("an SSH key", "a URL").
_VOWEL_LETTERS = set("AEFHILMNORSX")


def article(word: str) -> str:
    """ "a" or "an" for `word`, by how it is spoken (a best effort for English)."""
    text = word.lstrip("\"'`([{")
    if not text:
        return "a"
    lower = text.lower()
    if lower.startswith(_VOWEL_SOUND):
        return "an"
    if lower.startswith(_CONSONANT_SOUND):
        return "a"
    head = text.split("-", 1)[0].split(" ", 1)[0]
    if len(head) > 1 and head.isupper() and head.isalpha():
        return "an" if head[0] in _VOWEL_LETTERS else "a"
    if text[0].isdigit():
        return "an" if text.startswith(("8", "11", "18")) else "a"
    return "an" if lower[0] in "aeiou" else "a"


def a(word: str) -> str:
    """`word` with its indefinite article: "an ElectronHub", "a pre-push"."""
    return f"{article(word)} {word}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 key", "2 keys", "0 repositories" (with `plural` for irregular nouns)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
