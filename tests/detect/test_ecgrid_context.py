"""ECGrid GUIDs judged by the structure they sit in: the label a value is bound to, and the
ECGrid scope around it however far away it opens; `possible` where the evidence is
honestly ambiguous. Every GUID is made at run time."""

# ruff: noqa: E501  (realistic file lines are long)
from __future__ import annotations

import csv
import io
import json
import time
import uuid

import pytest

from leakstop.detect.engine import Detector
from leakstop.detect.structure import LabelKind, classify
from leakstop.findings import Block
from leakstop.providers import all_rules
from leakstop.simulator import SimulatorControl
from tests.testing import Repo, RunCli

DETECTOR = Detector(all_rules())


def verdicts(text: str, path: str = "config/app.txt") -> dict[str, str]:
    """GUID -> confidence of every ECGrid finding."""
    return {
        h.secret: h.confidence
        for h in DETECTOR.scan(Block(path, text))
        if h.rule.id == "ecgrid-api-key"
    }


def guid() -> str:
    return str(uuid.uuid4())


# -- labels -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "X-API-Key",
        "ApiKey",
        "api_key",
        "ECGRID_API_KEY",
        "ECGrid__ApiKey",
        "ecgridKey",
        "token",
        "client_secret",
        "password",
        "Authorization",
        "credentials",
    ],
)
def test_credential_names(name: str) -> None:
    assert classify(name) is LabelKind.KEY


@pytest.mark.parametrize(
    "name",
    [
        "X-Request-Id",
        "Idempotency-Key",
        "apiKeyId",
        "userId",
        "mailbox",
        "parcelId",
        "interchangeId",
        "tenant",
        "correlation",
        "X-Correlation-ID",
        "UserSecretsId",
        "ProjectGuid",
        "ECGRID_KEY_ID",
        "partitionKey",
        "trace_id",
        "sessionId",
        "NetworkId",
    ],
)
def test_identifier_names(name: str) -> None:
    assert classify(name) is LabelKind.ID


def test_identifier_labels_stay_quiet_even_with_key_words_on_the_line() -> None:
    key, ids = guid(), [guid() for _ in range(9)]
    names = (
        "X-Request-Id",
        "Idempotency-Key",
        "apiKeyId",
        "userId",
        "mailbox",
        "parcelId",
        "interchangeId",
        "tenant",
        "correlation",
    )
    pairs = ", ".join(f'"{n}": "{v}"' for n, v in zip(names, ids, strict=True))
    line = f'{{"ECGrid": {{"secret_store": "vault", {pairs}, "ApiKey": "{key}"}}}}\n'
    assert verdicts(line) == {key: "certain"}
    for name, value in zip(names, ids, strict=True):
        text = f"# ecgrid api key and secret settings\n{name}: {value}  # not the api key\n"
        assert verdicts(text) == {}, name


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("a.json", '{{\n  "ECGrid": {{\n    "ApiKey": "{k}",\n    "MailboxId": "{o}"\n  }}\n}}\n'),
        ("a.yaml", "ecgrid:\n  api_key: {k}\n  mailbox: {o}\n"),
        ("a.toml", '[ecgrid]\napi_key = "{k}"\nuser_id = "{o}"\n'),
        ("a.ini", "[ECGrid]\nApiKey={k}\nNetworkId={o}\n"),
        ("a.properties", "ecgrid.api.key={k}\necgrid.mailbox.id={o}\n"),
        (".env", "ECGRID_API_KEY={k}\nECGRID_MAILBOX_ID={o}\n"),
        (
            "w.config",
            '<add key="ECGridApiKey" value="{k}" />\n<add key="ECGridUserId" value="{o}"/>\n',
        ),
        ("a.xml", "<ECGrid>\n  <ApiKey>{k}</ApiKey>\n  <ParcelId>{o}</ParcelId>\n</ECGrid>\n"),
        ("a.xml", '<ecgrid apiKey="{k}" tenantId="{o}" />\n'),
        ("a.sh", "ecgrid-cli upload --api-key {k} --interchange-id {o} file.edi\n"),
        ("a.http", "GET https://rest.ecgrid.io/v2/users/me\nX-API-Key: {k}\nX-Request-Id: {o}\n"),
        ("a.py", 'ECGRID_API_KEYS = [\n    "{k}",\n]\nECGRID_MAILBOX_IDS = ["{o}"]\n'),
        ("a.yaml", "ecgrid_api_keys:\n  - {k}\necgrid_mailboxes:\n  - {o}\n"),
        (
            "c.json",
            '{{"url": "https://rest.ecgrid.io/v2/users/me", "header": [\n'
            '  {{"key": "X-API-Key", "value": "{k}"}},\n'
            '  {{"key": "X-Request-Id", "value": "{o}"}}]}}\n',
        ),
        (
            "h.har",
            '{{"request": {{"url": "https://rest.ecgrid.io/v2/parcels", "headers": [\n'
            '  {{"name": "X-Request-Id", "value": "{o}"}},\n'
            '  {{"value": "{k}", "name": "X-API-Key"}}]}}}}\n',
        ),
        (
            "seed.sql",
            "INSERT INTO ecgrid_users (id, api_key, mailbox_id)\nVALUES ('{o}', '{k}', '{o}');\n",
        ),
        (
            "k.yaml",
            'env:\n  - name: ECGRID_API_KEY\n    value: "{k}"\n'
            '  - name: ECGRID_USER\n    value: "{o}"\n',
        ),
        (
            "p.cs",
            'http.DefaultRequestHeaders.Add("X-API-Key", "{k}"); // ECGrid\n'
            'var requestId = Guid.Parse("{o}");\n',
        ),
    ],
)
def test_each_format_binds_the_value_to_its_own_label(path: str, template: str) -> None:
    key, other = guid(), guid()
    assert verdicts(template.format(k=key, o=other), path) == {key: "certain"}


