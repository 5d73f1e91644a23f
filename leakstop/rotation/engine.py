"""Verification and rotation of found keys, with the outcomes of DESIGN.md.

One call per distinct key and run; the new key is delivered before anything else happens;
a regenerate call whose answer was lost is never resent (the check call tells whether the
old key died); 401 means already dead; 429 reports when to retry. Every attempt is written to
the audit log, and keys that are dead or rotated are remembered so a re-run leaves them be.

Across processes: a key's lock is held from its check call to the end of its delivery, and a
write-ahead journal record exists from just before the regenerate call until the new key is
delivered, so a run that was killed in between is found and explained by the next one.
"""

from __future__ import annotations

import contextlib
import email.utils
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from leakstop.errors import LeakstopError
from leakstop.findings import Finding
from leakstop.outcomes import RotationStatus, Verdict
from leakstop.providers import get_api, get_provider, get_rule
from leakstop.providers.api import KeyApi
from leakstop.providers.base import Rule
from leakstop.rotation import endpoints
from leakstop.rotation.delivery import Delivery
from leakstop.rotation.http import Answer, Lost, make_client, proxy_allowed_for, send, settings
from leakstop.rotation.journal import InFlight, Journal
from leakstop.rotation.locks import KeyLock
from leakstop.rotation.records import (
    AuditEntry,
    AuditLog,
    Outcome,
    Remembered,
    RotationState,
    Settled,
    check_writable,
)
from leakstop.secrets_text import hashed_secret, redact

if TYPE_CHECKING:
    import httpx

LIVE, INVALID, UNKNOWN = Verdict.LIVE, Verdict.INVALID, Verdict.UNKNOWN
"""State-file outcome of a key the provider rotated whose new key did not arrive."""


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
        line = f":{first.line}" if first.line else ""  # `leakstop rotate`: <stdin>
        return f"{first.file}{line}{commit}"


def targets(findings: Iterable[Finding]) -> list[Target]:
    by_key: dict[str, Target] = {}
    for finding in findings:
        target = by_key.setdefault(finding.secret, Target(finding.rule, finding.secret))
        target.findings.append(finding)
    return list(by_key.values())


class Pacing(Protocol):
    """What the engine asks of a pacer: wait for a provider's turn, and back off after a
    rate limit (the public seam a sweep's triage paces its calls through)."""

    def wait(self, provider: str) -> None: ...

    def back_off(self, provider: str, seconds: float) -> None: ...


