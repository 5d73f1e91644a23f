"""What a value in a file is bound to: its label (the name it is assigned to) and its scope
(the sections, parent keys, objects or commands that enclose it), read from the text itself.

Used for key families without a prefix of their own (ECGrid's GUIDs): whether a GUID is an
API key depends on what names it and where it sits, not on words that happen to be nearby.
Nothing here parses a whole format; each helper reads the few constructs that bind a value
to a name in common formats (JSON/YAML/TOML keys, INI/.env names, XML elements and
attributes, HTTP headers, CLI flags, SQL `INSERT … (cols) VALUES (…)`, `{"key": …,
"value": …}` pairs, list items) and the enclosing structure at any distance (brackets,
indentation, INI sections), all bounded in how far they look.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from enum import Enum

from leakstop.lazy_pattern import LazyPattern

# Enclosing brackets, indentation parents, sections and the `INSERT` or `COPY` that
# names a row's columns are found at any distance: they are indexed once per text and
# followed as links, never searched for backwards from each value.
_GROUP_CHARS = 16 * 1024
"""The largest enclosing bracket group whose whole content counts as the value's unit."""
_GROUP_LEVELS = 5
_LINE_CHARS = 240
"""How much of the value's own line, before it, may hold its label."""


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


class LabelKind(Enum):
    KEY = "key"
    """Named as a credential: key, token, secret, password, authorization…"""
    ID = "id"
    """Named as an identifier: X-Request-Id, tenant, mailbox, Idempotency-Key, apiKeyId…"""
    OTHER = "other"
    """Named, but neither (`value`, `ECGRID`, `data`)."""
    NONE = "none"
    """Bound to no name that could be read."""


# Not frozen: internal, never changed once made, and a frozen class costs twice as much to
# create at import, on the hook's path (docs/design.md, "Start-up cost").
@dataclass(slots=True)
class Label:
    name: str
    kind: LabelKind
    bound: bool = True
    """Whether a construct binds the value to the name (False: words of free text)."""


_KEY_WORDS = _set(
    "key keys apikey apikeys token tokens secret secrets credential credentials creds cred "
    "password passwords passwd pwd pass passphrase auth authorization authorisation authkey "
    "accesskey apitoken xapikey bearer subscriptionkey"
)
# A word after which a name is about something else than the credential itself.
_ID_LAST = _set(
    "id ids uid uids uuid uuids guid guids identifier identifiers ref refs reference number num no "
    "name names type types hash version url uri urls path host header headers prefix suffix "
    "hint length format mask field column label count index etag integrity checksum digest "
    "nonce seq sequence expiry expires expiration created updated date time at rotated "
    "fingerprint location file filename env var variable hmac signature salt"
)
# Keys that are not credentials: `Idempotency-Key`, `partitionKey`, `X-Request-Key`…
_KEY_QUALIFIERS = _set(
    "idempotency idempotence partition row primary foreign sort sorting cache lookup dedup "
    "dedupe unique composite natural surrogate routing shard registry public map dictionary "
    "dict hash object group message event correlation request trace tracking sequence entity "
    "record column concurrency etag storage blob table queue s3 bucket license translation "
    "i18n resource resx localization"
)
_ID_NOUNS = _set(
    "request correlation trace span tenant mailbox mailboxes user users parcel interchange "
    "idempotency session transaction message msg order customer account network device "
    "instance subscription object org organization organisation project partner document "
    "batch job run build commit event entity record item product package node workspace team "
    "group role member contact company client app application activity operation conversation "
    "thread trading tracking routing resource asset folder directory container volume release "
    "deployment region zone site store merchant invoice payment shipment sender receiver "
    "mailbag edi x12 uuid guid solution assembly component type class interface typelib clsid "
    "iid appid product upgrade namespace schema migration revision correlationid requestid "
    "traceid"
)
_GLUED_FIRST = _ID_NOUNS | _KEY_QUALIFIERS | frozenset({"ecgrid", "api", "my", "app", "access"})
_WORD = LazyPattern(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_|$)|[A-Z]?[a-z]+|[A-Z]+|\d+")


def words(name: str) -> list[str]:
    """`X-API-Key` → [x, api, key]; `apiKeyId` → [api, key, id]; `ECGrid__ApiKey` →
    [ec, grid, api, key] (and `ecgrid` kept whole where it is written lower-case)."""
    found = [w.lower() for w in _WORD.findall(name)]
    # Join the product's own name back (`ECGrid` splits as EC + Grid).
    joined: list[str] = []
    for word in found:
        if joined and joined[-1] == "ec" and word == "grid":
            joined[-1] = "ecgrid"
        else:
            joined.extend(_unglued(word))
    return joined


# The last word of a name written without separators (`ECGRID__NETWORKID`, `mailboxid`,
# `ECGRIDAPIKEY`), split off only where what precedes it is a known word, so that
# `INSTRUMENTATIONKEY` or `android` stay whole.
_GLUED_LAST = ("apikey", "token", "secret", "key", "keys", "guid", "uuid", "uid", "ids", "id")