def test_sql_columns_by_position_in_multi_row_values() -> None:
    rows = [(guid(), guid(), guid()) for _ in range(3)]
    values = ",\n".join(f"  ('{a}', '{b}', 'x', '{c}')" for a, b, c in rows)
    text = f"INSERT INTO ecgrid_accounts (id, tenant_id, label, api_key)\nVALUES\n{values};\n"
    assert verdicts(text, "db/seed.sql") == {c: "certain" for _, _, c in rows}


def test_csv_columns_by_header() -> None:
    rows = [(guid(), guid()) for _ in range(3)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["partner", "mailbox_id", "api_key"])
    writer.writerows([("acme", m, k) for m, k in rows])
    assert verdicts(out.getvalue(), "data/ecgrid.csv") == {k: "certain" for _, k in rows}


# -- scope --------------------------------------------------------------------------------
def test_scope_opens_however_far_away() -> None:
    key = guid()
    filler = "".join(f"option_{i} = {i}\n" for i in range(200))
    assert verdicts(f"[ecgrid]\n{filler}api_key = {key}\n") == {key: "certain"}
    yaml_filler = "".join(f"      flag_{i}: true\n" for i in range(200))
    text = f"ecgrid:\n  prod:\n    auth:\n{yaml_filler}      token: {key}\n"
    assert verdicts(text, "c.yaml") == {key: "certain"}
    big = ",\n".join(f'    "Setting{i}": {i}' for i in range(300))
    text = f'{{\n  "ECGridOS": {{\n{big},\n    "ApiKey": "{key}"\n  }}\n}}\n'
    assert verdicts(text, "appsettings.json") == {key: "certain"}


