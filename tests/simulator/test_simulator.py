"""The provider simulator over real HTTP: each provider's documented calls and answers, the
hourly limits, injected faults, the control API and `leakstop simulate` itself."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from leakstop.cli.main import main
from leakstop.simulator import FAULT_KINDS, Simulator, SimulatorControl, SimulatorError
from tests.testing import FLOWS, GUID, Flow, assert_no_leak, new_key, read_banner, sha1

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


@pytest.fixture
def control(sim: Simulator) -> Iterator[SimulatorControl]:
    sim.control.reset()
    yield sim.control


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5) as http:
        yield http


BY_ID = {flow.id: flow for flow in FLOWS}


def rotated_key(flow: Flow, body: Any) -> str:
    """The new key, from exactly the answer shape the provider documents."""
    if flow.provider == "electronhub":
        assert body == {"key": body["key"]}
        return str(body["key"])
    if flow.provider == "syncline":
        expected = {"success": True, "api_key": body["api_key"]}
        if flow.kind == "user":
            expected["message"] = "API key regenerated successfully"
        assert body == expected
        return str(body["api_key"])
    if flow.provider == "scrapebit":
        assert body["success"] is True
        assert body["message"] == "API key regenerated successfully. Your old key is now invalid."
        assert set(body["data"]) == {"api_key", "created_at", "previous_key_invalidated"}
        assert body["data"]["previous_key_invalidated"] is True
        assert re.fullmatch(ISO, body["data"]["created_at"])
        return str(body["data"]["api_key"])
    assert body == {"success": True, "data": body["data"]}
    return str(body["data"])


def assert_unauthorized(flow: Flow, answer: httpx.Response, rotated: bool = True) -> None:
    assert answer.status_code == 401
    body = answer.json()
    if flow.provider == "electronhub":
        assert body["error"]["type"] == "authentication_error"
        assert body["error"]["code"] == "invalid_api_key"
    elif flow.provider == "syncline":
        assert body == {"error": "Unauthorized", "message": "Invalid or missing API key"}
    elif flow.provider == "scrapebit":
        assert body["success"] is False
        assert set(body["error"]) == {"code", "message", "details"}
        if rotated:
            assert body["error"]["code"] == "api_key_expired"
            assert "has been regenerated" in body["error"]["message"]
        else:
            assert body["error"]["code"] == "unauthorized"
    else:
        assert body["success"] is False
        assert body["errorCode"] == "InvalidAPIKey"
        assert body["data"] is None


def rotate(
    sim: Simulator, client: httpx.Client, flow: Flow, key: str, user_id: int
) -> httpx.Response:
    path = flow.rotate_path.format(id=user_id)
    return client.request(
        flow.rotate_method, sim.base_url(flow.provider) + path, headers=flow.auth(key)
    )


def check(sim: Simulator, client: httpx.Client, flow: Flow, key: str) -> httpx.Response:
    return client.get(sim.base_url(flow.provider) + flow.check_path, headers=flow.auth(key))


@pytest.mark.parametrize("flow", FLOWS, ids=[f.id for f in FLOWS])
def test_rotation_kills_the_old_key_and_the_new_one_works(
    sim: Simulator, control: SimulatorControl, client: httpx.Client, flow: Flow
) -> None:
    key, user_id = control.create_account(flow.provider, flow.kind)
    assert re.fullmatch(flow.key_shape, key)
    assert check(sim, client, flow, key).status_code == 200

    answer = rotate(sim, client, flow, key, user_id)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    new = rotated_key(flow, answer.json())
    assert re.fullmatch(flow.key_shape, new) and new != key

    assert_unauthorized(flow, check(sim, client, flow, key))
    assert_unauthorized(flow, rotate(sim, client, flow, key, user_id))
    assert check(sim, client, flow, new).status_code == 200

    calls = control.calls()
    named = "me" if flow.provider == "ecgrid" else "check"
    assert [c["call"] for c in calls] == [named, "rotate", named, "rotate", named]
    assert [c["key_sha1"] for c in calls] == [sha1(key)] * 4 + [sha1(new)]
    assert [c["status"] for c in calls] == [200, 200, 401, 401, 200]
    assert calls[1]["method"] == flow.rotate_method
    assert calls[1]["path"] == f"/{flow.provider}" + flow.rotate_path.format(id=user_id)
    assert calls[1]["route"] == flow.rotate_path
    header = "Authorization" if flow.header == "bearer" else "X-API-Key"
    assert header in calls[1]["header_names"]
    assert_no_leak([json.dumps(calls), json.dumps(control.accounts())], [key, new])
    assert control.accounts()[0]["key_sha1"] == sha1(new)


@pytest.mark.parametrize("flow", FLOWS, ids=[f.id for f in FLOWS])
def test_wrong_method_is_405_and_changes_nothing(
    sim: Simulator, control: SimulatorControl, client: httpx.Client, flow: Flow
) -> None:
    key, user_id = control.create_account(flow.provider, flow.kind)
    wrong = "POST" if flow.rotate_method == "GET" else "GET"
    path = flow.rotate_path.format(id=user_id)
    answer = client.request(wrong, sim.base_url(flow.provider) + path, headers=flow.auth(key))
    assert answer.status_code == 405
    assert answer.headers["allow"] == flow.rotate_method
    assert check(sim, client, flow, key).status_code == 200


@pytest.mark.parametrize("flow", [f for f in FLOWS if f.provider != "syncline"], ids=lambda f: f.id)
def test_the_header_the_provider_does_not_read_is_no_credential(
    sim: Simulator, control: SimulatorControl, client: httpx.Client, flow: Flow
) -> None:
    key, user_id = control.create_account(flow.provider, flow.kind)
    path = flow.rotate_path.format(id=user_id)
    url = sim.base_url(flow.provider) + path
    answer = client.request(flow.rotate_method, url, headers=flow.wrong_auth(key))
    assert_unauthorized(flow, answer, rotated=False)
    answer = client.request(flow.rotate_method, url)
    assert_unauthorized(flow, answer, rotated=False)
    assert check(sim, client, flow, key).status_code == 200


@pytest.mark.parametrize("flow", FLOWS, ids=[f.id for f in FLOWS])
def test_one_regeneration_per_hour(
    sim: Simulator, control: SimulatorControl, client: httpx.Client, flow: Flow
) -> None:
    key, user_id = control.create_account(flow.provider, flow.kind)
    first = rotated_key(flow, rotate(sim, client, flow, key, user_id).json())
    now = control.clock()["now"]

    limited = rotate(sim, client, flow, first, user_id)
    assert limited.status_code == 429
    body = limited.json()
    if flow.provider == "syncline":
        assert body == {
            "error": "Too many regeneration attempts",
            "message": "Please wait before regenerating again",
        }
        assert "retry-after" not in limited.headers  # documented: the reset header only
        assert 3598 <= int(limited.headers["x-ratelimit-reset"]) - now <= 3601
    else:
        assert 3599 <= int(limited.headers["retry-after"]) <= 3600
    if flow.provider == "scrapebit":
        assert body == {
            "success": False,
            "error": {
                "code": "rate_limited",
                "message": "You can only regenerate your API key once per hour. "
                "Please try again later.",
                "retry_after": int(limited.headers["retry-after"]),
            },
        }
    elif flow.provider == "electronhub":
        assert body["error"]["type"] == "rate_limit_error"
    elif flow.provider == "ecgrid":
        assert body["errorCode"] == "RateLimitExceeded" and body["data"] is None
    assert check(sim, client, flow, first).status_code == 200  # a 429 leaves the key alive

    control.advance(1200)
    if flow.provider == "scrapebit":  # the documented example: 2400 seconds left
        again = rotate(sim, client, flow, first, user_id).json()
        assert again["error"]["retry_after"] in (2399, 2400)
    control.advance(2400)
    answer = rotate(sim, client, flow, first, user_id)
    assert answer.status_code == 200
    assert rotated_key(flow, answer.json()) not in (key, first)


# -- provider specifics ------------------------------------------------------------------


def test_electronhub_models_accept_any_key_and_sub_keys_do_not_rotate(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    base = sim.base_url("electronhub")
    invalid = {"Authorization": f"Bearer {new_key('electronhub-api-key')}"}
    models = client.get(base + "/v1/models", headers=invalid)
    assert models.status_code == 200 and models.json()["object"] == "list"
    assert client.get(base + "/v1/user/me", headers=invalid).status_code == 401

    for kind, prefix in (("proxy", "ek-proxy-"), ("dev", "ek-dev-")):
        key, _ = control.create_account("electronhub", kind)
        assert key.startswith(prefix)
        auth = {"Authorization": f"Bearer {key}"}
        me = client.get(base + "/v1/user/me", headers=auth)
        assert me.status_code == 200 and me.json()["key_type"] == kind
        refused = client.get(base + "/v1/auth/key/regen", headers=auth)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "master_key_required"
        assert client.get(base + "/v1/user/me", headers=auth).status_code == 200


def test_syncline_accepts_bearer_and_refuses_the_other_key_family(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    base = sim.base_url("syncline")
    user, _ = control.create_account("syncline", "user")
    platform, _ = control.create_account("syncline", "platform")
    bearer = {"Authorization": f"Bearer {user}"}
    assert client.get(base + "/v1/user/info", headers=bearer).json()["success"] is True

    for path, key, family in (
        ("/v1/platform/regenerate-key", user, "platform"),
        ("/v1/platform/dashboard", user, "platform"),
        ("/v1/user/api-key/regenerate", platform, "user"),
    ):
        method = "POST" if "regenerate" in path else "GET"
        answer = client.request(method, base + path, headers={"X-API-Key": key})
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "forbidden"
        assert family in answer.json()["error"]["message"]
    assert client.get(base + "/v1/nothing").json() == {
        "error": {"code": "not_found", "message": "Not found"}
    }


def test_scrapebit_says_why_a_key_is_refused(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    url = sim.base_url("scrapebit") + "/v1/user/profile"

    def code(key: str | None) -> str:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        answer = client.get(url, headers=headers)
        assert answer.status_code == 401
        return str(answer.json()["error"]["code"])

    key, _ = control.create_account("scrapebit")
    assert client.get(url, headers={"Authorization": f"Bearer {key}"}).json()["data"]["credits"]
    revoked = control.revoke(key)
    assert revoked["key_sha1"] == sha1(key) and "key" not in revoked
    assert code(key) == "api_key_revoked"
    assert code(new_key("scrapebit-api-key")) == "unauthorized"
    assert code(None) == "unauthorized"

    test_key, _ = control.create_account("scrapebit", "test")
    assert test_key.startswith("sb_test_")
    answer = client.post(
        sim.base_url("scrapebit") + "/v1/user/api-key/regenerate",
        headers={"Authorization": f"Bearer {test_key}"},
    )
    assert answer.json()["data"]["api_key"].startswith("sb_test_")
    assert code(test_key) == "api_key_expired"


def test_ecgrid_me_then_key_generate_for_that_user_only(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    base = sim.base_url("ecgrid")
    key, user_id = control.create_account("ecgrid")
    other_key, other_id = control.create_account("ecgrid")
    assert user_id != other_id
    me = client.get(base + "/v2/users/me", headers={"X-API-Key": key})
    assert me.json()["success"] is True
    assert me.json()["data"]["userId"] == user_id

    foreign = client.post(f"{base}/v2/users/key-generate/{other_id}", headers={"X-API-Key": key})
    assert foreign.status_code == 403
    assert foreign.json() == {
        "success": False,
        "errorCode": "AccessDenied",
        "message": foreign.json()["message"],
        "data": None,
    }
    assert client.get(base + "/v2/users/me", headers={"X-API-Key": other_key}).status_code == 200

    not_a_number = client.post(f"{base}/v2/users/key-generate/me", headers={"X-API-Key": key})
    assert not_a_number.status_code == 404
    assert not_a_number.json()["errorCode"] == "NotFound"
    get = client.get(f"{base}/v2/users/key-generate/{user_id}", headers={"X-API-Key": key})
    assert get.status_code == 405 and get.json()["errorCode"] == "MethodNotAllowed"

    answer = client.post(f"{base}/v2/users/key-generate/{user_id}", headers={"X-API-Key": key})
    assert re.fullmatch(GUID, answer.json()["data"])


def test_accounts_can_hold_a_given_key_and_user_id(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    assert control.create_account("ecgrid", user_id=1001).user_id == 1001  # the next free id
    assert control.create_account("ecgrid").user_id == 1002  # so the counter skips it
    key = new_key("ecgrid-api-key")
    assert control.create_account("ecgrid", key=key, user_id=42) == (key, 42)
    me = client.get(sim.base_url("ecgrid") + "/v2/users/me", headers={"X-API-Key": key})
    assert me.json()["data"]["userId"] == 42
    proxy = new_key("electronhub-proxy-key")
    control.create_account("electronhub", key=proxy)
    master = new_key("electronhub-api-key")
    control.create_account("electronhub", "master", key=master)
    assert [a["kind"] for a in control.accounts()] == ["api", "api", "api", "proxy", "master"]


def test_a_stale_key_cannot_rotate_twice() -> None:
    """Two racing regenerate calls with one key: the second finds the key already replaced."""
    from leakstop.simulator.messages import Request
    from leakstop.simulator.providers.base import Call
    from leakstop.simulator.providers.scrapebit import Scrapebit
    from leakstop.simulator.state import State

    state, scrapebit = State(), Scrapebit()
    old = scrapebit.new_key("live")
    account = state.accounts.add("scrapebit", "live", old, 0.0)
    request = Request("POST", "/v1/user/api-key/regenerate", {"authorization": f"Bearer {old}"})
    call = Call(scrapebit, request, {}, state, 10.0)
    assert isinstance(scrapebit.regenerate(call, account), str)
    stale = scrapebit.regenerate(call, account)
    assert not isinstance(stale, str)
    assert json.loads(stale.body)["error"]["code"] == "api_key_expired"


# -- faults --------------------------------------------------------------------------------

SCRAPEBIT = BY_ID["scrapebit-default"]


def new_scrapebit(control: SimulatorControl) -> tuple[str, int]:
    return control.create_account("scrapebit")


@pytest.mark.parametrize("flow", FLOWS, ids=[f.id for f in FLOWS])
def test_fault_500_answers_the_providers_own_error_and_does_nothing(
    sim: Simulator, control: SimulatorControl, client: httpx.Client, flow: Flow
) -> None:
    key, user_id = control.create_account(flow.provider, flow.kind)
    control.add_fault("500", key=key)
    answer = rotate(sim, client, flow, key, user_id)
    assert answer.status_code == 500
    body = answer.json()
    if flow.provider == "electronhub":
        assert body["error"]["type"] == "server_error"
    elif flow.provider == "syncline":
        assert body["error"]["code"] == "internal_error"
    elif flow.provider == "scrapebit":
        assert body["success"] is False and body["error"]["code"] == "internal_error"
    else:
        assert body["errorCode"] == "InternalError" and body["data"] is None
    assert check(sim, client, flow, key).status_code == 200
    assert rotate(sim, client, flow, key, user_id).status_code == 200  # used up


@pytest.mark.parametrize("flow", FLOWS, ids=[f.id for f in FLOWS])
def test_fault_status_answers_in_the_providers_shape(
    sim: Simulator, control: SimulatorControl, client: httpx.Client, flow: Flow
) -> None:
    key, user_id = control.create_account(flow.provider, flow.kind)
    for status in (401, 402, 500):
        control.add_fault("status", key=key, call="check", status=status)
        answer = check(sim, client, flow, key)
        assert answer.status_code == status
        body = answer.json()
        if flow.provider == "ecgrid":
            assert body["success"] is False and body["data"] is None
        elif flow.provider == "scrapebit":
            assert set(body["error"]) == {"code", "message", "details"}
        elif flow.provider == "electronhub":
            assert set(body["error"]) == {"message", "type", "code"}
    control.add_fault("status", key=key, status=429, seconds=90)
    limited = rotate(sim, client, flow, key, user_id)
    assert limited.status_code == 429
    if flow.provider == "syncline":
        assert limited.json()["error"] == "Too many regeneration attempts"
    else:
        assert limited.headers["retry-after"] == "90"
    assert check(sim, client, flow, key).status_code == 200  # nothing happened


def test_fault_slow_acts_then_waits(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    key, user_id = new_scrapebit(control)
    control.add_fault("slow", provider="scrapebit", call="rotate", seconds=0.3)
    started = time.monotonic()
    answer = rotate(sim, client, SCRAPEBIT, key, user_id)
    assert time.monotonic() - started >= 0.3
    assert answer.status_code == 200

    key, user_id = new_scrapebit(control)
    control.add_fault("slow", key=key, seconds=0.4)
    with httpx.Client(trust_env=False, timeout=0.1) as impatient, pytest.raises(httpx.ReadTimeout):
        rotate(sim, impatient, SCRAPEBIT, key, user_id)
    assert check(sim, client, SCRAPEBIT, key).json()["error"]["code"] == "api_key_expired"


def test_fault_drop_after_rotate_loses_the_new_key(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    key, user_id = new_scrapebit(control)
    control.add_fault("drop_after_rotate", key=key)
    with pytest.raises(httpx.RemoteProtocolError):
        rotate(sim, client, SCRAPEBIT, key, user_id)
    assert check(sim, client, SCRAPEBIT, key).status_code == 401
    (account,) = control.accounts()
    assert account["rotations"] == 1 and account["key_sha1"] != sha1(key)
    (call,) = [c for c in control.calls() if c["call"] == "rotate"]
    assert call["status"] is None and call["fault"] == "drop_after_rotate"


def test_fault_drop_before_acts_not(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    key, user_id = new_scrapebit(control)
    control.add_fault("drop_before", key_sha1=sha1(key).upper())
    with pytest.raises(httpx.RemoteProtocolError):
        rotate(sim, client, SCRAPEBIT, key, user_id)
    assert check(sim, client, SCRAPEBIT, key).status_code == 200
    assert control.accounts()[0]["rotations"] == 0


def test_fault_html_is_a_cdn_block_page(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    flow = BY_ID["electronhub-default"]
    key, user_id = control.create_account("electronhub")
    control.add_fault("html", provider="electronhub", call="check")
    page = check(sim, client, flow, key)
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "Cloudflare" in page.text and page.headers["server"] == "cloudflare"
    control.add_fault("html", provider="electronhub", status=503)
    assert rotate(sim, client, flow, key, user_id).status_code == 503
    assert check(sim, client, flow, key).status_code == 200


def test_fault_redirect_points_to_a_decoy_that_records_keys(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    key, user_id = new_scrapebit(control)
    control.add_fault("redirect", key=key, times=2)
    answer = rotate(sim, client, SCRAPEBIT, key, user_id)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location == f"{sim.decoy_url}/scrapebit/v1/user/api-key/regenerate"
    assert location.startswith("http://127.0.0.2:")

    # A careful client (httpx) drops the key on a cross-host redirect ...
    followed = client.post(
        sim.base_url("scrapebit") + "/v1/user/api-key/regenerate",
        headers=SCRAPEBIT.auth(key),
        follow_redirects=True,
    )
    assert followed.json()["decoy"] is True
    # ... a careless one sends it along, and the decoy notices.
    client.post(location, headers=SCRAPEBIT.auth(key))
    decoy = [c for c in control.calls() if c["listener"] == "redirect"]
    assert [c["key_sha1"] for c in decoy] == [None, sha1(key)]
    assert check(sim, client, SCRAPEBIT, key).status_code == 200

    # httpx forwards other headers, X-API-Key included: a client must not follow redirects.
    ecgrid_key, _ = control.create_account("ecgrid")
    control.add_fault("redirect", key=ecgrid_key)
    client.get(
        sim.base_url("ecgrid") + "/v2/users/me",
        headers={"X-API-Key": ecgrid_key},
        follow_redirects=True,
    )
    assert control.calls()[-1]["listener"] == "redirect"
    assert control.calls()[-1]["key_sha1"] == sha1(ecgrid_key)

    control.add_fault(
        "redirect", provider="scrapebit", location="http://evil.invalid/x", status=307
    )
    answer = check(sim, client, SCRAPEBIT, key)
    assert answer.status_code == 307 and answer.headers["location"] == "http://evil.invalid/x"


def test_fault_targets_and_counts(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    key, _ = new_scrapebit(control)
    other, _ = new_scrapebit(control)
    control.add_fault("drop_before", provider="ecgrid")
    control.add_fault("500", key=key, times=None)
    control.add_fault("html", provider="scrapebit", call="check", times=2)
    for _ in range(3):
        assert check(sim, client, SCRAPEBIT, key).status_code == 500
    assert [check(sim, client, SCRAPEBIT, other).status_code for _ in range(3)] == [403, 403, 200]
    faults = control.faults()
    assert [(f["fault"], f["times"], f["hits"]) for f in faults] == [
        ("drop_before", 1, 0),
        ("500", "always", 3),
        ("html", 0, 2),
    ]
    assert faults[1]["key_sha1"] == sha1(key)
    assert_no_leak([json.dumps(faults)], [key])
    control.clear_faults()
    assert control.faults() == []
    assert check(sim, client, SCRAPEBIT, key).status_code == 200

    ecgrid_key, _ = control.create_account("ecgrid")
    control.add_fault("500", provider="ecgrid", call="check")  # `check` is ECGrid's `me`
    me = client.get(sim.base_url("ecgrid") + "/v2/users/me", headers={"X-API-Key": ecgrid_key})
    assert me.status_code == 500
    control.add_fault("500")  # no target: the next call anywhere
    assert check(sim, client, SCRAPEBIT, key).status_code == 500


def test_stop_interrupts_a_slow_answer() -> None:
    simulator = Simulator(decoy_host=None).start()
    key, _ = simulator.control.create_account("ecgrid")
    simulator.control.add_fault("slow", seconds=30)
    errors: list[BaseException] = []

    def slow_call() -> None:
        try:
            httpx.get(
                simulator.base_url("ecgrid") + "/v2/users/me",
                headers={"X-API-Key": key},
                trust_env=False,
            )
        except httpx.HTTPError as exc:
            errors.append(exc)

    caller = threading.Thread(target=slow_call)
    caller.start()
    time.sleep(0.2)
    started = time.monotonic()
    simulator.stop()
    caller.join(5)
    assert time.monotonic() - started < 3 and not caller.is_alive()


# -- the control API -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"fault": "explode"}, "fault must be one of"),
        ({"fault": "500", "provider": "acme"}, "unknown provider"),
        ({"fault": "500", "provider": "ecgrid", "call": "models"}, "unknown call"),
        ({"fault": "500", "call": "nothing"}, "unknown call"),
        ({"fault": "500", "key_sha1": "abc"}, "40 hex digits"),
        ({"fault": "500", "times": 0}, "times must be"),
        ({"fault": "500", "times": True}, "times must be"),
        ({"fault": "slow", "seconds": -1}, "seconds must be"),
        ({"fault": "redirect", "status": 200}, "not allowed"),
        ({"fault": "html", "status": 302}, "not allowed"),
        ({"fault": "status"}, "needs a status"),
        ([], "expected a JSON object"),
    ],
)
def test_bad_fault_requests_are_400(
    sim: Simulator, control: SimulatorControl, payload: Any, message: str
) -> None:
    answer = httpx.post(f"{sim.url}/_simulator/faults", json=payload, trust_env=False)
    assert answer.status_code == 400
    assert message in answer.json()["message"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"provider": "acme"}, "provider must be one of"),
        ({"provider": "electronhub", "kind": "root"}, "no key kind"),
        ({"provider": "scrapebit", "key": "two words"}, "printable ASCII"),
        ({"provider": "scrapebit", "key": 7}, "printable ASCII"),
        ({"provider": "scrapebit", "key": "not-a-scrapebit-key"}, "does not look like"),
        ({"provider": "ecgrid", "user_id": "42"}, "user_id must be an integer"),
        ("[]", "expected a JSON object"),
    ],
)
def test_bad_account_requests_are_400(
    sim: Simulator, control: SimulatorControl, payload: Any, message: str
) -> None:
    answer = httpx.post(f"{sim.url}/_simulator/accounts", json=payload, trust_env=False)
    if isinstance(payload, str):
        answer = httpx.post(f"{sim.url}/_simulator/accounts", content=payload, trust_env=False)
    assert answer.status_code == 400
    assert message in answer.json()["message"]


def test_control_refusals_raise_simulator_error(sim: Simulator, control: SimulatorControl) -> None:
    key, user_id = control.create_account("ecgrid")
    with pytest.raises(SimulatorError, match="already known"):
        control.create_account("ecgrid", key=key)
    with pytest.raises(SimulatorError, match="already taken"):
        control.create_account("ecgrid", user_id=user_id)
    with pytest.raises(SimulatorError, match="starts with 'ek-'") as refused:
        control.create_account("electronhub", "master", key=new_key("syncline-user-key"))
    assert refused.value.status == 400
    with pytest.raises(SimulatorError, match="no account holds") as missing:
        control.revoke(key_sha1=sha1("nothing"))
    assert missing.value.status == 404
    with pytest.raises(SimulatorError, match="give key or key_sha1"):
        control._call("POST", "/revoke", {})
    with pytest.raises(SimulatorError, match="give advance"):
        control._call("POST", "/clock", {})
    with pytest.raises(SimulatorError, match="must be a number"):
        control._call("POST", "/clock", {"advance": "soon"})
    with pytest.raises(SimulatorError, match="no control endpoint") as unknown:
        control._call("GET", "/nothing")
    assert unknown.value.status == 404
    with pytest.raises(SimulatorError, match="use GET, POST") as wrong:
        control._call("PUT", "/accounts")
    assert wrong.value.status == 405


def test_control_clock_calls_reset_and_health(
    sim: Simulator, control: SimulatorControl, client: httpx.Client
) -> None:
    before = control.clock()
    assert before["offset"] == 0
    assert control.advance(100) >= before["now"] + 100
    assert control.clock()["offset"] == 100
    assert control.set_offset(-50) < before["now"]
    health = control.health()
    assert health["ok"] is True and health["url"] == sim.url
    assert health["providers"]["ecgrid"] == sim.base_url("ecgrid")

    key, _ = new_scrapebit(control)
    check(sim, client, SCRAPEBIT, key)
    client.get(sim.base_url("scrapebit") + "/v1/user/profile?api_key=x&page=2")
    calls = control.calls()
    assert calls[1]["query_names"] == ["api_key", "page"]
    assert calls[0]["time"] < before["now"]  # the simulated clock stamps the log
    control.clear_calls()
    assert control.calls() == []
    control.add_fault("500")
    control.reset()
    assert control.accounts() == [] and control.faults() == [] and control.clock()["offset"] == 0
    assert check(sim, client, SCRAPEBIT, key).status_code == 401


def test_control_errors_without_json_bodies_still_raise(control: SimulatorControl) -> None:
    with pytest.raises(SimulatorError) as refused:
        control._call("HEAD", "/health")  # the stdlib's own 501, not JSON
    assert refused.value.status == 501


# -- raw HTTP edges ----------------------------------------------------------------------------


def raw(sim: Simulator, method: str, path: str, body: bytes = b"", **headers: str) -> Any:
    host, port = sim.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.putrequest(method, path)
        for name, value in headers.items():
            conn.putheader(name.replace("_", "-"), value)
        conn.endheaders(body or None)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def test_http_edges(sim: Simulator, control: SimulatorControl) -> None:
    status, body = raw(sim, "GET", "/acme/v1/x")
    assert status == 404 and b"unknown provider prefix" in body
    assert raw(sim, "HEAD", "/scrapebit/v1/user/profile")[0] == 501
    assert raw(sim, "POST", "/_simulator/clock", Content_Length="x")[0] == 400
    assert raw(sim, "POST", "/_simulator/clock", Content_Length=str(1 << 21))[0] == 400
    chunked = b'13\r\n{"advance": 5, "x":\r\n2\r\n1}\r\n0\r\nTrailer: y\r\n\r\n'
    status, body = raw(sim, "POST", "/_simulator/clock", chunked, Transfer_Encoding="chunked")
    assert status == 200 and json.loads(body)["offset"] == 5
    huge = b"200001\r\n"
    assert raw(sim, "POST", "/_simulator/clock", huge, Transfer_Encoding="chunked")[0] == 400
    status, body = raw(sim, "POST", "/_simulator/faults", b"{not json", Content_Length="9")
    assert status == 400
    # Duplicate headers are joined, as a proxy would: the joined value is no known key.
    key, _ = control.create_account("ecgrid")
    status, _ = raw(sim, "GET", "/ecgrid/v2/users/me", X_API_Key=key, x_api_key=key)
    assert status == 401


def test_a_crashing_handler_answers_500_and_prints_nothing(
    sim: Simulator,
    control: SimulatorControl,
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    key, _ = new_scrapebit(control)

    def explode(*args: Any) -> Any:
        raise RuntimeError(key)

    monkeypatch.setattr(sim.app.state.accounts, "authenticate", explode)
    answer = check(sim, client, SCRAPEBIT, key)
    assert answer.status_code == 500
    assert answer.json() == {
        "error": "simulator_error",
        "message": "simulator error (RuntimeError)",
    }
    out, err = capfd.readouterr()
    assert_no_leak([out, err, answer.text], [key])


def test_nothing_is_printed_while_serving(
    sim: Simulator,
    control: SimulatorControl,
    client: httpx.Client,
    capfd: pytest.CaptureFixture[str],
) -> None:
    keys = []
    for flow in FLOWS:
        key, user_id = control.create_account(flow.provider, flow.kind)
        keys.append(key)
        keys.append(rotated_key(flow, rotate(sim, client, flow, key, user_id).json()))
        client.get(f"{sim.base_url(flow.provider)}/x/{key}?{key}=1", headers=flow.auth(key))
    for kind in FAULT_KINDS:
        status = 404 if kind == "status" else None
        control.add_fault(kind, key=keys[-1], seconds=0.01, status=status)
        with contextlib.suppress(httpx.HTTPError):  # the drop faults
            check(sim, client, BY_ID["ecgrid-default"], keys[-1])
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    calls = control.calls()
    assert_no_leak([json.dumps(calls)], keys)
    scrubbed = [c for c in calls if c["route"] is None]
    assert [c["path"].split("/")[-1] for c in scrubbed] == [f"<key:{sha1(k)}>" for k in keys[::2]]
    assert [c["query_names"] for c in scrubbed] == [[f"<key:{sha1(k)}>"] for k in keys[::2]]


# -- the Simulator object ------------------------------------------------------------------


def test_simulator_object_lifecycle() -> None:
    simulator = Simulator(decoy_host=None)
    assert not simulator.running
    with pytest.raises(RuntimeError):
        _ = simulator.url
    with simulator:
        url = simulator.url
        assert simulator.running
        assert simulator.decoy_url == "http://evil.invalid"
        env = simulator.env()
        assert env["LEAKSTOP_SCRAPEBIT_URL"] == simulator.url + "/scrapebit"
        assert sorted(env) == [
            "LEAKSTOP_ECGRID_URL",
            "LEAKSTOP_ELECTRONHUB_URL",
            "LEAKSTOP_SCRAPEBIT_URL",
            "LEAKSTOP_SYNCLINE_URL",
        ]
        with pytest.raises(ValueError):
            simulator.base_url("acme")
        with pytest.raises(RuntimeError):
            simulator.start()
        idle = httpx.Client(trust_env=False)  # a kept-alive connection the stop must end
        assert idle.get(simulator.url + "/_simulator/health").status_code == 200
        started = time.monotonic()
    assert not simulator.running
    assert time.monotonic() - started < 2
    with pytest.raises(httpx.TransportError):
        idle.get(url + "/_simulator/health")
    idle.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_decoy_moves_to_another_port_or_host_when_it_must() -> None:
    port = free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.2", port))
        squatter.listen()
        with Simulator(port) as simulator:
            assert simulator.url.endswith(f":{port}")
            assert simulator.decoy_url.startswith("http://127.0.0.2:")
            assert not simulator.decoy_url.endswith(f":{port}")
    with Simulator(decoy_host="192.0.2.1") as simulator:  # not an address of this machine
        assert simulator.decoy_url == "http://evil.invalid"


# -- `leakstop simulate` -------------------------------------------------------------------


def exercise(env: dict[str, str]) -> list[str]:
    """Rotate one key of every provider through the given simulator, faults included."""
    url = env["LEAKSTOP_ELECTRONHUB_URL"].rsplit("/", 1)[0]
    control = SimulatorControl(url)
    keys: list[str] = []
    with httpx.Client(trust_env=False, timeout=5) as http:
        for flow in FLOWS:
            key, user_id = control.create_account(flow.provider, flow.kind)
            base = env[f"LEAKSTOP_{flow.provider.upper()}_URL"]
            path = base + flow.rotate_path.format(id=user_id)
            answer = http.request(flow.rotate_method, path, headers=flow.auth(key))
            keys += [key, rotated_key(flow, answer.json())]
            http.get(base + flow.check_path, headers=flow.auth(key))
            control.add_fault("redirect", key=keys[-1])
            http.get(base + flow.check_path, headers=flow.auth(keys[-1]), follow_redirects=True)
            control.add_fault("drop_before", key=keys[-1])
            with pytest.raises(httpx.RemoteProtocolError):
                http.get(base + flow.check_path, headers=flow.auth(keys[-1]))
    return keys


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_simulate_command_prints_exports_and_stops_cleanly(stop: signal.Signals) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "leakstop", "simulate", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url, exports = read_banner(proc.stdout)
        assert exports == {
            **{
                f"LEAKSTOP_{name.upper()}_URL": f"{url}/{name}"
                for name in ("electronhub", "syncline", "scrapebit", "ecgrid")
            },
            "LEAKSTOP_SIMULATOR_URL": url,
        }
        keys = exercise(exports)
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "scrapebit rotate: POST /v1/user/api-key/regenerate -> 200" in err
    assert "-> dropped [fault drop_before]" in err
    assert "decoy host: GET request" in err
    assert_no_leak([out, err], keys)


def test_simulate_command_in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same command run in this process (so its lines count for coverage)."""
    import leakstop.simulator as package

    started = threading.Event()
    running: list[Simulator] = []

    class Watched(Simulator):
        def start(self) -> Simulator:
            running.append(super().start())
            started.set()
            return self

    monkeypatch.setattr(package, "Simulator", Watched)
    keys: list[str] = []
    failures: list[BaseException] = []
    before = signal.getsignal(signal.SIGTERM)

    def drive() -> None:
        try:
            assert started.wait(5)
            while signal.getsignal(signal.SIGTERM) is before:  # wait for its handler
                time.sleep(0.01)
            keys.extend(exercise(running[0].env()))
        except BaseException as exc:  # reported below; the command must stop regardless
            failures.append(exc)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    driver = threading.Thread(target=drive)
    driver.start()
    main(["simulate", "--port", "0"])
    driver.join(5)
    assert not failures, failures
    captured = capsys.readouterr()
    assert "export LEAKSTOP_ECGRID_URL=http://127.0.0.1:" in captured.out
    assert "ecgrid rotate: POST /v2/users/key-generate/{id} -> 200" in captured.err
    assert "leakstop simulator stopped" in captured.err
    assert_no_leak([captured.out, captured.err], keys)
    assert signal.getsignal(signal.SIGTERM) is before


def test_simulate_command_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(SystemExit) as stopped:
            main(["simulate", "--quiet", "--port", str(port)])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"leakstop: error: cannot listen on 127.0.0.1:{port}")
    assert len(err.strip().splitlines()) == 1