def _unglued(word: str) -> list[str]:
    if word in _KEY_WORDS or word in _GLUED_FIRST or len(word) < 4:
        return [word]
    for last in _GLUED_LAST:
        first = word[: -len(last)]
        if word.endswith(last) and len(first) >= 2:
            head = _unglued(first)
            if len(head) > 1 or first in _GLUED_FIRST or first in _KEY_WORDS:
                return [*head, last]
    return [word]


def classify(name: str) -> LabelKind:
    """What a name says about the value bound to it."""
    parts = [w for w in words(name) if not w.isdigit() and w not in ("value", "val", "x")]
    if not parts:
        return LabelKind.OTHER
    if parts[-1] in _ID_LAST:
        return LabelKind.ID
    last_key = max((i for i, w in enumerate(parts) if w in _KEY_WORDS), default=-1)
    if last_key >= 0:
        before = parts[last_key - 1] if last_key > 0 else ""
        if before in _KEY_QUALIFIERS:
            return LabelKind.ID
        return LabelKind.KEY
    if any(w in _ID_NOUNS or w in _ID_LAST for w in parts):
        return LabelKind.ID
    return LabelKind.OTHER


# Words that qualify a credential's name without naming whose it is (`X-API-Key`,
# `PROD_SECRET`, `userKey`): any other word (`PAYMENTS_API_KEY`) names another product.
_PLAIN_QUALIFIERS = _set(
    "api x my the a an app application service svc access auth prod production dev develop "
    "development test testing staging stage qa uat default primary secondary user account "
    "master main private new old current live rest web http https portal admin system "
    "global shared local env os config cfg settings setting conf options client integration "
    "partner customer personal team org organization read write readonly full root sandbox "
    "s v1 v2 v3 environ get set var const let static readonly public string self this "
    "headers header request requests params data payload body edi van x12 edifact as2 os "
    "gateway sync bridge connector"
)


# Names of sections and objects that organise a file rather than say whose a value is.
_STRUCTURAL = _set(
    "values value items item list entries entry variables variable vars env environment "
    "environments spec specs properties props parameters params request requests response "
    "configuration defaults common info general connection connections integrations "
    "providers provider clients apis endpoint endpoints accounts tokens vault store security "
    "schemes securityschemes components examples example fields payload query path paths "
    "definitions schema schemas steps jobs job with inputs outputs args arguments template "
    "metadata stringdata root containers container services service appsettings "
    "credentials secrets keys collection variable auth apikey bearer source sources cells "
    "cell outputs output text lines content contents body nodes children elements objects "
    "records rows files documents sections blocks resources modules plugins extensions "
    "features flags overrides profiles targets stages tasks commands scripts hooks events "
    "handlers routes matrix strategy globals locals context contexts state meta annotations "
    "labels selector volumes mounts ports networks deploy build image log entries har "
    "creator pages cookies querystring postdata mimetype exec script event listen"
)


def names_another_product(label: str, parent: bool = False) -> bool:
    """A credential name (or, with `parent`, a section's name) with a word that says whose
    it is, beyond plain qualifiers: `STRIPE_API_KEY`, `payments:`, `"AzureAd": {`. The
    caller has checked it does not name ours."""
    last = label.rsplit(".", 1)[-1]
    parts = [w for w in words(last) if not w.isdigit()]
    plain = _PLAIN_QUALIFIERS | _STRUCTURAL if parent else _PLAIN_QUALIFIERS
    return any(w not in _KEY_WORDS and w not in plain for w in parts)


_COMMENT_LINE = LazyPattern(r"[ \t]*(?:#|//|;|--|<!--|/\*|\*)")
_NAME_LINE = LazyPattern(r"[ \t]{0,6}[\"']?(?:name|title)[\"']?[ \t]*[:=]")
_TITLE_CHARS = 600
_TITLE_LINES = 8


def titles(text: str, start: int) -> list[str]:
    """What names a whole file at its top: its leading comment block, or a `name` / `title`
    among its first lines (a Postman collection's, an OpenAPI document's)."""
    found: list[str] = []
    leading_comments = True
    for line in text[: min(start, _TITLE_CHARS)].split("\n")[:-1]:
        if not line.strip():
            continue
        if _COMMENT_LINE.match(line):
            if leading_comments:
                found.append(line)
            continue
        leading_comments = False
        if _NAME_LINE.match(line):
            found.append(line)
        if len(found) > _TITLE_LINES:
            break
    return found


_SCOPE_NAMES = (
    LazyPattern(r"^\[+\s*([^\]\n]+?)\s*\]+"),  # INI / TOML section
    LazyPattern(r"^<([A-Za-z_][\w:.\-]*)(?=[\s>/])(?:[^>]*\bname\s*=\s*[\"']([^\"']+))?"),
    LazyPattern(
        r"^-?\s*[\"']?([A-Za-z_$@][\w.\-$@ ]*?)[\"']?\s*(?::|=|=>)\s*(?:[|>][-+]?)?\s*[\[{(]?$"
    ),  # HCL block (`variable "ecgrid_api_key" {`, `provider "ecgrid" {`): its last label
    LazyPattern(r'^[A-Za-z_][\w\-]*(?:\s+"[^"\n]+")*\s+"([^"\n]+)"\s*\{$'),
)