def test_scope_from_the_request_it_belongs_to() -> None:
    key = guid()
    curl = (
        f'curl -X POST \\\n  -H "Accept: application/json" \\\n  -H "X-API-Key: {key}" \\\n'
        '  -d @parcel.edi \\\n  "https://rest.ecgrid.io/v2/parcels/upload"\n'
    )
    assert verdicts(curl, "upload.sh") == {key: "certain"}
    code = (
        "def upload(client):\n    return client.post(\n        'https://rest.ecgrid.io/v2/p',\n"
        + "".join(f"        arg{i}={i},\n" for i in range(10))
        + f"        headers={{'X-API-Key': '{key}'}},\n    )\n"
    )
    assert verdicts(code, "client.py") == {key: "certain"}


def test_scope_from_the_file_that_holds_only_the_key() -> None:
    key = guid()
    assert verdicts(f"{key}\n", "secrets/ecgrid_api_key.txt") == {key: "certain"}
    assert verdicts(f"{key}\n", "secrets/ecgrid.txt") == {key: "possible"}
    assert verdicts(f"{key}\n", "secrets/api_key.txt") == {}


def test_another_section_or_product_is_not_ecgrid_scope() -> None:
    key = guid()
    ini = f"[ecgrid]\nurl = https://rest.ecgrid.io\n\n[payments]\napi_key = {key}\n"
    assert verdicts(ini).get(key) != "certain"
    dotenv = f"ECGRID_URL=https://rest.ecgrid.io\nSTRIPE_API_KEY={key}\n"
    assert verdicts(dotenv) == {}
    assert verdicts(f"API_KEY={key}\n") == {}  # ECGrid nowhere


# -- placeholders and paths ---------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        "00000000-0000-0000-0000-000000000000",
        "12345678-1234-1234-1234-123456789012",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "123e4567-e89b-12d3-a456-426614174000",
        "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "f9e8d7c6-b5a4-3210-fedc-ba9876543210",
    ],
)
def test_placeholders_stay_quiet(value: str) -> None:
    assert verdicts(f"ECGRID_API_KEY={value}\n") == {}
    assert verdicts(f'{{"ECGrid": {{"ApiKey": "{value.lower()}"}}}}') == {}


@pytest.mark.parametrize("folder", ["tests", "test/fixtures", "pkg/testdata", "__fixtures__"])
def test_test_paths_silence_only_unlabelled_guids(folder: str) -> None:
    key, bare = guid(), guid()
    text = f"[ecgrid]\napi_key = {key}\nvalue = {bare}\n"
    assert verdicts(text, f"{folder}/ecgrid.ini") == {key: "certain"}
    assert verdicts(text, "config/ecgrid.ini") == {key: "certain", bare: "possible"}


# -- possible findings, in every report, blocking only when live -------------------------
def test_ambiguous_evidence_is_possible() -> None:
    key = guid()
    far = "\n" * 40
    assert verdicts(f"# ECGrid notes{far}api_key = {key}\n", "notes/n.txt") == {key: "certain"}
    text = f"x = 1\n{far}# see ecgrid docs\n{far}api_key = {key}\n"
    assert verdicts(text, "src/settings.py") == {key: "possible"}
    assert verdicts(f"[ecgrid]\nvalue = {key}\n") == {key: "possible"}


def _possible_repo(repo: Repo, key: str) -> None:
    repo.stage("config/ecgrid.ini", f"[ecgrid]\nvalue = {key}\n")


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "csv", "html", "github"])
def test_possible_findings_are_shown_and_do_not_block(
    repo: Repo, run_cli: RunCli, fmt: str
) -> None:
    key = guid()
    _possible_repo(repo, key)
    outcome = run_cli(["scan", "--staged", "--format", fmt], repo.path, keys=[key])
    assert outcome.code == 0, outcome.err
    out = outcome.out
    if fmt == "json":
        [finding] = json.loads(out)["findings"]
        assert finding["confidence"] == "possible"
    elif fmt == "sarif":
        [result] = json.loads(out)["runs"][0]["results"]
        assert result["level"] == "note"
        assert result["properties"]["confidence"] == "possible"
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
        assert [r["confidence"] for r in rows] == ["possible"]
    elif fmt == "html":
        assert ">possible</td>" in out
    elif fmt == "github":
        assert out.startswith("::notice ") and "(possible)" in out
    else:
        assert "(possible)" in out and "blocked" not in out


