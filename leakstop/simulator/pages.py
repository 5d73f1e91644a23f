"""Non-JSON answers that stand between a client and the API: a CDN block page and redirects."""

from __future__ import annotations

import secrets

from leakstop.simulator.messages import Reply

_BLOCK_PAGE = """<!DOCTYPE html>
<html lang="en-US"><head><title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8"></head>
<body><div id="cf-wrapper"><h1>Sorry, you have been blocked</h1>
<h2>You are unable to access this site</h2>
<p>This website is using a security service to protect itself from online attacks.</p>
<p>Cloudflare Ray ID: <strong>{ray}</strong></p></div></body></html>
"""


def block_page(status: int = 403) -> Reply:
    """What a CDN in front of an API answers when it blocks a request: HTML, no verdict on
    the key."""
    ray = secrets.token_hex(8)
    body = _BLOCK_PAGE.format(ray=ray).encode("utf-8")
    headers = {"Server": "cloudflare", "CF-RAY": f"{ray}-FRA"}
    return Reply(status, body, "text/html; charset=UTF-8", headers)


def redirect(location: str, status: int = 302) -> Reply:
    body = f'<html><body>Moved: <a href="{location}">here</a></body></html>'.encode()
    return Reply(status, body, "text/html; charset=UTF-8", {"Location": location})
