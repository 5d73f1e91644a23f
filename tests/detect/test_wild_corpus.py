"""Keys where real files put them, and the GUIDs real files hold that are not keys.

A corpus of material shaped like what people commit (Postman and HAR collections,
Kubernetes manifests and Secrets, .NET appsettings.json and web.config, INI, SQL seeds, a
Jupyter notebook, logs, docker config, OpenAPI examples, curl scripts, CSV…) with leaks and
decoys, scored for recall and precision in files mode and in history mode, where every key
is added by a later commit far from the structure that names it.

Templates: `⟦K:rule⟧` a key reported with certainty, `⟦P:rule⟧` a key reported as possible,
`⟦D:kind⟧` a decoy that must not be reported, `⟦E:encoding:rule⟧` a key under one layer of
encoding (reported where the encoded text is). All values are made at run time.
"""

# ruff: noqa: E501  (the corpus files keep the long lines real files have)
from __future__ import annotations

import json
from collections.abc import Callable

from tests.testing import Repo, RunCli, Template, build_corpus, scan_corpus, write_corpus

FILES: dict[str, Template] = {
    "postman/ECGrid.postman_collection.json": """\
{
  "info": {"name": "Partner APIs", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"},
  "item": [
    {
      "name": "Who am I",
      "request": {
        "method": "GET",
        "header": [
          {"key": "X-Request-Id", "value": "⟦D:guid⟧"},
          {
            "key": "X-API-Key",
            "value": "⟦K:ecgrid-api-key⟧",
            "type": "text"
          },
          {"key": "Idempotency-Key", "value": "⟦D:guid⟧"}
        ],
        "url": {"raw": "https://rest.ecgrid.io/v2/users/me", "host": ["rest", "ecgrid", "io"]}
      }
    },
    {
      "name": "Parcel",
      "request": {
        "method": "GET",
        "header": [{"key": "X-Correlation-Id", "value": "⟦D:guid⟧"}],
        "url": {"raw": "https://rest.ecgrid.io/v2/parcels/⟦D:guid⟧"}
      }
    }
  ],
  "variable": [
    {"key": "ecgridApiKey", "value": "⟦K:ecgrid-api-key⟧"},
    {"key": "tenantId", "value": "⟦D:guid⟧"},
    {"key": "interchangeId", "value": "⟦D:guid⟧"}
  ]
}
""",
    "captures/session.har": """\
{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
 "entries": [
  {"startedDateTime": "2024-05-01T10:00:00.000Z",
   "request": {"method": "POST", "url": "https://rest.ecgrid.io/v2/parcels/upload",
     "headers": [
       {"name": "Content-Type", "value": "application/json"},
       {"name": "X-API-Key", "value": "⟦K:ecgrid-api-key⟧"},
       {"name": "X-Request-Id", "value": "⟦D:guid⟧"}
     ]},
   "response": {"status": 200, "content": {"mimeType": "application/json",
     "text": "{\\"success\\":true,\\"data\\":{\\"parcelId\\":\\"⟦D:guid⟧\\",\\"mailboxId\\":\\"⟦D:guid⟧\\"}}"}}},
  {"startedDateTime": "2024-05-01T10:00:01.000Z",
   "request": {"method": "GET", "url": "https://api.scrapebit.com/v1/user/profile",
     "headers": [{"name": "Authorization", "value": "Bearer ⟦K:scrapebit-api-key⟧"}]},
   "response": {"status": 200, "content": {"text": "{}"}}}
 ]}}
""",
    "deploy/k8s/ecgrid-secret.yaml": """\
apiVersion: v1
kind: Secret
metadata:
  name: ecgrid-credentials
  namespace: edi
type: Opaque
data:
  api-key: ⟦E:b64:ecgrid-api-key⟧
  mailbox-id: ⟦D:b64guid-id⟧
---
apiVersion: v1
kind: Secret
metadata:
  name: scraper
stringData:
  SCRAPEBIT_API_KEY: ⟦K:scrapebit-api-key⟧
data:
  ELECTRONHUB_API_KEY: ⟦E:b64:electronhub-api-key⟧
""",
    "deploy/k8s/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: edi-bridge
spec:
  template:
    spec:
      containers:
        - name: bridge
          image: registry.example.com/edi-bridge:1.4.2
          env:
            - name: ECGRID_BASE_URL
              value: https://rest.ecgrid.io
            - name: ECGRID_API_KEY
              value: "⟦K:ecgrid-api-key⟧"
            - name: TENANT_ID
              value: "⟦D:guid⟧"
            - name: ECGRID_MAILBOX_ID
              value: "⟦D:guid⟧"
""",
    "src/Edi.Web/appsettings.Production.json": """\
{
  "Logging": {"LogLevel": {"Default": "Warning"}},
  "AzureAd": {
    "Instance": "https://login.microsoftonline.com/",
    "TenantId": "⟦D:guid⟧",
    "ClientId": "⟦D:guid⟧"
  },
  "ECGridOS": {
    "BaseUrl": "https://rest.ecgrid.io",
    "Timeout": "00:00:30",
    "Retry": {"Count": 3, "DelayMs": 500},
    "Mailboxes": [
      {"Name": "inbound", "MailboxId": "⟦D:guid⟧"},
      {"Name": "outbound", "MailboxId": "⟦D:guid⟧"}
    ],
    "ApiKey": "⟦K:ecgrid-api-key⟧",
    "NetworkId": "⟦D:guid⟧"
  }
}
""",
    "src/Edi.Legacy/Web.config": """\
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="ECGridApiKey" value="⟦K:ecgrid-api-key⟧" />
    <add key="ECGridMailboxId" value="⟦D:guid⟧" />
    <add key="CorrelationSeed" value="⟦D:guid⟧" />
  </appSettings>
  <applicationSettings>
    <Edi.Legacy.Properties.Settings>
      <setting name="ECGridUserKey" serializeAs="String">
        <value>⟦K:ecgrid-api-key⟧</value>
      </setting>
    </Edi.Legacy.Properties.Settings>
  </applicationSettings>
</configuration>
""",
    "config/edi.ini": """\
; EDI gateway settings
[general]
log_level = info
instance_id = ⟦D:guid⟧

[ecgrid]
base_url = https://rest.ecgrid.io
timeout = 30
retries = 3
; rotated 2024-04
api_key = ⟦K:ecgrid-api-key⟧
mailbox = ⟦D:guid⟧
network_id = ⟦D:guid⟧

[storage]
container = edi-archive
account_key_id = ⟦D:guid⟧
""",
    "db/seeds/001_ecgrid_accounts.sql": """\
-- Seed data for local development
INSERT INTO ecgrid_accounts (id, tenant_id, label, api_key, created_at)
VALUES ('⟦D:guid⟧', '⟦D:guid⟧', 'prod', '⟦K:ecgrid-api-key⟧', NOW()),
       ('⟦D:guid⟧', '⟦D:guid⟧', 'test', '⟦K:ecgrid-api-key⟧', NOW());
INSERT INTO audit_log (id, request_id, message) VALUES ('⟦D:guid⟧', '⟦D:guid⟧', 'seeded');
""",
    "logs/gateway-2024-05-01.log": """\
2024-05-01T10:00:00Z INFO  ecgrid.client request_id=⟦D:guid⟧ GET /v2/users/me 200
2024-05-01T10:00:01Z DEBUG ecgrid.client headers={'X-API-Key': '⟦K:ecgrid-api-key⟧', 'X-Request-Id': '⟦D:guid⟧'}
2024-05-01T10:00:02Z INFO  ecgrid.client parcel ⟦D:guid⟧ uploaded to mailbox ⟦D:guid⟧
2024-05-01T10:00:03Z WARN  ecgrid.client correlation=⟦D:guid⟧ retrying
""",
    ".docker/config.json": """\
{
  "auths": {
    "registry.example.com": {"auth": "⟦E:basic:electronhub-api-key⟧"}
  }
}
""",
    "api/openapi.yaml": """\
openapi: 3.0.1
info:
  title: ECGrid REST (excerpt)
paths:
  /v2/parcels/{parcelId}:
    get:
      parameters:
        - name: X-API-Key
          in: header
          required: true
          schema:
            type: string
            example: ⟦D:swagger⟧
        - name: parcelId
          in: path
          schema:
            type: string
            format: uuid
            example: ⟦D:guid⟧
""",
    "scripts/ecgrid-smoke.sh": """\
#!/usr/bin/env bash
set -euo pipefail
curl -sS -X GET \\
  -H "Accept: application/json" \\
  -H "X-Request-Id: ⟦D:guid⟧" \\
  -H "X-API-Key: ⟦K:ecgrid-api-key⟧" \\
  "https://rest.ecgrid.io/v2/users/me"
# token for the scraper, made with: echo -n "$KEY" | base64
SCRAPER_TOKEN_B64="⟦E:b64:scrapebit-api-key⟧"
""",
    "data/ecgrid_partners.csv": """\
partner,mailbox_id,api_key,contact
acme,⟦D:guid⟧,⟦K:ecgrid-api-key⟧,edi@acme.example
globex,⟦D:guid⟧,⟦K:ecgrid-api-key⟧,ops@globex.example
""",
    "secrets/ecgrid_api_key.txt": "⟦K:ecgrid-api-key⟧\n",
    "config/ecgrid.yaml": """\
ecgrid:
  environments:
    production:
      url: https://rest.ecgrid.io
      options:
        verbose: false
        timeout: 30
      credentials:
        user: edi-prod
        secret: ⟦K:ecgrid-api-key⟧
ECGRID_API_KEYS:
  - ⟦K:ecgrid-api-key⟧
  - ⟦K:ecgrid-api-key⟧
""",
    "web/callback.txt": """\
https://partner.example.com/callback?state=ok&token=⟦E:pct:scrapebit-api-key⟧&next=%2Fhome
""",
    "web/static/settings.js": """\
window.__SETTINGS__ = JSON.parse("{\\"electronhub\\":{\\"key\\":\\"⟦E:esc:electronhub-api-key⟧\\"}}");
""",
    "src/Edi.Client/EcgridClient.cs": """\
using System;

namespace Edi.Client;

[Guid("⟦D:GUID⟧")]
public sealed class EdiClient
{
    private static readonly Guid RequestNamespace = Guid.Parse("⟦D:guid⟧");

    public EdiClient(HttpClient http)
    {
        http.BaseAddress = new Uri("https://rest.ecgrid.io");
        http.DefaultRequestHeaders.Add("X-API-Key", "⟦K:ecgrid-api-key⟧");
        http.DefaultRequestHeaders.Add("X-Correlation-Id", "⟦D:guid⟧");
    }
}
""",
    ".github/workflows/edi.yml": """\
name: edi
on: [push]
jobs:
  smoke:
    runs-on: ubuntu-latest
    env:
      ECGRID_API_KEY: ⟦K:ecgrid-api-key⟧
      RUN_CORRELATION: ⟦D:guid⟧
    steps:
      - run: ./scripts/ecgrid-smoke.sh
""",
    "infra/main.tf": """\
module "ecgrid" {
  source    = "./modules/ecgrid"
  api_key   = "⟦K:ecgrid-api-key⟧"
  tenant_id = "⟦D:guid⟧"
}
""",
    "src/main/resources/application.properties": """\
server.port=8080
ecgrid.api.key=⟦K:ecgrid-api-key⟧
ecgrid.mailbox.id=⟦D:guid⟧
""",
    "requests/users.http": """\
### Who am I
GET https://rest.ecgrid.io/v2/users/me
Accept: application/json
X-API-Key: ⟦K:ecgrid-api-key⟧
X-Request-Id: ⟦D:guid⟧

### Another service
GET https://api.example.com/v1/things
X-Request-Id: ⟦D:guid⟧
""",
    "config/settings.toml": """\
[ecgrid.production]
url = "https://rest.ecgrid.io"

[ecgrid.production.auth]
api_key = "⟦K:ecgrid-api-key⟧"
session_id = "⟦D:guid⟧"

[ecgrid.production.extra]
value = "⟦P:ecgrid-api-key⟧"
""",
    "src/edi/client.py": """\
import requests


def whoami() -> dict:
    answer = requests.get(
        "https://rest.ecgrid.io/v2/users/me",
        headers={"X-API-Key": "⟦K:ecgrid-api-key⟧", "X-Request-Id": "⟦D:guid⟧"},
        timeout=10,
    )
    return answer.json()
""",
    "docker-compose.yml": """\
services:
  ecgrid-bridge:
    image: edi/bridge:2
    environment:
      - ECGRID_API_KEY=⟦K:ecgrid-api-key⟧
      - TRACE_ID=⟦D:guid⟧
  payments:
    image: pay/api:1
    environment:
      - PAYMENTS_API_KEY=⟦D:guid⟧
""",
    "config/services.yaml": """\
ecgrid:
  url: https://rest.ecgrid.io
billing:
  api_key: ⟦D:guid⟧
  account_id: ⟦D:guid⟧
""",
    "notebooks/ecgrid-explore.ipynb": "",  # _notebook, set below it
    "other/stripe.env": """\
PAYMENTS_API_KEY=⟦D:guid⟧
ORDER_ID=⟦D:guid⟧
""",
    "src/Edi.Client/Edi.Client.csproj": """\
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <ProjectGuid>{⟦D:GUID⟧}</ProjectGuid>
    <UserSecretsId>⟦D:guid⟧</UserSecretsId>
    <RootNamespace>Edi.ECGrid.Client</RootNamespace>
  </PropertyGroup>
</Project>
""",
    "Edi.sln": """\
Microsoft Visual Studio Solution File, Format Version 12.00
Project("{⟦D:GUID⟧}") = "Edi.ECGrid.Client", "src\\Edi.Client\\Edi.Client.csproj", "{⟦D:GUID⟧}"
EndProject
""",
    "web/package-lock.json": """\
{
  "name": "ecgrid-dashboard",
  "lockfileVersion": 3,
  "packages": {
    "node_modules/ecgrid-api-key-helper": {
      "version": "1.0.0",
      "integrity": "⟦D:integrity⟧"
    }
  }
}
""",
    "docs/ecgrid.md": """\
# ECGrid integration

Send your key in the `X-API-Key` header. Example:

    X-API-Key: ⟦D:swagger⟧
    X-API-Key: ⟦D:zero⟧
    X-API-Key: ⟦D:ffff⟧
    X-API-Key: ⟦D:seq⟧

The response carries a `requestId` such as ⟦D:guid⟧.
""",
}


def _notebook(fill: Callable[[str], str]) -> str:
    cells = [
        {
            "cell_type": "code",
            "execution_count": 3,
            "metadata": {},
            "source": [
                "import os, requests\n",
                fill('os.environ["ECGRID_API_KEY"] = "⟦K:ecgrid-api-key⟧"\n'),
                'r = requests.get("https://rest.ecgrid.io/v2/users/me",\n',
                '                 headers={"X-API-Key": os.environ["ECGRID_API_KEY"]})\n',
            ],
            "outputs": [
                {
                    "output_type": "stream",
                    "name": "stdout",
                    "text": [fill('{"success": true, "data": {"userId": "⟦D:guid⟧"}}\n')],
                }
            ],
        }
    ]
    return json.dumps(
        {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


FILES["notebooks/ecgrid-explore.ipynb"] = _notebook


def test_corpus_is_broad() -> None:
    corpus = build_corpus(FILES)
    assert len({r[2] for r in corpus.certain}) >= 18
    assert len(corpus.decoys) >= 40
    assert len(corpus.certain) >= 30


def test_files_mode(repo: Repo, run_cli: RunCli) -> None:
    corpus = build_corpus(FILES)
    write_corpus(repo, corpus, structure_first=False)
    scan_corpus(run_cli, repo, corpus)


def test_staged_mode_keys_added_far_from_their_scope(repo: Repo, run_cli: RunCli) -> None:
    """The structure is committed first; the keys are staged later, each a hunk of its own
    whose diff context does not show what names it."""
    corpus = build_corpus(FILES)
    write_corpus(repo, corpus)
    scan_corpus(run_cli, repo, corpus, "--staged")


def test_history_mode(repo: Repo, run_cli: RunCli) -> None:
    corpus = build_corpus(FILES)
    write_corpus(repo, corpus)
    keys_commit = repo.commit("credentials")
    report = scan_corpus(run_cli, repo, corpus, "--history")
    assert {f["commit"] for f in report["findings"]} == {keys_commit}