def test_certain_findings_still_block(repo: Repo, run_cli: RunCli) -> None:
    key, maybe = guid(), guid()
    repo.stage("config/ecgrid.ini", f"[ecgrid]\napi_key = {key}\nvalue = {maybe}\n")
    outcome = run_cli(["scan", "--staged", "--format", "json"], repo.path, keys=[key, maybe])
    assert outcome.code == 1
    found = {f["confidence"] for f in json.loads(outcome.out)["findings"]}
    assert found == {"certain", "possible"}


def test_possible_key_found_live_blocks(
    repo: Repo, run_cli: RunCli, control: SimulatorControl
) -> None:
    key = control.create_account("ecgrid", "api").key
    _possible_repo(repo, key)
    outcome = run_cli(["scan", "--staged", "--verify", "--format", "json"], repo.path, keys=[key])
    assert outcome.code == 1
    [finding] = json.loads(outcome.out)["findings"]
    assert (finding["confidence"], finding["verified"]) == ("possible", "live")
    control.revoke(key)
    outcome = run_cli(["scan", "--staged", "--verify", "--format", "json"], repo.path, keys=[key])
    assert outcome.code == 0


# -- where people put them (and the ids around them) -------------------------------------
_CASES: list[tuple[str, str, str, str | None]] = []


def case(name: str, path: str, template: str, expected: str | None = "certain") -> None:
    _CASES.append((name, path, template, expected))