def scope_name(head: str) -> str | None:
    """The name of a section, mapping key, object key or element that opens `head`
    (`[stripe]`, `payments:`, `"AzureAd": {`, `<ECGrid>`, HCL's `variable "ecgrid_key" {`);
    None for calls, blocks, code."""
    for pattern in _SCOPE_NAMES:
        match = pattern.match(head.strip())
        if match is not None:
            return (match.group(match.lastindex or 1) or "").strip() or None
    return None


# -- the label -----------------------------------------------------------------------------
_OPENERS = "\"'`{([ \t\\"
# `NAME = `, `NAME: `, `"NAME": `, `NAME := `, `NAME => `, `os.environ["NAME"] = `
_ASSIGN = LazyPattern(r"([A-Za-z_$@][\w$@.\-]*)[\"'\]\s\\]*(?::=|=>|->|[:=])\s*\Z")
# `var correlation = Guid.Parse(`, `key := uuid.MustParse(`: the name assigned the call's value.
_CALL_ASSIGN = LazyPattern(
    r"([A-Za-z_$@][\w$@.\-]*)[\"'\]\s]*(?::=|=>|[:=])\s*(?:new\s+)?[\w$.<>]+\(\s*\Z"
)
_CALL = LazyPattern(r"(?:new\s+)?([A-Za-z_$][\w$.]*)\(\s*\Z")
_XML_ELEMENT = LazyPattern(r"<([A-Za-z_][\w:.\-]*)(?:\s[^<>]*)?>\s*\Z")
_PAIR = LazyPattern(r"[\"']([^\"'\n]{1,80})[\"']\s*,\s*\Z")
_FLAG = LazyPattern(r"(?:^|\s)(--?[A-Za-z][\w\-]*)(?:\s+|=)\Z")
_COMMAND = LazyPattern(r"(?:^|\s)(?:ENV|ARG|setx|set|export|SET)\s+([A-Za-z_][\w.\-]*)\s+\Z")
_BEARER = LazyPattern(r"\b(?:Bearer|Basic|Token|ApiKey)\s+\Z", re.IGNORECASE)
_URL_USERINFO = LazyPattern(r"://[^/\s@:]*:\Z")
_URL_PATH = LazyPattern(r"https?://\S*/\Z|(?:^|\s)/[\w\-/{}.]*/\Z")
_TABLE_CELL = LazyPattern(r"\|\s*([^|\n]{1,60}?)\s*\|\s*\Z")
_GENERIC = _set("value val default example examples x-example content data text current string")
_SIBLING_NAME = LazyPattern(
    r"[\"']?(?:key|name|header|field|id|variable|setting)[\"']?\s*[:=]\s*[\"']([^\"'\n]{1,80})[\"']"
    r"|(?:^|\n)\s*-?\s*(?:key|name|header)\s*:\s*([^\s\"'#][^\n#]{0,79})",
    re.IGNORECASE,
)
_SQL_INSERT = LazyPattern(
    r"\bINSERT\s+(?:INTO\s+)?[\w.\"`\[\]]+\s*\(([^()]{1,2000})\)\s*VALUES\s*",
    re.IGNORECASE,
)
_FREE_WORDS = LazyPattern(r"([A-Za-z][\w\-]*(?:[ \t]+[A-Za-z][\w\-]*){0,3})\W{0,4}\Z")
_COMMENT_AFTER = LazyPattern(r"(?:#|//|--|;|/\*|<!--)\s*(.{1,80})")


