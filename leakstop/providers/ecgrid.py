"""ECGrid: API keys are plain GUIDs, so a GUID counts only by the label it is bound to and
the ECGrid scope it sits in (detect/scoped.py), and never in files where GUIDs are
identifiers (project and lock files)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from leakstop.providers.base import Provider, Rule

if TYPE_CHECKING:
    from leakstop.providers.api import KeyApi

_HEX = "[0-9A-Fa-f]"

# Files in which GUIDs are identifiers, not credentials, whatever names them. (Test,
# fixture and migration directories are not here: a labelled key there is still a leak.)
_GUID_IDENTIFIER_FILES = (
    r"\.(sln|csproj|vbproj|fsproj|vcxproj|vcxproj\.filters|sqlproj|wixproj|shproj|dbproj"
    r"|njsproj|pyproj|props|targets|resx|lock|vsct|vstemplate|nuspec|wxs|wxi|edmx|dtsx"
    r"|sum|mod)$"
    r"|(^|/)(package-lock\.json|npm-shrinkwrap\.json|packages\.lock\.json|pnpm-lock\.yaml"
    r"|yarn\.lock|go\.sum|project\.assets\.json|packages\.config|AssemblyInfo\.(cs|vb)"
    r"|launchSettings\.json|\.vsconfig|Cargo\.lock|poetry\.lock|composer\.lock|Gemfile\.lock)$"
)
_HEX_GUID = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
# Worth a closer look in a stream: a credential or ECGrid word on the GUID's line, or a line
# holding nothing but the value (a list item, `<value>`, a row whose label is elsewhere).
_PUNCTUATION = r"[\s\-\[\](){},;:=\"'`|<>/]"
_HINT = (
    r"key|token|secret|credential|passw|authoriz|ecgrid|bearer|basic|values|insert"
    # alone on its line (a diff line starts with `+`): a list item, `value: …`, `<value>`
    rf"|^\+?{_PUNCTUATION}{{0,16}}(?:(?:value|default|example|string|item)\W{{0,6}})?"
    rf"{_HEX_GUID}{_PUNCTUATION}{{0,6}}(?:</?\w{{1,12}}>)?\W{{0,3}}$"
    # a CSV field, a tab-separated one (a TSV file, pg_dump's `COPY` rows), or a quoted
    # SQL value in a row of `VALUES`
    rf"|(?:^\+?|,)[ \t]*\"?{_HEX_GUID}\"?[ \t]*(?:,|$)|(?:^\+?|\t){_HEX_GUID}(?:\t|\r?$)"
    rf"|'{_HEX_GUID}'[ \t]*[,)]"
)


@cache
def key_apis() -> dict[str, KeyApi]:
    """The API side, built when rotation or --verify first asks (detection never does)."""
    from leakstop.providers.api import Call, KeyApi, UserIdLookup

    return {
        "ecgrid-api-key": KeyApi(
            auth_header="X-API-Key",
            auth_prefix="",
            check=Call("GET", "/v2/users/me"),
            # POST, with the owner's integer id (the Java sample's GET is a doc error).
            rotate=Call("POST", "/v2/users/key-generate/{user_id}"),
            new_key_at=("data",),
            user_id=UserIdLookup(
                call=Call("GET", "/v2/users/me"),
                value_at=("data", "userId"),
                env_var="LEAKSTOP_ECGRID_USER_ID",
            ),
            invalid_codes=frozenset({"InvalidAPIKey"}),
            dashboard="the ECGrid portal (Users → API key)",
        ),
    }


PROVIDER = Provider(
    name="ecgrid",
    title="ECGrid",
    default_base_url="https://rest.ecgrid.io",
    rules=(
        Rule(
            id="ecgrid-api-key",
            provider="ecgrid",
            title="ECGrid API Key",
            prefix="",
            body=rf"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}",
            rotatable=True,
            guidance="`leakstop rotate --provider ecgrid` generates a new key for its user",
            context=(r"ecgrid",),
            line_context=(_HINT,),
            structural=True,
            ignore_paths=_GUID_IDENTIFIER_FILES,
            anchor=rf"-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-",
        ),
    ),
    key_apis=key_apis,
)