case("ecgrid key env", ".env", "ECGRID_KEY={K}\nREQUEST_ID={D}\n")
case("ecgrid token yaml", "c.yaml", "ecgrid_token: {K}\ntrace_id: {D}\n")
case("apiKeys map", "c.yaml", "api_keys:\n  ecgrid: {K}\n  stripe_account: {D}\n")
case("json apiKeys", "c.json", '{{"apiKeys": {{"ecgrid": "{K}"}}, "tenantId": "{D}"}}')
case(
    "connection string",
    "a.config",
    '<add name="ECGrid" connectionString="Url=https://rest.ecgrid.io;ApiKey={K};Mailbox={D}" />',
)
case(
    "C# allman",
    "S.cs",
    'public class EcGridService\n{{\n    private const string ApiKey = "{K}";\n    private static readonly Guid TenantId = new Guid("{D}");\n}}\n',
)
case(
    "C# attr header",
    "S.cs",
    'var c = new HttpClient {{ BaseAddress = new Uri("https://rest.ecgrid.io/") }};\nc.DefaultRequestHeaders.Add("X-API-Key", "{K}");\nvar id = "{D}";\n',
)
case(
    "powershell",
    "s.ps1",
    '$headers = @{{ "X-API-Key" = "{K}"; "X-Request-Id" = "{D}" }}\nInvoke-RestMethod -Uri "https://rest.ecgrid.io/v2/users/me" -Headers $headers\n',
)
case(
    "python session",
    "c.py",
    'import requests\nBASE = "https://rest.ecgrid.io"\nsession = requests.Session()\nsession.headers.update({{"X-API-Key": "{K}"}})\nrid = "{D}"\n',
)
case(
    "user secrets",
    "secrets.json",
    '{{\n  "ECGrid:ApiKey": "{K}",\n  "ECGrid:MailboxId": "{D}"\n}}\n',
)
case("tfvars", "prod.tfvars", 'ecgrid_api_key = "{K}"\necgrid_network_id = "{D}"\n')
case(
    "terraform variable default",
    "variables.tf",
    'variable "ecgrid_api_key" {{\n  type    = string\n  default = "{K}"\n}}\n'
    'variable "ecgrid_request_id" {{\n  default = "{D}"\n}}\n',
)
case(
    "terraform provider block",
    "main.tf",
    'provider "ecgrid" {{\n  api_key = "{K}"\n}}\n'
    'resource "azurerm_key_vault" "main" {{\n  tenant_id = "{D}"\n}}\n',
)
case(
    "notebook print",
    "n.ipynb",
    '  "text": [\n    "Your ECGrid API key is {K}\\n",\n    "request {D}\\n"\n  ]\n',
)
case("log line", "app.log", "2024 INFO Using ECGrid key {K} for mailbox {D}\n")
case("log rotated for user", "app.log", "2024 INFO ecgrid api key rotated for user {K}\n", None)
case(
    "postman env",
    "ECGrid.postman_environment.json",
    '{{\n\t"id": "{D}",\n\t"name": "ECGrid Production",\n\t"values": [\n\t\t{{\n\t\t\t"key": "apiKey",\n\t\t\t"value": "{K}",\n\t\t\t"enabled": true\n\t\t}}\n\t]\n}}\n',
)
case(
    "postman env generic name",
    "prod.postman_environment.json",
    '{{\n\t"id": "{D}",\n\t"name": "Production",\n\t"values": [\n\t\t{{"key": "baseUrl", "value": "https://rest.ecgrid.io"}},\n\t\t{{"key": "apiKey", "value": "{K}"}}\n\t]\n}}\n',
)
case("helm values", "values.yaml", "ecgrid:\n  enabled: true\n  apiKey: {K}\n  mailboxId: {D}\n")
case(
    "azure ad decoy",
    "appsettings.json",
    '{{\n  "ECGrid": {{ "BaseUrl": "https://rest.ecgrid.io" }},\n  "AzureAd": {{\n    "ClientSecret": "{K}",\n    "TenantId": "{D}"\n  }}\n}}\n',
    None,
)
case(
    "stripe section decoy",
    "c.ini",
    "[ecgrid]\nurl=https://rest.ecgrid.io\n[sendgrid]\napi_key={K}\n",
    None,
)
case("java props", "application.properties", "ecgrid.apikey={K}\necgrid.request-id={D}\n")
case(
    "xml element",
    "c.xml",
    "<Settings>\n  <ECGridAPIKey>{K}</ECGridAPIKey>\n  <ECGridMailbox>{D}</ECGridMailbox>\n</Settings>\n",
)
case(
    "markdown table",
    "README.md",
    "## ECGrid\n\n| Setting | Value |\n|---|---|\n| ApiKey | {K} |\n| MailboxId | {D} |\n",
)
case(
    "js object",
    "config.js",
    "module.exports = {{\n  ecgrid: {{\n    baseUrl: 'https://rest.ecgrid.io',\n    apiKey: '{K}',\n    networkId: '{D}',\n  }},\n}};\n",
)
case("go const", "main.go", 'const (\n\tecgridAPIKey = "{K}"\n\tecgridMailbox = "{D}"\n)\n')
case("java", "Main.java", 'String apiKey = "{K}"; // ECGrid\nString requestId = "{D}";\n')
case(
    "curl -H later line url",
    "s.sh",
    'KEY="{K}"\ncurl -H "X-API-Key: $KEY" https://rest.ecgrid.io/v2/users/me\nREQ={D}\n',
)
case(
    "docker compose env map",
    "docker-compose.yml",
    "services:\n  edi:\n    environment:\n      ECGRID_API_KEY: {K}\n      CORRELATION_ID: {D}\n",
)
case(
    "github actions env",
    ".github/workflows/x.yml",
    'env:\n  ECGRID_API_KEY: "{K}"\n  RUN_ID: "{D}"\n',
)
case(
    "openapi example x-api-key real",
    "openapi.yaml",
    "openapi: 3.0.0\ninfo:\n  title: ECGrid\ncomponents:\n  securitySchemes:\n    ApiKey:\n      type: apiKey\n      in: header\n      name: X-API-Key\n      x-example: {K}\n",
    "certain",
)
case(
    "swagger id example",
    "openapi.yaml",
    "openapi: 3.0.0\ninfo:\n  title: ECGrid\nparameters:\n  - name: mailboxId\n    example: {K}\n",
    None,
)
case("ecgrid data response", "resp.json", '{{"success": true, "data": "{K}"}}\n', None)
case(
    "http header Authorization? ecgrid X-API-Key in yaml headers",
    "c.yaml",
    "ecgrid:\n  headers:\n    X-API-Key: {K}\n    X-Request-Id: {D}\n",
)
case("cli flag", "run.sh", "ecgrid-sync --apikey {K} --tenant {D}\n")
case("sql update", "fix.sql", "UPDATE ecgrid_settings SET api_key = '{K}' WHERE id = '{D}';\n")
case("toml inline", "p.toml", 'ecgrid = {{ api_key = "{K}", mailbox = "{D}" }}\n')
case("dotnet env var", "launch.env", "ECGrid__ApiKey={K}\nECGrid__MailboxId={D}\n")
case(
    "k8s configmap ecgrid",
    "cm.yaml",
    'kind: ConfigMap\nmetadata:\n  name: ecgrid-config\ndata:\n  API_KEY: "{K}"\n  MAILBOX_ID: "{D}"\n',
)
case(
    "test fixture labelled", "tests/fixtures/ecgrid.env", "ECGRID_API_KEY={K}\nECGRID_REQUEST={D}\n"
)
case(
    "yaml list of headers",
    "c.yaml",
    "ecgrid:\n  default_headers:\n    - name: X-API-Key\n      value: {K}\n    - name: X-Request-Id\n      value: {D}\n",
)