def label_of(text: str, start: int, end: int, path: str = "") -> Label:
    """The name the value at `text[start:end]` is bound to, and what that name says."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[max(line_start, start - _LINE_CHARS) : start]
    found = (
        _csv_column(text, start, line_start, path)
        or _sql_column(text, start)
        or _copy_column(text, start, line_start)
        or _label_before(text, before, start, end, line_start)
    )
    if found is None and not before.strip(_OPENERS + "-,>|"):
        found = _label_of_bare_value(text, line_start, line_end, start, end, path)
    if found is not None:
        kind = classify(found)
        if found.endswith("()"):  # an argument: a credential only if the call says so
            kind = LabelKind.KEY if kind is LabelKind.KEY else LabelKind.OTHER
        if kind is LabelKind.OTHER:
            trailing = _trailing_comment(text[end:line_end])
            if trailing is not None and classify(trailing) is not LabelKind.OTHER:
                return Label(found + " " + trailing, classify(trailing))
        return Label(found, kind)
    trailing = _trailing_comment(text[end:line_end])
    if trailing is not None:
        return Label(trailing, classify(trailing), bound=False)
    free = _FREE_WORDS.search(before)
    if free is not None:
        return Label(free.group(1), _classify_free(free.group(1)), bound=False)
    return Label("", LabelKind.NONE, bound=False)


_LINKING = _set("is are was be set to as for of the a an your our its here now")


def _classify_free(phrase: str) -> LabelKind:
    """Free text (`your ECGrid API key is`): what the words just before the value say,
    past linking words (`rotated the key for user GUID` names a user)."""
    parts = [w for w in words(phrase) if not w.isdigit()]
    while parts and parts[-1] in _LINKING:
        parts.pop()
    near = parts[-2:]
    if not near:
        return LabelKind.NONE
    if any(w in _KEY_WORDS for w in near) and near[-1] not in _ID_LAST:
        return LabelKind.ID if len(near) > 1 and near[0] in _KEY_QUALIFIERS else LabelKind.KEY
    return classify(" ".join(near))


def _trailing_comment(after: str) -> str | None:
    match = _COMMENT_AFTER.search(after[:160])
    return match.group(1).strip() if match else None


def _label_before(text: str, before: str, start: int, end: int, line_start: int) -> str | None:
    stripped = before.rstrip(_OPENERS)
    if _BEARER.search(before):
        return "Authorization"
    if _URL_USERINFO.search(stripped):
        return "password"
    if _URL_PATH.search(stripped):
        return "path id"
    element = _XML_ELEMENT.search(stripped)
    if element is not None:
        name = element.group(1)
        if name.lower() in _GENERIC or name.lower() in ("add", "setting", "string"):
            return _element_owner(text, start) or name
        return name
    assign = _ASSIGN.search(stripped)
    if assign is not None:
        name = assign.group(1)
        if name.lower() in _GENERIC:
            return _sibling_name(text, start, end) or name
        return name
    pair = _PAIR.search(stripped)
    if pair is not None:
        return pair.group(1)
    if before.rstrip(" \t\"'`").endswith("("):
        call = _CALL_ASSIGN.search(stripped + "(")
        if call is not None:
            return call.group(1)
        call = _CALL.search(stripped + "(")
        if call is not None:
            return call.group(1) + "()"
    flag = _FLAG.search(before.rstrip("\"'"))
    if flag is not None:
        return flag.group(1)
    command = _COMMAND.search(before.rstrip("\"'"))
    if command is not None:
        return command.group(1)
    cell = _TABLE_CELL.search(stripped)
    if cell is not None:
        return cell.group(1)
    listed = _list_owner(text, stripped, line_start)
    if listed is not None:
        return listed
    return None


def _list_owner(text: str, stripped: str, line_start: int) -> str | None:
    """`NAMES = ["a", "b", GUID]` / `names: [a, GUID]`: the name that owns the list."""
    if not stripped.endswith((",", "[")):
        return None
    bracket = _enclosing_opener(text, line_start + len(stripped))
    if bracket is None or text[bracket] != "[":
        return None
    head = text[max(0, bracket - _LINE_CHARS) : bracket].rstrip()
    assign = _ASSIGN.search(head)
    return assign.group(1) if assign is not None else None


def _sibling_name(text: str, start: int, end: int) -> str | None:
    """The `key`/`name` beside a generic `value` in the same object: Postman and HAR
    headers, `<add key=… value=…/>`, Kubernetes `env` items, OpenAPI parameters."""
    low = max(0, start - 600)
    item = _yaml_item_start(text, start, low)
    segments: tuple[str, str]
    if item is not None:
        indent = _indent(text, item)
        stop = re.compile(rf"\n[ \t]{{0,{indent}}}\S").search(text, end, end + 400)
        segments = (text[item:start], text[end : stop.start() if stop else end + 200])
    elif _YAML_PAIR.match(text, text.rfind("\n", 0, start) + 1):
        segments = _mapping_siblings(text, start, end)
    else:
        tag = text.rfind("<", low, start)
        opener = _enclosing_opener(text, start)
        if tag > (opener if opener is not None else -1) and ">" not in text[tag:start]:
            close = text.find(">", end, end + 400)
            segments = (text[tag:start], text[end : close if close >= 0 else end])
        elif opener is not None and opener >= low and text[opener] == "{":
            index = _brackets_of(text)
            close = index.close.get(bisect.bisect_left(index.positions, opener), end + 400)
            segments = (text[opener:start], text[end : min(close, end + 400)])
        else:
            return None
    for segment in segments:
        for match in _SIBLING_NAME.finditer(segment):
            name = (match.group(1) or match.group(2) or "").strip()
            if not _GUID_LIKE.search(name):  # `"id": GUID` beside `"key": "tenant"`
                return name
    return None


_GUID_LIKE = LazyPattern(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-")


_NAME_ATTRIBUTE = LazyPattern(r"\b(?:name|key)\s*=\s*[\"']([^\"'\n]{1,80})[\"'][^<]*>[^<]*\Z")


def _element_owner(text: str, start: int) -> str | None:
    """`<setting name="ECGridApiKey"><value>GUID</value>`: the named element around a
    generic one."""
    opening = text.rfind("<", max(0, start - 400), start)
    parent = text.rfind("<", max(0, start - 400), opening) if opening > 0 else -1
    if parent < 0:
        return None
    match = _NAME_ATTRIBUTE.search(text[parent:opening])
    return match.group(1) if match else None


_YAML_PAIR = LazyPattern(r"[ \t]*[\w.\-]+:[ \t]")


def _mapping_siblings(text: str, start: int, end: int) -> tuple[str, str]:
    """The lines of the YAML mapping a `value:` line belongs to (same indentation), before
    and after it: an OpenAPI scheme's `name: X-API-Key` beside its `x-example:`."""
    line_start = text.rfind("\n", 0, start) + 1
    indent = _indent(text, line_start)
    first = line_start
    for _ in range(20):
        if first == 0:
            break
        above = text.rfind("\n", 0, first - 1) + 1
        if _indent(text, above) != indent or not text[above : first - 1].strip():
            break
        first = above
    last = end
    for _ in range(20):
        nxt = text.find("\n", last)
        if nxt < 0 or nxt + 1 >= len(text) or _indent(text, nxt + 1) != indent:
            break
        last = text.find("\n", nxt + 1)
        last = len(text) if last < 0 else last
    return text[first:line_start], text[end:last]