class Engine:
    def __init__(
        self,
        delivery: Delivery | None = None,
        state: RotationState | None = None,
        audit: AuditLog | None = None,
        dry_run: bool = False,
        client: httpx.Client | None = None,
        say: Callable[[str], None] = lambda _text: None,
        pacer: Pacing | None = None,
    ) -> None:
        self.pacer = pacer
        """Spaces the calls to each provider (a sweep's triage); None sends at once."""
        self.delivery = delivery
        self.state = state or RotationState()
        self.audit = audit or AuditLog()
        self.dry_run = dry_run
        self.say = say
        self._client = client
        self._config = endpoints.user_config()
        self._settings = settings()
        # The journal and the key locks live beside the state file they guard.
        self.journal = Journal(self.state.path.parent / "journal")
        self.locks_dir = self.state.path.parent / "locks"
        self._prepared = False

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = make_client(self._settings)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def check_endpoints(self, found: Iterable[Target]) -> None:
        """Fail before any call if a provider's configured endpoint is not acceptable, or
        (when keys will change) the state directory cannot take the state, the journal and
        the audit log."""
        for target in found:
            base = self._base(target)
            if not proxy_allowed_for(urlsplit(base).scheme, self._settings.proxy):
                raise LeakstopError(
                    f"{target.rule.provider}: a plain-http endpoint carries keys in clear; "
                    "it may go through a loopback proxy only"
                )
        if self.delivery is not None and not self.dry_run:  # keys will change
            self.prepare_state()

    def prepare_state(self) -> None:
        if self._prepared:
            return
        directory = self.state.path.parent
        check_writable(directory, [self.state.path, self.state.lock_path, self.audit.path])
        check_writable(self.journal.directory, [])
        check_writable(self.locks_dir, [])
        self.audit.ensure_writable()
        self._prepared = True

    # -- verify ------------------------------------------------------------------------
    def verify(self, target: Target) -> Verdict:
        return self.verdict(target)[0]

    def verdict(self, target: Target) -> tuple[Verdict, str | None]:
        """(live|invalid|unknown, why it is unknown, or None when it is definite)."""
        api = get_api(target.rule)
        if api is None:
            return (
                UNKNOWN,
                f"the provider has no check call for this kind of key ({target.rule.title})",
            )
        status, why, _ = self._check(target, api)
        return status, (why if status == UNKNOWN else None)

    def _check(self, target: Target, api: KeyApi) -> tuple[Verdict, str, Answer | Lost]:
        """(live|invalid|unknown, why, answer) from the side-effect-free check call."""
        answer = self._call(target, api, api.check.method, api.check.path)
        return (*_judge_check(api, answer, target.secret), answer)

    # -- rotate ------------------------------------------------------------------------
    def rotate(self, target: Target) -> Outcome:
        api = get_api(target.rule)
        if api is None or api.rotate is None or not target.rule.rotatable:
            return Outcome(RotationStatus.NOT_ROTATABLE, target.rule.guidance)
        if self.dry_run:
            return self._dry_run(target, api)
        self.prepare_state()
        lock = KeyLock(self.locks_dir, target.hashed)
        wait = 4 * self._settings.deadline + 10

        def waiting(pid: str) -> None:
            self.say(
                f"{target.rule.provider}: {target.redacted}: another leakstop process "
                f"(pid {pid}) is rotating this key; waiting for it"
            )

        if not lock.acquire(wait, waiting):
            return Outcome(
                RotationStatus.SKIPPED,
                f"another leakstop process (pid {lock.holder()}) is still rotating this key; "
                "not sent again",
            )
        try:
            record = self.journal.get(target.hashed)
            if record is not None:
                outcome = self._resume(target, api, record)
            else:
                known = self.state.get(target.hashed)
                if known is not None:
                    return Outcome(RotationStatus.SKIPPED, _known(known))
                outcome = self._rotate(target, api)
            self._finish(target, outcome)
            return outcome
        finally:
            lock.release()

    def _finish(self, target: Target, outcome: Outcome) -> None:
        """Audit line, state entry, journal closed: in that order, and never an exception
        (the provider may already have rotated: the outcome must reach the user)."""
        problems: list[str] = []
        try:
            self.audit.append(
                AuditEntry(
                    provider=target.rule.provider,
                    rule=target.rule.id,
                    where=target.where,
                    outcome=outcome.status,
                    detail=outcome.detail,
                    old_sha1=target.hashed,
                    new_sha1=outcome.new_sha1,
                )
            )
        except (OSError, LeakstopError) as exc:
            problems.append(f"audit log not written ({_why(exc)})")
        remembered = _SETTLED.get(outcome.status)
        if outcome.lost:
            remembered = Settled.NEW_KEY_LOST
        if remembered is not None:
            try:
                self.state.remember(target.hashed, target.rule.provider, remembered)
            except (OSError, LeakstopError) as exc:
                problems.append(f"state file not updated ({_why(exc)})")
        if not outcome.keep_open:
            try:
                self.journal.close(target.hashed)
            except OSError as exc:
                problems.append(f"journal record not closed ({_why(exc)})")
        if problems:
            self.say(f"{target.rule.provider}: {target.redacted}: " + "; ".join(problems))

    def _dry_run(self, target: Target, api: KeyApi) -> Outcome:
        assert api.rotate is not None
        if self.journal.get(target.hashed) is not None:
            return Outcome(
                RotationStatus.DRY_RUN,
                "an earlier rotation of this key did not finish (journal); a real run "
                "would check the key and report whether its new key was lost",
            )
        known = self.state.get(target.hashed)
        if known is not None:
            return Outcome(RotationStatus.SKIPPED, _known(known))
        return Outcome(
            RotationStatus.DRY_RUN,
            f"would call {api.rotate.method} {self._base(target)}{api.rotate.path} with "
            f"{api.auth_header}: {api.auth_prefix}{target.redacted}",
        )

    def _rotate(self, target: Target, api: KeyApi) -> Outcome:
        rotate = api.rotate
        assert rotate is not None
        status, why, checked = self._check(target, api)
        if status == INVALID:
            return Outcome(RotationStatus.ALREADY_INVALID, f"the provider rejects this key ({why})")
        if isinstance(checked, Lost):
            # The provider did not answer the harmless call: the regenerate call would fare
            # no better, and its answer could be lost. Nothing is sent.
            return Outcome(
                RotationStatus.FAILED,
                f"the provider did not answer the check call ({why}); the regenerate call was "
                "not sent, so the key was not rotated; whether it works is not known",
                reason=why,
            )
        path = rotate.path
        if api.user_id is not None:
            user_id = self._user_id(target, api, checked)
            if isinstance(user_id, Outcome):
                return user_id
            path = path.replace("{user_id}", user_id)
        record = self._record(target)
        try:
            self.journal.begin(record)
        except OSError as exc:
            return Outcome(
                RotationStatus.FAILED,
                f"the rotation journal could not be written ({_why(exc)}); the regenerate "
                "call was not sent",
                reason=why if status == UNKNOWN else None,
            )
        answer = self._call(target, api, rotate.method, path)
        return self._judge(target, api, answer, record)

    def _record(self, target: Target) -> InFlight:
        delivery = self.delivery
        return InFlight(
            old_sha1=target.hashed,
            provider=target.rule.provider,
            rule=target.rule.id,
            where=target.where,
            destination=delivery.describe() if delivery else "nowhere (no delivery)",
            delivery_kind=delivery.kind if delivery else "",
            delivery_target=delivery.target if delivery else "",
            delivery_variable=delivery.variable if delivery else "",
        )

    def _judge(
        self, target: Target, api: KeyApi, answer: Answer | Lost, record: InFlight | None = None
    ) -> Outcome:
        dashboard = f"regenerate it by hand: {api.dashboard}" if api.dashboard else ""
        if isinstance(answer, Lost):
            if not answer.sent:
                return Outcome(
                    RotationStatus.FAILED,
                    f"could not reach the provider ({answer.reason}); the regenerate call was "
                    "not sent, so the key was not rotated; whether it works is not known",
                    reason=answer.reason,
                )
            return self._after_uncertain(target, api, answer.reason, dashboard)
        if 300 <= answer.status < 400:
            return Outcome(
                RotationStatus.FAILED,
                f"the provider answered with a redirect to {answer.location!r}; not followed "
                "with a key attached",
                reason=f"HTTP {answer.status} redirect",
            )
        if answer.status == 401 or _code(answer.body) in api.invalid_codes:
            return Outcome(
                RotationStatus.ALREADY_INVALID,
                f"the provider rejects this key (HTTP {answer.status})",
            )
        if answer.status == 429:
            seconds = retry_after(api, answer)
            at = time.strftime("%H:%M UTC", time.gmtime(time.time() + seconds))
            return Outcome(
                RotationStatus.RATE_LIMITED,
                f"retry in {seconds} s (after {at})",
                reason=f"rate limited: retry in {seconds} s (after {at})",
            )
        if 200 <= answer.status < 300:
            new_key = _dig(answer.body, api.new_key_at)
            if isinstance(new_key, str) and new_key and new_key != target.secret:
                return self._deliver(target, api, new_key, record)
            return self._after_uncertain(
                target, api, f"HTTP {answer.status} without a new key in the answer", dashboard
            )
        return self._after_uncertain(target, api, _status_phrase(answer, target.secret), dashboard)

    def _deliver(
        self, target: Target, api: KeyApi, new_key: str, record: InFlight | None
    ) -> Outcome:
        new_sha1 = hashed_secret(new_key)
        if record is not None:
            # If this fails the record still says "sending": an open rotation all the same.
            with contextlib.suppress(OSError):
                self.journal.answered(record, new_sha1)
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
                    RotationStatus.FAILED,
                    "the key was rotated but the new key could not be saved and is lost; "
                    + (f"regenerate it by hand: {api.dashboard}" if api.dashboard else ""),
                    new_sha1=new_sha1,
                    lost=True,
                )
        status, why, _ = self._check(target, api)
        old = {
            INVALID: "the old key is now rejected",
            LIVE: "WARNING: the provider still accepts the old key",
        }.get(status, f"the old key's state is unknown ({why})")
        return Outcome(
            RotationStatus.ROTATED,
            f"new key saved to {place}; {old}",
            reason=why if status == UNKNOWN else None,
            new_sha1=new_sha1,
        )

    def _after_uncertain(self, target: Target, api: KeyApi, reason: str, dashboard: str) -> Outcome:
        """The regenerate call may or may not have happened: never resend, ask the check."""
        status, why, _ = self._check(target, api)
        if status == INVALID:
            return Outcome(
                RotationStatus.FAILED,
                f"{reason}: the old key is dead but the new key was lost; {dashboard}".rstrip("; "),
                reason=reason,
                lost=True,
            )
        if status == LIVE:
            return Outcome(
                RotationStatus.FAILED,
                f"{reason}: the old key still works, nothing changed; try again",
                reason=reason,
            )
        return Outcome(
            RotationStatus.FAILED,
            f"{reason}: cannot tell whether the key was rotated ({why}); the next run checks "
            f"again; if the old key stops working, {dashboard}".rstrip("; "),
            reason=why,
            keep_open=True,
        )

    # -- a rotation that an earlier run did not finish ------------------------------------
    def _resume(self, target: Target, api: KeyApi, record: InFlight) -> Outcome:
        """The key's journal record is open and nobody holds its lock: the run that wrote it
        died between the regenerate call and the delivery. The check call says what now."""
        intro = (
            f"a rotation of this key was in flight (started {record.started} by pid "
            f"{record.pid}) and did not finish"
        )
        status, why, _ = self._check(target, api)
        if status == UNKNOWN:
            return Outcome(
                RotationStatus.FAILED,
                f"{intro}; the key cannot be checked now ({why}), so it is not sent again; "
                f"rerun when the provider is reachable; {in_flight_advice(record, api.dashboard)}",
                reason=why,
                keep_open=True,
            )
        if status == LIVE and record.new_sha1 is None:
            # The call never took effect (or never left): a normal rotation is safe.
            with contextlib.suppress(OSError):
                self.journal.close(target.hashed)
            self.say(
                f"{target.rule.provider}: {target.redacted}: {intro}, but the provider still "
                "accepts the key, so it was not rotated: rotating it now"
            )
            return self._rotate(target, api)
        old = (
            "the old key is now rejected"
            if status == INVALID
            else "WARNING: the provider still accepts the old key"
        )
        found = _delivered(record)
        if found:
            return Outcome(
                RotationStatus.ROTATED,
                f"{intro}, but the provider did rotate it and the new key is in {found}; {old}",
                new_sha1=record.new_sha1,
            )
        happened = (
            "the provider now rejects the old key, so it was rotated"
            if status == INVALID
            else "the provider answered it with a new key (the old key still works)"
        )
        return Outcome(
            RotationStatus.FAILED,
            f"{intro}: {happened}, but the new key may be lost; "
            f"{in_flight_advice(record, api.dashboard)}",
            new_sha1=record.new_sha1,
            lost=True,
        )

    def stale_records(self, found: Iterable[Target]) -> list[str]:
        """One line per open journal record of a key that is not in `found`, whose run is
        gone (its lock is free): what was in flight, and what the user should do."""
        present = {t.hashed for t in found}
        lines = []
        for record in self.journal.all():
            if record.old_sha1 in present:
                continue  # handled (checked) when that key's turn comes
            lock = KeyLock(self.locks_dir, record.old_sha1)
            try:
                if not lock.try_acquire():
                    continue  # a live run is rotating it right now
                still_open = self.journal.get(record.old_sha1) is not None
                lock.release()
                if not still_open:
                    continue  # its run just finished
            except LeakstopError:
                pass  # the lock cannot be taken here (--dry-run on a read-only state)
            rule_api = _api_of(record)
            lines.append(
                f"{record.provider}: key sha1 {record.old_sha1[:12]}… (found at {record.where}): "
                f"a rotation was in flight (started {record.started} by pid {record.pid}) and "
                "did not finish; "
                f"the new key may be lost; {in_flight_advice(record, rule_api)}; to check the "
                f"old key, pipe it to `leakstop rotate --provider {record.provider}`"
            )
        return lines

    def _user_id(self, target: Target, api: KeyApi, checked: Answer | Lost) -> str | Outcome:
        lookup = api.user_id
        assert lookup is not None
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
            return Outcome(
                RotationStatus.FAILED, f"could not read the key's user id: {answer.reason}"
            )
        value = _dig(answer.body, lookup.value_at)
        if answer.status != 200 or not isinstance(value, int | str) or isinstance(value, bool):
            return Outcome(
                RotationStatus.FAILED,
                f"could not read the key's user id (HTTP {answer.status}); set {lookup.env_var}",
            )
        return str(value)

    # -- plumbing ----------------------------------------------------------------------
    def _base(self, target: Target) -> str:
        return endpoints.base_url(get_provider(target.rule.provider), self._config)

    def _call(self, target: Target, api: KeyApi, method: str, path: str) -> Answer | Lost:
        provider = target.rule.provider
        if self.pacer is not None:
            self.pacer.wait(provider)
        answer = send(self.client, method, self._base(target) + path, api.headers(target.secret))
        if self.pacer is not None and isinstance(answer, Answer) and answer.status == 429:
            self.pacer.back_off(provider, retry_after(api, answer))
        return answer