case("log bare", "app.log", "2024 INFO ecgrid: uploaded {K} ok\n", None)
case("log ecgrid parcel", "app.log", "2024 INFO ECGrid parcel {K} uploaded\n", None)
case("free text key", "notes.md", "Our ECGrid API key is {K} (prod)\n")
case("ecgrid value section", "c.ini", "[ecgrid]\nvalue = {K}\n", "possible")
case("ecgrid sandbox", "c.yaml", "ecgrid:\n  sandbox: {K}\n", "possible")
case("md code block", "README.md", "# ECGrid client\n\n```\nexport ECGRID_API_KEY={K}\n```\n")
case(
    "csharp dictionary",
    "A.cs",
    'var h = new Dictionary<string, string> {{ ["X-API-Key"] = "{K}", ["X-Request-Id"] = "{D}" }}; // ecgrid\n',
)
case(
    "json array of keys",
    "keys.json",
    '{{\n  "ecgrid": {{\n    "apiKeys": [\n      "{K}"\n    ],\n    "mailboxIds": ["{D}"]\n  }}\n}}\n',
)
case("yaml list of ids", "c.yaml", "ecgrid:\n  mailbox_ids:\n    - {K}\n", None)
case("id in an ecgrid url path", "c.txt", "https://rest.ecgrid.io/v2/mailboxes/{K}\n", None)
case("query parameter", "c.txt", "https://rest.ecgrid.io/v2/users/me?apiKey={K}&requestId={D}\n")

case("edi words are ours", ".env", "ECGRID_URL=https://rest.ecgrid.io\nEDI_API_KEY={K}\n")
case(
    "heroku key near ecgrid",
    ".env",
    "ECGRID_URL=https://rest.ecgrid.io\nHEROKU_API_KEY={K}\n",
    None,
)
case(
    "notebook named for ecgrid",
    "notebooks/ecgrid-rotation.ipynb",
    '{{"cells": [{{"cell_type": "code", "source": [\n  "API_KEY = \\"{K}\\"\\n",\n  "REQUEST = \\"{D}\\"\\n"\n ]}}]}}\n',
)