def _yaml_item_start(text: str, start: int, low: int) -> int | None:
    """Start of the YAML list item (`- name: …`) whose mapping holds the value's line, at
    most three levels up (an OpenAPI parameter's `schema: example:`)."""
    lines = _index_of(text).lines
    index = lines.line_of(start)
    if lines.items[index]:
        return lines.starts[index]
    parent = lines.parents[index]
    for _ in range(3):
        if parent < 0 or lines.starts[parent] < low:
            return None
        if lines.items[parent]:
            return lines.starts[parent]
        if not lines.text_of(text, parent).rstrip().endswith(":"):
            return None
        parent = lines.parents[parent]
    return None


def _label_of_bare_value(
    text: str, line_start: int, line_end: int, start: int, end: int, path: str
) -> str | None:
    """A value alone on its line: a YAML list item or JSON array element takes its owner's
    name, a value on the line after `NAME:` / `NAME =` that name, a file holding nothing
    but the value its file name."""
    if not text[:start].strip(_OPENERS + "-,\n\r") and not text[end:].strip(_OPENERS + ",}])\n\r"):
        name = path.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0] if "." in name else name
    lines = _index_of(text).lines
    index = lines.line_of(start)
    owner_line: str | None = None
    above = index - 1
    while above >= 0 and index - above < 50 and not lines.text_of(text, above).strip():
        above -= 1
    if above >= 0 and lines.text_of(text, above).strip().endswith(("[", ":", "=", "(")):
        owner_line = lines.text_of(text, above)
    elif lines.parents[index] >= 0:
        owner_line = lines.text_of(text, lines.parents[index])
    if owner_line is None:
        return None
    content = owner_line.strip()
    head = content.rstrip("[({:= ").rstrip("\"'")
    assign = _ASSIGN.search(content.rstrip("[({ ") + " ") or _ASSIGN.search(content.rstrip("[({ "))
    if assign is not None and not content.endswith(("[", "(")):
        return assign.group(1)
    owner = re.search(r"([A-Za-z_$@][\w$@.\-]*)\W*\Z", head)
    return owner.group(1) if owner else None


def _csv_column(text: str, start: int, line_start: int, path: str) -> str | None:
    """A value in a CSV/TSV row: the header's name for its column."""
    lowered = path.lower()
    if not lowered.endswith((".csv", ".tsv")) or line_start == 0:
        return None
    separator = "\t" if lowered.endswith(".tsv") else ","
    header_end = text.find("\n")
    header = text[:header_end].rstrip("\r").split(separator)
    position = _count_fields(text[line_start:start], separator)
    if position >= len(header):
        return None
    columns = [h.strip().strip("\"'") for h in header]
    line_end = text.find("\n", start)
    row = text[line_start : len(text) if line_end < 0 else line_end].rstrip("\r")
    return _named_column(columns, position, _split_fields(row, separator)) or None


def _split_fields(row: str, separator: str) -> list[str]:
    """The fields of a CSV row or a SQL `VALUES` tuple, unquoted (quotes protect separators)."""
    fields, current, quote = [], [], ""
    for char in row:
        if quote:
            if char == quote:
                quote = ""
            else:
                current.append(char)
        elif char in "'\"":
            quote = char
        elif char == separator:
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    fields.append("".join(current).strip())
    return fields


_NAME_COLUMNS = _set("name key setting setting_name config_key key_name param parameter property")


def _named_column(columns: list[str], position: int, values: list[str]) -> str:
    """The column's name; for a key-value table (`name, value`) the row's own name."""
    column = columns[position]
    if column.lower() in _GENERIC or column.lower().endswith("_value"):
        for index, other in enumerate(columns):
            if other.lower() in _NAME_COLUMNS and index < len(values) and values[index]:
                return values[index]
    return column


def _sql_column(text: str, start: int) -> str | None:
    """`INSERT INTO t (a, b, c) VALUES ('…', '…', GUID)`: the column at the value's position
    (each row of a multi-row VALUES list counted from its own opening parenthesis)."""
    inserts = _index_of(text).inserts
    at = bisect.bisect_right(inserts[0], start) - 1
    if at < 0:
        return None
    match = inserts[1][at]
    if match.end() > start:
        return None
    row = _row_opener(text, match.end() - 1, start)
    if row < 0:
        return None
    between = text[row + 1 : start]
    position = _count_fields(between, ",")
    columns = [c.strip().strip('"`[]') for c in match.group(1).split(",")]
    if position >= len(columns):
        return None
    close = text.find(")", start)
    values = _split_fields(text[row + 1 : close if close >= 0 else start], ",")
    table = match.group(0).split("(", 1)[0].split()[-1].strip('"`[]')
    # The table may name the product: `ecgrid_users.api_key`.
    return f"{table}.{_named_column(columns, position, values)}"


