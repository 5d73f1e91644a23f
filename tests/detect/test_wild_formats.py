"""More leaks in the shapes real exports and dumps have, with the identifiers those same
files are full of: a Postman environment and a collection with item ids and scripts, a
Chrome HAR (lower-case HTTP/2 headers, a JSON body), `kubectl get -o yaml` output with uids
and the last-applied annotation, .NET appsettings and user secrets beside Application
Insights and Azure AD ids, a pg_dump with `COPY … FROM stdin`, a Colab notebook with output
ids, ASP.NET Core logs, and an ECGridOS sample's `MyAPIKey` string.

Scored like tests/detect/test_wild_corpus.py (same marks, same rules) in files, staged and history
modes."""

# ruff: noqa: E501  (the corpus files keep the long lines real files have)
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from tests.testing import Repo, RunCli, Template, build_corpus, scan_corpus, write_corpus

Fill = Callable[[str], str]


def _postman_environment(fill: Fill) -> str:
    values = [
        {"key": "baseUrl", "value": "https://rest.ecgrid.io", "type": "default", "enabled": True},
        {
            "key": "ecgridApiKey",
            "value": fill("⟦K:ecgrid-api-key⟧"),
            "type": "secret",
            "enabled": True,
        },
        {"key": "mailboxId", "value": fill("⟦D:guid⟧"), "type": "default", "enabled": True},
        {"key": "networkId", "value": fill("⟦D:guid⟧"), "type": "default", "enabled": True},
        {
            "key": "scrapebitToken",
            "value": fill("⟦K:scrapebit-api-key⟧"),
            "type": "secret",
            "enabled": True,
        },
    ]
    return json.dumps(
        {
            "id": fill("⟦D:guid⟧"),
            "name": "ECGrid Production",
            "values": values,
            "_postman_variable_scope": "environment",
            "_postman_exported_at": "2024-06-01T09:12:44.531Z",
            "_postman_exported_using": "Postman/10.24.3",
        },
        indent="\t",
    )


def _postman_collection(fill: Fill) -> str:
    def event(script: list[str]) -> list[dict[str, Any]]:
        return [
            {
                "listen": "prerequest",
                "script": {"id": fill("⟦D:guid⟧"), "exec": script, "type": "text/javascript"},
            }
        ]

    collection = {
        "info": {
            "_postman_id": fill("⟦D:guid⟧"),
            "name": "EDI gateway",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
            "_exporter_id": "8812345",
        },
        "item": [
            {
                "name": "Mailboxes",
                "id": fill("⟦D:guid⟧"),
                "event": event(
                    [
                        "pm.request.headers.upsert({ key: 'X-Request-Id', value: '"
                        + fill("⟦D:guid⟧")
                        + "' });",
                        "pm.request.headers.upsert({ key: 'X-API-Key', value: '"
                        + fill("⟦K:ecgrid-api-key⟧")
                        + "' });",
                    ]
                ),
                "request": {
                    "method": "GET",
                    "header": [{"key": "Accept", "value": "application/json"}],
                    "url": {
                        "raw": "https://rest.ecgrid.io/v2/mailboxes/" + fill("⟦D:guid⟧"),
                        "protocol": "https",
                        "host": ["rest", "ecgrid", "io"],
                        "path": ["v2", "mailboxes", fill("⟦D:guid⟧")],
                    },
                },
                "response": [],
            },
            {
                "name": "Who am I",
                "id": fill("⟦D:guid⟧"),
                "request": {
                    "auth": {
                        "type": "apikey",
                        "apikey": [
                            {"key": "value", "value": fill("⟦K:ecgrid-api-key⟧"), "type": "string"},
                            {"key": "key", "value": "X-API-Key", "type": "string"},
                            {"key": "in", "value": "header", "type": "string"},
                        ],
                    },
                    "method": "GET",
                    "url": {"raw": "https://rest.ecgrid.io/v2/users/me"},
                },
            },
        ],
        "variable": [{"id": fill("⟦D:guid⟧"), "key": "tenant", "value": fill("⟦D:guid⟧")}],
    }
    return json.dumps(collection, indent="\t")