def _judge_check(api: KeyApi, answer: Answer | Lost, secret: str) -> tuple[Verdict, str]:
    """(verdict, why): why is a short phrase a user can act on when the verdict is unknown."""
    if isinstance(answer, Lost):
        return UNKNOWN, answer.reason
    # An HTML 403 (a CDN's page) says nothing about the key; a JSON one does.
    json_rejection = answer.status in api.invalid_statuses and answer.body is not None
    if answer.status == 401 or json_rejection or _code(answer.body) in api.invalid_codes:
        return INVALID, f"HTTP {answer.status}"
    if answer.status in api.live_statuses:
        return LIVE, f"HTTP {answer.status}"
    if answer.status == 429:
        seconds = retry_after(api, answer)
        at = time.strftime("%H:%M UTC", time.gmtime(time.time() + seconds))
        return UNKNOWN, f"rate limited (HTTP 429): retry in {seconds} s (after {at})"
    return UNKNOWN, _status_phrase(answer, secret)


def _status_phrase(answer: Answer, secret: str) -> str:
    """`HTTP 503 (service_unavailable)`; an HTML page is named as such."""
    if answer.body is None:
        return f"HTTP {answer.status} (not JSON: an HTML page from a proxy or CDN?)"
    code = _code(answer.body)
    if code is None and isinstance(answer.body, dict):
        plain = answer.body.get("error")
        code = plain if isinstance(plain, str) else None
    # The provider's own words, kept short and printable; never anything holding the key.
    if code:
        code = "".join(c for c in code[:48] if c.isprintable())
    if not code or secret in code or (len(secret) > 12 and secret[-12:] in code):
        return f"HTTP {answer.status}"
    return f"HTTP {answer.status} ({code})"