def _row_opener(text: str, low: int, start: int) -> int:
    """The `(` that opens the VALUES row holding `start`, past whole calls before it
    (`(now(), 'a', GUID)`); -1 when the row was closed before it (or is too far back)."""
    depth = 0
    for pos in range(start - 1, max(low, start - 2000) - 1, -1):
        char = text[pos]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return pos
            depth -= 1
    return -1


_SQL_COPY = LazyPattern(
    r"COPY\s+([\w.\"]+)\s*\(([^()\n]{1,2000})\)\s+FROM\s+stdin\b[^\n]*\n", re.IGNORECASE
)
_COPY_END = LazyPattern(r"^\\\.\r?$", re.MULTILINE)


def _copy_blocks(text: str) -> tuple[list[int], list[tuple[re.Match[str], int]]]:
    """Each `COPY … FROM stdin` block: where its rows start, its header, where rows end."""
    starts: list[int] = []
    blocks: list[tuple[re.Match[str], int]] = []
    for match in _SQL_COPY.finditer(text):
        end = _COPY_END.search(text, match.end())
        starts.append(match.end())
        blocks.append((match, end.start() if end else len(text)))
    return starts, blocks


def _copy_column(text: str, start: int, line_start: int) -> str | None:
    """A row of `COPY t (a, b, c) FROM stdin;` (pg_dump): tab-separated values up to the
    `\\.` line, each named by its column."""
    copies = _index_of(text).copies
    at = bisect.bisect_right(copies[0], line_start) - 1
    if at < 0:
        return None
    match, data_end = copies[1][at]
    if line_start >= data_end:
        return None
    columns = [c.strip().strip('"') for c in match.group(2).split(",")]
    position = text.count("\t", line_start, start)
    if position >= len(columns):
        return None
    line_end = text.find("\n", start)
    values = text[line_start : len(text) if line_end < 0 else line_end].split("\t")
    table = match.group(1).strip('"')
    return f"{table}.{_named_column(columns, position, values)}"


def _count_fields(values: str, separator: str) -> int:
    """How many separators outside quotes (and parentheses) precede the value."""
    count, quote, depth = 0, "", 0
    for char in values:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == separator and depth == 0:
            count += 1
    return count


# -- the scope -----------------------------------------------------------------------------
class Scope(Enum):
    STRONG = "strong"
    """The structure names the product: the label itself, an enclosing key or section, or
    a file that holds nothing else."""
    UNIT = "unit"
    """The value's own object, command or request names it (a URL on the product's host
    beside the header)."""
    PATH = "path"
    """Only the file's path names it."""
    NEAR = "near"
    """Named a few lines away, in a flat file (no enclosing structure)."""
    ELSEWHERE = "elsewhere"
    """Named somewhere in the file, but not around the value."""
    NONE = "none"


# Not frozen: internal, never changed once made, and a frozen class costs twice as much to
# create at import, on the hook's path (docs/design.md, "Start-up cost").
@dataclass(slots=True)
class Enclosure:
    heads: tuple[str, ...]
    """The text that opens each enclosing structure, innermost first: `"ECGridOS": {`,
    `ecgrid:`, `[ecgrid]`, `new EcGridClient(`."""
    units: tuple[str, ...]
    """The whole text of the innermost few enclosing structures (object, block, command)."""


def enclosure(text: str, start: int, end: int) -> Enclosure:
    heads: list[str] = []
    units: list[str] = []
    _brackets(text, start, end, heads, units)
    _indentation(text, start, heads, units)
    section = _ini_section(text, start)
    if section is not None:
        heads.append(section)
    units.append(_logical_command(text, start, end))
    units.append(_http_request(text, start, end))
    document = _document_metadata(text, start)
    if document:
        heads.append(document)
    return Enclosure(tuple(h for h in heads if h), tuple(u for u in units if u))


_BRACKET_CHARS = LazyPattern(r"[{}\[\]()]")
_PAIRS = {"}": "{", "]": "[", ")": "("}


class _Brackets:
    """Every bracket of a text, matched once (one C-speed search, one pass), so each value's
    enclosing brackets are found by following parent links rather than by scanning back."""

    def __init__(self, text: str) -> None:
        self.positions: list[int] = []
        self.parent: list[int] = []
        """For each bracket: the index of the opener that encloses it (-1: none)."""
        self.close: dict[int, int] = {}
        """Opener index -> position just after its closer."""
        stack: list[int] = []
        for match in _BRACKET_CHARS.finditer(text):
            char = match.group()
            index = len(self.positions)
            self.positions.append(match.start())
            if char in "{[(":
                self.parent.append(stack[-1] if stack else -1)
                stack.append(index)
                continue
            # A closer: pop to its opener (an unmatched closer inside a string is ignored).
            for depth in range(len(stack) - 1, max(-1, len(stack) - 4), -1):
                if text[self.positions[stack[depth]]] == _PAIRS[char]:
                    self.close[stack[depth]] = match.end()
                    del stack[depth:]
                    break
            self.parent.append(stack[-1] if stack else -1)

    def enclosing(self, text: str, pos: int) -> list[int]:
        """Positions of the openers around `pos`, innermost first."""
        index = bisect.bisect_left(self.positions, pos) - 1
        if index < 0:
            return []
        if text[self.positions[index]] in "{[(" and self.close.get(index, len(text) + 1) > pos:
            current = index
        else:
            current = self.parent[index]
        found: list[int] = []
        while current >= 0 and len(found) < 64:
            if self.close.get(current, len(text) + 1) > pos:
                found.append(current)
            current = self.parent[current]
        return found