case(
    "sql key value",
    "seed.sql",
    "INSERT INTO settings (name, value) VALUES ('ecgrid_api_key', '{K}'), ('ecgrid_mailbox_id', '{D}');\n",
    "certain",
)
case(
    "csv key value",
    "settings.csv",
    "name,value\necgrid_api_key,{K}\necgrid_request_id,{D}\n",
    "certain",
)
case(
    "postman apikey auth",
    "c.postman_collection.json",
    '{{"item": [{{"name": "me", "request": {{"auth": {{"type": "apikey", "apikey": [\n  {{"key": "value", "value": "{K}", "type": "string"}},\n  {{"key": "key", "value": "X-API-Key", "type": "string"}}\n]}}, "url": {{"raw": "https://rest.ecgrid.io/v2/users/me"}}, "header": [{{"key": "X-Request-Id", "value": "{D}"}}]}}}}]}}\n',
    "certain",
)
case(
    "postman bearer",
    "c.json",
    '{{"request": {{"auth": {{"type": "bearer", "bearer": [{{"key": "token", "value": "{K}"}}]}}, "url": "https://rest.ecgrid.io/v2/users/me"}}}}\n',
    "certain",
)
case(
    "conn string in appsettings",
    "appsettings.json",
    '{{\n  "ConnectionStrings": {{\n    "ECGrid": "Url=https://rest.ecgrid.io;ApiKey={K};RequestId={D}"\n  }}\n}}\n',
    "certain",
)
case(
    "ecgrid element attr",
    "web.config",
    '<configuration>\n  <ecgridSettings apiKey="{K}" mailboxId="{D}" />\n</configuration>\n',
    "certain",
)


@pytest.mark.parametrize(
    ("name", "path", "template", "expected"), _CASES, ids=[c[0] for c in _CASES]
)
def test_realistic_placements(name: str, path: str, template: str, expected: str | None) -> None:
    """`{K}` is the value judged, `{D}` an identifier beside it that must stay quiet."""
    key, other = guid(), guid()
    found = verdicts(template.format(K=key, D=other), path)
    assert found.get(key) == expected
    assert other not in found


# -- the same verdicts when only a hunk of the file changes ------------------------------
def test_staged_and_history_read_the_scope_from_the_whole_file(repo: Repo, run_cli: RunCli) -> None:
    key, other = guid(), guid()
    head = "ecgrid:\n  prod:\n" + "".join(f"    opt_{i}: {i}\n" for i in range(30))
    repo.write("config/app.yaml", head + "    mailbox: none\n")
    repo.write("config/other.yaml", "payments:\n" + head.replace("ecgrid", "misc"))
    repo.commit("structure")
    repo.write("config/app.yaml", head + f"    mailbox: {other}\n    api_key: {key}\n")
    repo.git("add", "-A")
    staged = run_cli(["scan", "--staged", "--format", "json"], repo.path, keys=[key])
    assert staged.code == 1
    rows = {(f["hashed_secret"], f["line"]) for f in json.loads(staged.out)["findings"]}
    assert len(rows) == 1 and next(iter(rows))[1] == 34
    sha = repo.commit("key")
    history = run_cli(["scan", "--history", "--format", "json"], repo.path, keys=[key])
    assert history.code == 1
    [finding] = json.loads(history.out)["findings"]
    assert (finding["commit"], finding["line"], finding["confidence"]) == (sha, 34, "certain")


def test_many_guids_in_one_large_structured_file_scan_in_linear_time() -> None:
    """Each value's parents are links in an index built once per text, never a scan back:
    ten times the values take about ten times as long (a rescan per value would be 100x)."""

    def har(entries: int) -> str:
        items = [
            {
                "request": {
                    "url": f"https://rest.ecgrid.io/v2/parcels/{i}",
                    "headers": [
                        {"name": "X-Request-Id", "value": guid()},
                        {"name": "X-Trace", "value": guid()},
                    ],
                }
            }
            for i in range(entries)
        ]
        return json.dumps({"log": {"entries": items}}, indent=2)

    def timed(text: str) -> float:
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            assert verdicts(text, "capture.har") == {}
            best = min(best, time.perf_counter() - started)
        return best

    small, large = timed(har(200)), timed(har(2_000))
    assert large < max(small, 0.01) * 30, (small, large)
