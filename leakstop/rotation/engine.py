"""Verification and rotation of found keys, with the outcomes of DESIGN.md.

One call per distinct key and run; the new key is delivered before anything else happens;
a regenerate call whose answer was lost is never resent (the check call tells whether the
old key died); 401 means already dead; 429 reports when to retry. Every attempt is written to
the audit log, and keys that are dead or rotated are remembered so a re-run leaves them be.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from leakstop.findings import Finding
from leakstop.providers import get_api, get_provider
from leakstop.providers.api import KeyApi
from leakstop.providers.base import Rule
from leakstop.rotation import endpoints
from leakstop.rotation.delivery import Delivery
from leakstop.rotation.http import Answer, Lost, make_client, send
from leakstop.rotation.records import AuditLog, RotationState
from leakstop.secrets_text import hashed_secret, redact

if TYPE_CHECKING:
    import httpx

LIVE, INVALID, UNKNOWN = "live", "invalid", "unknown"


@dataclass
class Target:
    """One distinct key and every place it was found."""

    rule: Rule
    secret: str = field(repr=False)
    findings: list[Finding] = field(default_factory=list)

    @property
    def hashed(self) -> str:
        return hashed_secret(self.secret)

    @property
    def redacted(self) -> str:
        return redact(self.secret, self.rule.prefix)

    @property
    def where(self) -> str:
        first = self.findings[0]
        commit = f" @ {first.commit.sha[:12]}" if first.commit else ""
        return f"{first.file}:{first.line}{commit}"


@dataclass(frozen=True)
class Outcome:
    status: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"status": self.status, "detail": self.detail}


def targets(findings: Iterable[Finding]) -> list[Target]:
    by_key: dict[str, Target] = {}
    for finding in findings:
        target = by_key.setdefault(finding.secret, Target(finding.rule, finding.secret))
        target.findings.append(finding)
    return list(by_key.values())


class Engine:
    def __init__(
        self,
        delivery: Delivery | None = None,
        state: RotationState | None = None,
        audit: AuditLog | None = None,
        dry_run: bool = False,
        client: httpx.Client | None = None,
        say: Callable[[str], None] = lambda _text: None,
    ) -> None:
        self.delivery = delivery
        self.state = state or RotationState()
        self.audit = audit or AuditLog()
        self.dry_run = dry_run
        self.say = say
        self._client = client
        self._config = endpoints.user_config()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = make_client()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def check_endpoints(self, found: Iterable[Target]) -> None:
        """Fail before any call if a provider's configured endpoint is not acceptable, or
        (when keys will change) the state directory cannot take the audit log."""
        for target in found:
            self._base(target)
        if not self.dry_run:
            self.audit.ensure_writable()

    # -- verify ------------------------------------------------------------------------
    def verify(self, target: Target) -> str:
        api = get_api(target.rule)
        if api is None:
            return UNKNOWN
        return self._check(target, api)[0]

    def _check(self, target: Target, api: KeyApi) -> tuple[str, str, Answer | Lost]:
        """(live|invalid|unknown, why, answer) from the side-effect-free check call."""
        answer = self._call(target, api, api.check.method, api.check.path)
        return (*_judge_check(api, answer), answer)

    # -- rotate ------------------------------------------------------------------------
    def rotate(self, target: Target) -> Outcome:
        outcome = self._rotate(target)
        if outcome.status not in ("dry_run", "not_rotatable", "skipped"):
            self.audit.append(
                provider=target.rule.provider,
                rule=target.rule.id,
                where=target.where,
                outcome=outcome.status,
                detail=outcome.detail,
                old_sha1=target.hashed,
                new_sha1=self._new_hash,
            )
            if outcome.status in ("rotated", "already_invalid"):
                self.state.remember(target.hashed, target.rule.provider, outcome.status)
        return outcome

    _new_hash: str | None = None

    def _rotate(self, target: Target) -> Outcome:
        self._new_hash = None
        api = get_api(target.rule)
        if api is None or api.rotate is None or not target.rule.rotatable:
            return Outcome("not_rotatable", target.rule.guidance)
        rotate = api.rotate
        known = self.state.get(target.hashed)
        if known is not None:
            return Outcome(
                "skipped", f"already {known.get('outcome')} on {known.get('time')} (state file)"
            )
        base = self._base(target)
        if self.dry_run:
            return Outcome(
                "dry_run",
                f"would call {rotate.method} {base}{rotate.path} with "
                f"{api.auth_header}: {api.auth_prefix}{target.redacted}",
            )
        status, why, checked = self._check(target, api)
        if status == INVALID:
            return Outcome("already_invalid", f"the provider rejects this key ({why})")
        path = rotate.path
        if api.user_id is not None:
            user_id = self._user_id(target, api, checked)
            if isinstance(user_id, Outcome):
                return user_id
            path = path.replace("{user_id}", user_id)
        answer = self._call(target, api, rotate.method, path)
        return self._judge(target, api, answer)

    def _judge(self, target: Target, api: KeyApi, answer: Answer | Lost) -> Outcome:
        dashboard = f"regenerate it by hand: {api.dashboard}" if api.dashboard else ""
        if isinstance(answer, Lost):
            if not answer.sent:
                return Outcome("failed", f"{answer.reason}; nothing was sent, the key still works")
            return self._after_uncertain(target, api, answer.reason, dashboard)
        if 300 <= answer.status < 400:
            return Outcome(
                "failed",
                f"the provider answered with a redirect to {answer.location!r}; not followed "
                "with a key attached",
            )
        if answer.status == 401 or _code(answer.body) in api.invalid_codes:
            return Outcome(
                "already_invalid", f"the provider rejects this key (HTTP {answer.status})"
            )
        if answer.status == 429:
            seconds = _retry_after(api, answer)
            at = time.strftime("%H:%M UTC", time.gmtime(time.time() + seconds))
            return Outcome("rate_limited", f"retry in {seconds} s (after {at})")
        if 200 <= answer.status < 300:
            new_key = _dig(answer.body, api.new_key_at)
            if isinstance(new_key, str) and new_key and new_key != target.secret:
                return self._deliver(target, api, new_key)
            return self._after_uncertain(
                target, api, f"HTTP {answer.status} without a new key in the answer", dashboard
            )
        return self._after_uncertain(
            target,
            api,
            f"HTTP {answer.status}" + ("" if answer.body is not None else " (not JSON)"),
            dashboard,
        )

    def _deliver(self, target: Target, api: KeyApi, new_key: str) -> Outcome:
        self._new_hash = hashed_secret(new_key)
        label = f"{target.rule.provider}-{target.hashed[:12]}"
        delivery = self.delivery
        try:
            assert delivery is not None
            place = delivery.deliver(new_key, label)
        except Exception as exc:  # the key must land somewhere: fall back to the state dir
            from leakstop.rotation.delivery import parse

            try:
                place = parse(None).deliver(new_key, label) + f" (fallback: {exc})"
            except Exception:
                return Outcome(
                    "failed",
                    "the key was rotated but the new key could not be saved and is lost; "
                    + (f"regenerate it by hand: {api.dashboard}" if api.dashboard else ""),
                )
        status, why, _ = self._check(target, api)
        old = {
            INVALID: "the old key is now rejected",
            LIVE: "WARNING: the provider still accepts the old key",
        }.get(status, f"the old key's state is unknown ({why})")
        return Outcome("rotated", f"new key saved to {place}; {old}")

    def _after_uncertain(self, target: Target, api: KeyApi, reason: str, dashboard: str) -> Outcome:
        """The regenerate call may or may not have happened: never resend, ask the check."""
        status, why, _ = self._check(target, api)
        if status == INVALID:
            return Outcome(
                "failed",
                f"{reason}: the old key is dead but the new key was lost; {dashboard}".rstrip("; "),
            )
        if status == LIVE:
            return Outcome(
                "failed", f"{reason}: the old key still works, nothing changed; try again"
            )
        return Outcome(
            "failed",
            f"{reason}: cannot tell whether the key was rotated ({why}); {dashboard}".rstrip("; "),
        )

    def _user_id(self, target: Target, api: KeyApi, checked: Answer | Lost) -> str | Outcome:
        lookup = api.user_id
        assert lookup is not None
        import os

        configured = os.environ.get(lookup.env_var) or self._config.get(
            target.rule.provider, {}
        ).get("user_id")
        if configured:
            return str(configured)
        # ECGrid's check call is the user-id call: its answer serves both.
        answer = (
            checked
            if lookup.call == api.check
            else self._call(target, api, lookup.call.method, lookup.call.path)
        )
        if isinstance(answer, Lost):
            return Outcome("failed", f"could not read the key's user id: {answer.reason}")
        value = _dig(answer.body, lookup.value_at)
        if answer.status != 200 or not isinstance(value, int | str) or isinstance(value, bool):
            return Outcome(
                "failed",
                f"could not read the key's user id (HTTP {answer.status}); set {lookup.env_var}",
            )
        return str(value)

    # -- plumbing ----------------------------------------------------------------------
    def _base(self, target: Target) -> str:
        return endpoints.base_url(get_provider(target.rule.provider), self._config)

    def _call(self, target: Target, api: KeyApi, method: str, path: str) -> Answer | Lost:
        return send(self.client, method, self._base(target) + path, api.headers(target.secret))


def _judge_check(api: KeyApi, answer: Answer | Lost) -> tuple[str, str]:
    if isinstance(answer, Lost):
        return UNKNOWN, answer.reason
    # An HTML 403 (a CDN's page) says nothing about the key; a JSON one does.
    json_rejection = answer.status in api.invalid_statuses and answer.body is not None
    if answer.status == 401 or json_rejection or _code(answer.body) in api.invalid_codes:
        return INVALID, f"HTTP {answer.status}"
    if answer.status in api.live_statuses:
        return LIVE, f"HTTP {answer.status}"
    return UNKNOWN, f"HTTP {answer.status}" + ("" if answer.body is not None else " (not JSON)")


def _dig(body: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(body, dict):
            return None
        body = body.get(part)
    return body


def _code(body: Any) -> str | None:
    """An error code from either documented error shape."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return str(error["code"])
    code = body.get("errorCode")
    return code if isinstance(code, str) else None


def _retry_after(api: KeyApi, answer: Answer) -> int:
    """Seconds to wait: Retry-After header, then the body, then the reset header."""
    header = answer.headers.get("retry-after")
    if header:
        if header.strip().isdigit():
            return int(header)
        parsed = email.utils.parsedate_to_datetime(header) if header else None
        if parsed is not None:
            return max(0, int(parsed.timestamp() - time.time()))
    if api.retry_after_at:
        value = _dig(answer.body, api.retry_after_at)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    if api.reset_header:
        reset = answer.headers.get(api.reset_header.lower(), "")
        if reset.strip().isdigit():
            return max(0, int(int(reset) - time.time()))
    return api.default_retry_seconds