class _LineIndex:
    """Every line of a text once: where it starts, its indentation, whether it is a list
    item, and its parent (the nearest line above indented less, or a list item's owner at
    the same indentation), so parents at any depth are links, not scans back."""

    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        contents = [line.lstrip(" \t") for line in lines]
        self.starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
        self.indents = [
            len(line) - len(content) for line, content in zip(lines, contents, strict=True)
        ]
        self.items = [content.startswith("- ") for content in contents]
        self.parents = [-1] * len(lines)
        indents, items, parents = self.indents, self.items, self.parents
        stack: list[int] = []
        for index, content in enumerate(contents):
            if not content or content.startswith(("#", "//")) or content.isspace():
                parents[index] = stack[-1] if stack else -1
                continue
            indent, item = indents[index], items[index]
            while stack:
                top = stack[-1]
                if indents[top] < indent or (indents[top] == indent and item and not items[top]):
                    break
                stack.pop()
            parents[index] = stack[-1] if stack else -1
            stack.append(index)

    def line_of(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def text_of(self, text: str, index: int) -> str:
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(text)
        return text[self.starts[index] : end]


class _TextIndex:
    """What is learnt once about a text and shared by every value judged in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._brackets: _Brackets | None = None
        self._lines: _LineIndex | None = None
        self._sections: tuple[list[int], list[str]] | None = None
        self._documents: tuple[list[int], list[int], list[str]] | None = None
        self._inserts: tuple[list[int], list[re.Match[str]]] | None = None
        self._copies: tuple[list[int], list[tuple[re.Match[str], int]]] | None = None

    @property
    def brackets(self) -> _Brackets:
        if self._brackets is None:
            self._brackets = _Brackets(self.text)
        return self._brackets

    @property
    def lines(self) -> _LineIndex:
        if self._lines is None:
            self._lines = _LineIndex(self.text)
        return self._lines

    @property
    def sections(self) -> tuple[list[int], list[str]]:
        if self._sections is None:
            found = list(_SECTION.finditer(self.text))
            self._sections = ([m.start() for m in found], [m.group(0).strip() for m in found])
        return self._sections

    @property
    def inserts(self) -> tuple[list[int], list[re.Match[str]]]:
        """Every `INSERT INTO t (cols) VALUES` of the text: where its rows may start, and it."""
        if self._inserts is None:
            found = list(_SQL_INSERT.finditer(self.text))
            self._inserts = ([m.end() - 1 for m in found], found)
        return self._inserts

    @property
    def copies(self) -> tuple[list[int], list[tuple[re.Match[str], int]]]:
        if self._copies is None:
            self._copies = _copy_blocks(self.text)
        return self._copies

    @property
    def documents(self) -> tuple[list[int], list[int], list[str]]:
        """YAML document starts, and each `metadata:` block's start and text."""
        if self._documents is None:
            starts = [m.start() for m in re.finditer(r"\n---", self.text)]
            found = list(_METADATA.finditer(self.text))
            self._documents = (
                starts,
                [m.start() for m in found],
                [m.group(1)[:2048] for m in found],
            )
        return self._documents


_cache: _TextIndex | None = None


def _index_of(text: str) -> _TextIndex:
    """The index of `text`, kept for the next value of the same text (one entry, read and
    replaced as a whole, so threads scanning other texts never mix them up)."""
    global _cache
    cached = _cache
    if cached is None or cached.text is not text:
        cached = _cache = _TextIndex(text)
    return cached


def _brackets_of(text: str) -> _Brackets:
    return _index_of(text).brackets


def _enclosing_opener(text: str, pos: int) -> int | None:
    index = _brackets_of(text)
    found = index.enclosing(text, pos)
    return index.positions[found[0]] if found else None


def _brackets(text: str, start: int, end: int, heads: list[str], units: list[str]) -> None:
    """Heads of every enclosing bracket at any depth; whole text of the innermost few."""
    index = _brackets_of(text)
    whole_units = True
    line_start = text.rfind("\n", 0, start) + 1
    level = -1
    for opener_index in index.enclosing(text, start):
        opener = index.positions[opener_index]
        # Brackets of code quoted in a string on the value's line (a Postman script's
        # `pm.request.headers.upsert({…})` in its JSON `exec` list) are not a level of
        # the file's own structure.
        if opener < line_start or not _in_string(text, line_start, opener):
            level += 1
        low = max(0, opener - 4 * _LINE_CHARS)  # parents at any distance: links, not scans
        head_start = max(
            text.rfind("\n", low, opener) + 1,
            max(text.rfind(c, max(low, opener - _LINE_CHARS), opener) for c in ",{[(;") + 1,
        )
        head = text[head_start : opener + 1].strip()
        if not head.strip("{[( ") and head_start > 0 and text[head_start - 1] == "\n":
            # A brace on a line of its own (C#, Java): what it opens is on the line above.
            above = text.rfind("\n", low, head_start - 1) + 1
            head = text[above : head_start - 1].strip() + " " + head
        if head.strip("{[( "):
            heads.append(head)
        close = index.close.get(opener_index)
        if (
            whole_units
            and level < _GROUP_LEVELS
            and close is not None
            and close - opener <= _GROUP_CHARS
        ):
            units.append(text[opener:close])
        name = scope_name(head)
        if name is not None and names_another_product(name, parent=True):
            whole_units = False  # `"AzureAd": {…}`: what is around it is not its request


def _in_string(text: str, line_start: int, pos: int) -> bool:
    """Whether `pos` is inside a double-quoted string that opens on its line."""
    return (text.count('"', line_start, pos) - text.count('\\"', line_start, pos)) % 2 == 1


def _indent(text: str, line_start: int) -> int:
    pos = line_start
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos - line_start


def _indentation(text: str, start: int, heads: list[str], units: list[str]) -> None:
    """Parents by indentation (YAML, pretty JSON, Python, XML) at any depth; the block of
    the innermost parent is a unit."""
    lines = _index_of(text).lines
    parent = lines.parents[lines.line_of(start)]
    first_parent: int | None = None
    for _ in range(64):  # at any distance (parents are links), at most 64 deep
        if parent < 0:
            break
        heads.append(lines.text_of(text, parent).strip())
        if first_parent is None:
            first_parent = lines.starts[parent]
        parent = lines.parents[parent]
    if first_parent is not None:
        units.append(_block_after(text, first_parent, start))


def _block_after(text: str, parent_start: int, start: int) -> str:
    """The lines indented deeper than the parent line, from it to where its block ends
    (bounded around the value)."""
    parent_indent = _indent(text, parent_start)
    stop = min(len(text), start + _GROUP_CHARS // 4)
    pos = text.find("\n", start)
    while 0 <= pos < stop:
        nxt = pos + 1
        if nxt < len(text) and text[nxt] not in "\n\r" and _indent(text, nxt) <= parent_indent:
            stop = pos
            break
        pos = text.find("\n", nxt)
    return text[max(parent_start, start - _GROUP_CHARS // 4) : stop]


_SECTION = LazyPattern(r"^[ \t]*\[\[?([\w.\- \"':]+)\]\]?[ \t]*(?:[;#].*)?$", re.MULTILINE)


def _ini_section(text: str, start: int) -> str | None:
    """The INI / TOML / properties section the value sits in: the nearest `[name]` line
    above."""
    positions, names = _index_of(text).sections
    line_start = text.rfind("\n", 0, start) + 1
    at = bisect.bisect_left(positions, max(0, line_start - 1)) - 1
    return names[at] if at >= 0 else None


def _logical_command(text: str, start: int, end: int) -> str:
    """The shell command the value is part of, with `\\`, `^` or backtick continuations."""
    line_start = text.rfind("\n", 0, start) + 1
    first = line_start
    for _ in range(40):
        if first < 2:
            break
        prev_end = first - 1
        prev = text[text.rfind("\n", 0, prev_end) + 1 : prev_end].rstrip("\r")
        if not prev.endswith(("\\", "^", "`")):
            break
        first = text.rfind("\n", 0, prev_end) + 1
    last = text.find("\n", end)
    for _ in range(40):
        if last < 0:
            break
        line = text[text.rfind("\n", 0, last) + 1 : last].rstrip("\r")
        if not line.endswith(("\\", "^", "`")):
            break
        last = text.find("\n", last + 1)
    if last < 0:
        last = len(text)
    if last - first > _GROUP_CHARS:
        return ""
    return text[first:last]


_REQUEST_LINE = LazyPattern(
    r"^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+\S+", re.MULTILINE | re.IGNORECASE
)


def _http_request(text: str, start: int, end: int) -> str:
    """An HTTP request written out (`.http` files, docs): from its request line down to the
    first blank line, when the value sits in its header block."""
    low = max(0, start - 4096)
    paragraph_start = text.rfind("\n\n", low, start)
    paragraph_start = low if paragraph_start < 0 else paragraph_start + 2
    paragraph = text[paragraph_start:start]
    if _REQUEST_LINE.search(paragraph) is None:
        return ""
    stop = text.find("\n\n", end)
    return text[paragraph_start : len(text) if stop < 0 else stop]


_METADATA = LazyPattern(r"^metadata:[ \t]*\n((?:[ \t]+[^\n]*\n|[ \t]*\n)+)", re.MULTILINE)


def _document_metadata(text: str, start: int) -> str:
    """A Kubernetes object's `metadata:` block (its name, labels) in the same YAML document."""
    documents, blocks, contents = _index_of(text).documents
    at = bisect.bisect_left(documents, start) - 1
    doc = documents[at] if at >= 0 else 0
    first = bisect.bisect_left(blocks, doc)
    if first < len(blocks) and blocks[first] < start:
        return contents[first]
    return ""