def _har(fill: Fill) -> str:
    body = json.dumps({"apiKey": "⟦K:ecgrid-api-key⟧", "mailboxId": "⟦D:guid⟧"})
    entry = {
        "_initiator": {"type": "script"},
        "_priority": "High",
        "_resourceType": "fetch",
        "cache": {},
        "connection": "443",
        "pageref": "page_2",
        "request": {
            "method": "POST",
            "url": "https://rest.ecgrid.io/v2/parcels/inbox",
            "httpVersion": "http/2.0",
            "headers": [
                {"name": ":authority", "value": "rest.ecgrid.io"},
                {"name": "accept", "value": "application/json"},
                {"name": "x-api-key", "value": fill("⟦K:ecgrid-api-key⟧")},
                {"name": "x-request-id", "value": fill("⟦D:guid⟧")},
                {
                    "name": "traceparent",
                    "value": "00-" + uuid.uuid4().hex + "-" + uuid.uuid4().hex[:16] + "-01",
                },
            ],
            "queryString": [],
            "cookies": [{"name": "ai_session", "value": fill("⟦D:guid⟧")}],
            "headersSize": -1,
            "bodySize": 74,
            "postData": {"mimeType": "application/json", "text": fill(body)},
        },
        "response": {
            "status": 200,
            "statusText": "",
            "httpVersion": "http/2.0",
            "headers": [
                {"name": "x-correlation-id", "value": fill("⟦D:guid⟧")},
                {"name": "request-context", "value": "appId=cid-v1:" + fill("⟦D:guid⟧")},
            ],
            "content": {"size": 2, "mimeType": "application/json", "text": "[]"},
            "redirectURL": "",
        },
        "serverIPAddress": "203.0.113.7",
        "startedDateTime": "2024-06-01T09:14:02.118Z",
        "time": 212.4,
        "timings": {"send": 0.1, "wait": 210.2, "receive": 2.1},
    }
    return json.dumps(
        {
            "log": {
                "version": "1.2",
                "creator": {"name": "WebInspector", "version": "537.36"},
                "pages": [{"id": "page_2", "title": "https://portal.example.com/edi"}],
                "entries": [entry],
            }
        },
        indent=2,
    )


def _notebook(fill: Fill) -> str:
    cells = [
        {
            "cell_type": "code",
            "metadata": {
                "id": "x1Yb0Z",
                "outputId": fill("⟦D:guid⟧"),
                "colab": {"base_uri": "https://localhost:8080/"},
            },
            "source": [
                "import requests\n",
                fill('SCRAPEBIT = "⟦K:scrapebit-api-key⟧"\n'),
                'r = requests.get("https://api.scrapebit.com/v1/user/profile", headers={"Authorization": f"Bearer {SCRAPEBIT}"})\n',
            ],
            "execution_count": 4,
            "outputs": [
                {
                    "output_type": "execute_result",
                    "execution_count": 4,
                    "metadata": {},
                    "data": {"text/plain": [fill("{'request_id': '⟦D:guid⟧', 'credits': 120}")]},
                }
            ],
        },
        {
            "cell_type": "code",
            "metadata": {"id": "Qm3kVv"},
            "source": [
                "ECGRID = {\n",
                '    "base": "https://rest.ecgrid.io",\n',
                fill('    "api_key": "⟦K:ecgrid-api-key⟧",\n'),
                fill('    "network_id": "⟦D:guid⟧",\n'),
                "}\n",
            ],
            "execution_count": 5,
            "outputs": [],
        },
    ]
    return json.dumps(
        {
            "cells": cells,
            "metadata": {
                "colab": {"provenance": []},
                "kernelspec": {"name": "python3", "display_name": "Python 3"},
            },
            "nbformat": 4,
            "nbformat_minor": 0,
        },
        indent=1,
    )


