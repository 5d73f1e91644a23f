"""ECGrid: API keys are plain GUIDs, so they count only where the context names ECGrid and a
key, and never in files where GUIDs are identifiers (project, lock and migration files)."""

from leakstop.providers.api import Call, KeyApi, UserIdLookup
from leakstop.providers.base import Provider, Rule

_HEX = "[0-9A-Fa-f]"

# Files in which bare GUIDs are identifiers, not credentials.
_GUID_IDENTIFIER_FILES = (
    r"\.(sln|csproj|vbproj|fsproj|vcxproj|vcxproj\.filters|sqlproj|props|targets|resx|lock)$"
    r"|(^|/)(package-lock\.json|npm-shrinkwrap\.json|packages\.lock\.json|pnpm-lock\.yaml"
    r"|yarn\.lock|go\.sum|project\.assets\.json)$"
    r"|(^|/)(migrations?|alembic/versions|db/migrate)/"
    r"|(^|/)(__fixtures__|fixtures?|testdata|test_data)/"
)

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
            # The GUID itself must be given as a credential: `ApiKey`, `X-API-Key`, `token`…
            line_context=(r"key|token|secret|credential|passw|authoriz",),
            ignore_paths=_GUID_IDENTIFIER_FILES,
            anchor=rf"-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-",
        ),
    ),
    apis={
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
    },
)