_SETTLED = {
    RotationStatus.ROTATED: Settled.ROTATED,
    RotationStatus.ALREADY_INVALID: Settled.ALREADY_INVALID,
}
"""The outcomes the state remembers, so that no later run regenerates the key again."""


def _known(entry: Remembered) -> str:
    if entry.outcome == Settled.NEW_KEY_LOST:
        return (
            f"rotated on {entry.time}, but the new key may be lost "
            "(state file; the audit log says more)"
        )
    return f"already {entry.outcome} on {entry.time} (state file)"


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _api_of(record: InFlight) -> str:
    try:
        api = get_api(get_rule(record.rule))
    except KeyError:
        return ""
    return api.dashboard if api is not None else ""


def in_flight_advice(record: InFlight, dashboard: str) -> str:
    """What to do about a rotation that may have lost its new key."""
    where = f"look for the new key in {record.destination} first"
    if record.new_sha1:
        where += f" (its sha1 starts {record.new_sha1[:12]})"
    by_hand = (
        f"if it is not there, regenerate the key by hand: {dashboard}"
        if dashboard
        else ("if it is not there, regenerate the key at the provider")
    )
    return f"{where}; {by_hand}, and put the new key where it belongs"


def _delivered(record: InFlight) -> str | None:
    """Where the new key of an unfinished rotation turned out to be, found by its hash."""
    if not record.new_sha1:
        return None
    from leakstop.rotation.delivery import find_delivered

    return find_delivered(
        record.delivery_kind, record.delivery_target, record.delivery_variable, record.new_sha1
    )


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


def retry_after(api: KeyApi, answer: Answer) -> int:
    """Seconds to wait: Retry-After header, then the body, then the reset header."""
    header = answer.headers.get("retry-after")
    if header:
        if header.strip().isdigit():
            return int(header)
        try:
            parsed = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):  # neither seconds nor an HTTP date: use what follows
            parsed = None
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