FILES: dict[str, Template] = {
    "postman/ECGrid Production.postman_environment.json": _postman_environment,
    "postman/EDI gateway.postman_collection.json": _postman_collection,
    "captures/portal.example.com.har": _har,
    "notebooks/Untitled3.ipynb": _notebook,
    "k8s/ecgrid-secret.yaml": """\
apiVersion: v1
kind: Secret
metadata:
  name: edi-bridge-env
  namespace: edi
  uid: ⟦D:guid⟧
  resourceVersion: "48213"
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Secret","metadata":{"annotations":{},"name":"edi-bridge-env","namespace":"edi"},"type":"Opaque"}
type: Opaque
data:
  ECGRID_API_KEY: ⟦E:b64:ecgrid-api-key⟧
  ECGRID_MAILBOX_ID: ⟦D:b64guid-id⟧
---
apiVersion: v1
kind: Secret
metadata:
  name: default-token-x7k2p
  namespace: edi
  annotations:
    kubernetes.io/service-account.name: default
    kubernetes.io/service-account.uid: ⟦D:guid⟧
type: kubernetes.io/service-account-token
data:
  namespace: ZWRp
""",
    "k8s/bridge-deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: edi-bridge
  uid: ⟦D:guid⟧
  ownerReferences:
    - apiVersion: v1
      kind: Namespace
      name: edi
      uid: ⟦D:guid⟧
spec:
  template:
    metadata:
      annotations:
        checksum/config: 3f1c0c9ad8c8b1b3a1d6a3c0d4c2a1e5f6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1
    spec:
      containers:
        - name: bridge
          image: registry.example.com/edi-bridge:1.4.2
          env:
            - name: APPINSIGHTS_INSTRUMENTATIONKEY
              value: ⟦D:guid⟧
            - name: ECGRID__BASEURL
              value: https://rest.ecgrid.io
            - name: ECGRID__APIKEY
              value: ⟦K:ecgrid-api-key⟧
            - name: ECGRID__NETWORKID
              value: "⟦D:guid⟧"
""",
    "src/Edi.Api/appsettings.json": """\
{
  "ApplicationInsights": {
    "InstrumentationKey": "⟦D:guid⟧",
    "ConnectionString": "InstrumentationKey=⟦D:guid⟧;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/"
  },
  "AzureAd": {
    "Instance": "https://login.microsoftonline.com/",
    "Domain": "contoso.onmicrosoft.com",
    "TenantId": "⟦D:guid⟧",
    "ClientId": "⟦D:guid⟧",
    "Audience": "api://⟦D:guid⟧"
  },
  "ECGrid": {
    "Url": "https://rest.ecgrid.io",
    "Credentials": {
      "Key": "⟦K:ecgrid-api-key⟧"
    },
    "DefaultNetworkId": "⟦D:guid⟧"
  },
  "AllowedHosts": "*"
}
""",
    "src/Edi.Api/secrets.json": """\
{
  "ConnectionStrings:Edi": "Server=(localdb)\\\\mssqllocaldb;Database=Edi;Trusted_Connection=True",
  "ECGrid:ApiKey": "⟦K:ecgrid-api-key⟧",
  "ECGrid:MailboxId": "⟦D:guid⟧"
}
""",
    "src/Edi.Api/Properties/PublishProfiles/edi-prod.pubxml": """\
<?xml version="1.0" encoding="utf-8"?>
<Project>
  <PropertyGroup>
    <WebPublishMethod>MSDeploy</WebPublishMethod>
    <ResourceId>/subscriptions/⟦D:guid⟧/resourceGroups/edi/providers/Microsoft.Web/sites/edi-prod</ResourceId>
    <ProjectGuid>⟦D:guid⟧</ProjectGuid>
    <SiteUrlToLaunchAfterPublish>https://edi-prod.azurewebsites.net</SiteUrlToLaunchAfterPublish>
  </PropertyGroup>
</Project>
""",
    "db/dump.sql": """\
--
-- PostgreSQL database dump
--

SET statement_timeout = 0;

CREATE TABLE public.api_keys (
    id uuid NOT NULL,
    provider text NOT NULL,
    secret text NOT NULL,
    created_at timestamp with time zone
);

COPY public.api_keys (id, provider, secret, created_at) FROM stdin;
⟦D:guid⟧	ecgrid	⟦K:ecgrid-api-key⟧	2024-05-02 10:11:12+00
⟦D:guid⟧	ecgrid	⟦K:ecgrid-api-key⟧	2024-05-03 08:00:00+00
\\.

COPY public.mailboxes (id, network_id, name) FROM stdin;
⟦D:guid⟧	⟦D:guid⟧	inbound
\\.
""",
    "db/seed_api_keys.sql": """\
INSERT INTO api_keys (id, user_id, provider, key_value, created_at) VALUES (1, 42, 'ecgrid', '⟦K:ecgrid-api-key⟧', now());
INSERT INTO tenants (id, name, created_at) VALUES ('⟦D:guid⟧', 'ECGrid demo tenant', now());
""",
    "logs/edi-api-20240601.log": """\
info: Microsoft.Hosting.Lifetime[14]
      Now listening on: https://localhost:7043
info: Microsoft.AspNetCore.Hosting.Diagnostics[1]
      Request starting HTTP/1.1 GET https://localhost:7043/api/parcels - - -
info: Edi.Api.EcgridClient[0]
      => SpanId:9f2a61c3d4e5f607, TraceId:5b8aa5a2d2c872e8321cf37308d69df2, ParentId:0000000000000000 => ConnectionId:0HMVD1QK1RQ2M => RequestId:0HMVD1QK1RQ2M:00000001 => CorrelationId:⟦D:guid⟧
      Calling https://rest.ecgrid.io/v2/parcels/inbox with X-API-Key ⟦K:ecgrid-api-key⟧
info: Edi.Api.EcgridClient[0]
      Parcel ⟦D:guid⟧ downloaded for mailbox ⟦D:guid⟧
""",
    "samples/ECGridOS Console/Program.cs": """\
using ECGridOS.Client;

// Keep the APIKey somewhere secure; do not keep it in source code.
string MyAPIKey = "⟦K:ecgrid-api-key⟧";
var client = new ECGridOSClient(new HttpClient());
var session = await client.WhoAmI(MyAPIKey);
Console.WriteLine($"Session {session.SessionID} for {session.LoginName}");
var requestId = Guid.Parse("⟦D:guid⟧");
""",
    "src/Edi.Api/Edi.Api.http": """\
@Edi.Api_HostAddress = https://localhost:7043
@correlation = ⟦D:guid⟧

GET {{Edi.Api_HostAddress}}/api/parcels/⟦D:guid⟧
Accept: application/json
X-Correlation-Id: {{correlation}}
""",
}


def test_corpus_is_broad() -> None:
    corpus = build_corpus(FILES)
    assert len({r[2] for r in corpus.certain}) >= 12
    assert len(corpus.decoys) >= 40


def test_files_mode(repo: Repo, run_cli: RunCli) -> None:
    corpus = build_corpus(FILES)
    write_corpus(repo, corpus, structure_first=False)
    scan_corpus(run_cli, repo, corpus)


def test_history_mode(repo: Repo, run_cli: RunCli) -> None:
    """The files without their keys first; the keys are added by a later commit."""
    corpus = build_corpus(FILES)
    write_corpus(repo, corpus)
    keys_commit = repo.commit("credentials")
    report = scan_corpus(run_cli, repo, corpus, "--history")
    assert {f["commit"] for f in report["findings"]} == {keys_commit}


def test_staged_mode(repo: Repo, run_cli: RunCli) -> None:
    corpus = build_corpus(FILES)
    write_corpus(repo, corpus)
    scan_corpus(run_cli, repo, corpus, "--staged")
