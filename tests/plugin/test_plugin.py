"""The detect-secrets plugin, run by stock detect-secrets 1.5 (as subprocesses, the way users and
pre-commit run it) on repositories set up by `leakstop init`: it reports exactly what
`leakstop scan` reports, survives the filters and transformers that would hide keys, never
contacts a provider, and never raises out of detect-secrets."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from detect_secrets.constants import VerifiedResult
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.filters import heuristic
from detect_secrets.plugins.keyword import KeywordDetector
from detect_secrets.settings import transient_settings
from detect_secrets.util.code_snippet import CodeSnippet, get_code_snippet

from leakstop.plugin import filters, lines
from leakstop.plugin.detectors import DETECTORS, LeakstopDetector, class_name
from leakstop.plugin.wiring import PLUGIN_FILE
from leakstop.providers import all_rules
from leakstop.providers.base import Rule
from leakstop.secrets_text import hashed_secret
from tests.testing import RULE_IDS, Repo, RunCli, assert_no_leak, new_key

# Written into users' baselines: these must never change (a rename breaks every baseline).
STABLE_NAMES = {
    "electronhub-api-key": ("LeakstopElectronhubApiKeyDetector", "ElectronHub API Key"),
    "electronhub-proxy-key": ("LeakstopElectronhubProxyKeyDetector", "ElectronHub Proxy Key"),
    "electronhub-dev-key": ("LeakstopElectronhubDevKeyDetector", "ElectronHub DevPass Key"),
    "syncline-user-key": ("LeakstopSynclineUserKeyDetector", "Syncline User API Key"),
    "syncline-platform-key": (
        "LeakstopSynclinePlatformKeyDetector",
        "Syncline Platform API Key",
    ),
    "scrapebit-api-key": ("LeakstopScrapebitApiKeyDetector", "Scrapebit API Key"),
    "scrapebit-test-key": ("LeakstopScrapebitTestKeyDetector", "Scrapebit Test API Key"),
    "ecgrid-api-key": ("LeakstopEcgridApiKeyDetector", "ECGrid API Key"),
}
OUR_TYPES = {title for _, title in STABLE_NAMES.values()}


def detector(rule_id: str) -> LeakstopDetector:
    [cls] = [c for c in DETECTORS if c.rule.id == rule_id]
    return cls()


def ds(repo: Path, *args: str, module: str = "detect_secrets") -> subprocess.CompletedProcess[str]:
    """Stock detect-secrets, run from the repository root like pre-commit runs it."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
    )


def our_results(results: dict[str, list[dict[str, Any]]]) -> set[tuple[str, str]]:
    return {
        (name, entry["hashed_secret"])
        for name, entries in results.items()
        for entry in entries
        if entry["type"] in OUR_TYPES
    }


def all_hashes(results: dict[str, list[dict[str, Any]]]) -> set[str]:
    return {entry["hashed_secret"] for entries in results.values() for entry in entries}


class KeyRepo:
    """A repository with a key of every family, written the ways that trip detect-secrets up,
    plus decoys that neither tool may report."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        k = {rule_id: new_key(rule_id) for rule_id in RULE_IDS}
        ecgrid = [new_key("ecgrid-api-key") for _ in range(3)]
        trailing = new_key("electronhub-api-key")
        allowlisted = new_key("scrapebit-api-key")
        self.decoy_uuids = [str(uuid.uuid4()) for _ in range(3)]
        self.placeholders = [
            "ek-" + "x" * 32,
            "sk_user_" + "your_key_here_1234",
            "sb_live_" + "1234567890abcdef" * 2,
        ]
        self.expected = {
            ("app.py", k["electronhub-api-key"]),
            ("app.py", k["electronhub-proxy-key"]),
            ("app.py", k["electronhub-dev-key"]),
            ("app.py", k["scrapebit-test-key"]),
            (".env", k["syncline-user-key"]),
            (".env", k["syncline-platform-key"]),
            (".env", k["scrapebit-api-key"]),
            ("appsettings.json", k["ecgrid-api-key"]),
            ("deploy/config.yaml", ecgrid[0]),
            ("deploy/config.yaml", trailing),
            ("settings.toml", ecgrid[1]),
            ("docs/swagger.md", ecgrid[2]),
        }
        self.keys = [*k.values(), *ecgrid, trailing, allowlisted]
        proxy, dev = k["electronhub-proxy-key"], k["electronhub-dev-key"]
        files = {
            # is_indirect_reference drops this line; is_likely_id_string the `_id` one.
            "app.py": (
                f'client = Client(api_key="{k["electronhub-api-key"]}")\n'
                f'PROXY = {{"client_id": 7, "key": "{proxy}"}}\n'
                f'DEV_KEY = os.environ.get("X", "{dev}")\n'
                f'SANDBOX = "{k["scrapebit-test-key"]}"\n'
                f'LIVE = "{allowlisted}"  # pragma: allowlist secret\n'
            ),
            ".env": (
                f"SYNCLINE_USER_KEY={k['syncline-user-key']}\n"
                f"SYNCLINE_PLATFORM_KEY={k['syncline-platform-key']}\n"
                f"SCRAPEBIT_API_KEY={k['scrapebit-api-key']}\n"
            ),
            # is_potential_uuid drops every GUID.
            "appsettings.json": (
                '{\n  "ECGrid": {\n    "BaseUrl": "https://rest.ecgrid.io",\n'
                f'    "ApiKey": "{k["ecgrid-api-key"]}"\n  }}\n}}\n'
            ),
            # The YAML transformer hands plugins `key: "value"` lines: no `ecgrid:` parent, and
            # nothing at all after the last string value (the list item below).
            "deploy/config.yaml": (
                "ecgrid:\n"
                '  url: "https://rest.ecgrid.io"\n'
                f"  api_key: {ecgrid[0]}\n"
                "services:\n  app:\n    image: web\n    environment:\n"
                f"      - ELECTRONHUB_API_KEY={trailing}\n"
            ),
            # The INI transformer drops the section header that carries the context.
            "settings.toml": f'[ecgrid]\napi_key = "{ecgrid[1]}"\n',
            # is_swagger_file skips the whole file.
            "docs/swagger.md": f"curl -H 'X-API-Key: {ecgrid[2]}' https://rest.ecgrid.io/v2\n",
            # Decoys: GUIDs that are identifiers, placeholders, a GUID with no ECGrid context
            # (other plugins flag it; the UUID filter must still drop it for them).
            "Service.csproj": (
                "<!-- ECGrid client -->\n<Project>\n"
                f"  <UserSecretsId>{self.decoy_uuids[0]}</UserSecretsId>\n</Project>\n"
            ),
            "other.py": f'api_secret = "{self.decoy_uuids[1]}"\n',
            "README.md": (
                f"ECGRID_API_KEY=<your key>  # ecgrid\nrequest id {self.decoy_uuids[2]}\n"
                + "".join(f"KEY={p}\n" for p in self.placeholders)
            ),
        }
        for name, text in files.items():
            repo.write(name, text)
        self.files = sorted(files)

    @property
    def expected_hashes(self) -> set[tuple[str, str]]:
        return {(name, hashed_secret(key)) for name, key in self.expected}


@pytest.fixture
def keyrepo(repo: Repo, run_cli: RunCli) -> KeyRepo:
    setup = KeyRepo(repo)
    outcome = run_cli(["init", "--local-hook"], repo.path, keys=setup.keys)
    assert outcome.code == 0, outcome.err
    repo.git("add", "-A")
    return setup


def leakstop_findings(run_cli: RunCli, setup: KeyRepo) -> set[tuple[str, str]]:
    outcome = run_cli(["scan", "--format", "json"], setup.repo.path, keys=setup.keys)
    assert outcome.code == 1, outcome.err
    return {(f["file"], f["hashed_secret"]) for f in json.loads(outcome.out)["findings"]}


def test_scan_and_hook_report_exactly_what_leakstop_reports(
    keyrepo: KeyRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    root = keyrepo.repo.path
    ours = leakstop_findings(run_cli, keyrepo)
    assert ours == keyrepo.expected_hashes

    # `detect-secrets scan --baseline B` rescans with B's settings and writes results into B.
    copy = tmp_path / "scan.baseline"
    shutil.copy(root / ".secrets.baseline", copy)
    scan = ds(root, "scan", "--baseline", str(copy))
    assert scan.returncode == 0, scan.stderr
    scanned = json.loads(copy.read_text(encoding="utf-8"))["results"]
    assert our_results(scanned) == ours

    hook = ds(
        root,
        "--baseline",
        ".secrets.baseline",
        "--json",
        *keyrepo.files,
        module="detect_secrets.pre_commit_hook",
    )
    assert hook.returncode == 1, hook.stderr
    hooked = json.loads(hook.stdout)["results"]
    assert our_results(hooked) == ours

    decoys = {hashed_secret(x) for x in [*keyrepo.decoy_uuids, *keyrepo.placeholders]}
    assert not decoys & (all_hashes(scanned) | all_hashes(hooked))
    assert_no_leak([scan.stdout, scan.stderr, hook.stdout, hook.stderr], keyrepo.keys)
    assert_no_leak([copy.read_text(encoding="utf-8")], keyrepo.keys)


def test_hook_text_report_names_our_types_without_keys(keyrepo: KeyRepo) -> None:
    hook = ds(
        keyrepo.repo.path,
        "--baseline",
        ".secrets.baseline",
        "app.py",
        "appsettings.json",
        module="detect_secrets.pre_commit_hook",
    )
    assert hook.returncode == 1
    assert "Secret Type: ECGrid API Key\nLocation:    appsettings.json:4" in hook.stdout
    assert "ElectronHub API Key" in hook.stdout
    assert_no_leak([hook.stdout, hook.stderr], keyrepo.keys)


def test_accepted_baseline_entries_silence_both_tools(
    keyrepo: KeyRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    root = keyrepo.repo.path
    copy = tmp_path / "scan.baseline"
    shutil.copy(root / ".secrets.baseline", copy)
    assert ds(root, "scan", "--baseline", str(copy)).returncode == 0
    shutil.copy(copy, root / ".secrets.baseline")
    keyrepo.repo.git("add", ".secrets.baseline")

    hook = ds(
        root,
        "--baseline",
        ".secrets.baseline",
        *keyrepo.files,
        module="detect_secrets.pre_commit_hook",
    )
    assert hook.returncode == 0, hook.stdout
    quiet = run_cli(["scan"], root, keys=keyrepo.keys)
    assert quiet.code == 0


def test_audit_report_shows_our_types(keyrepo: KeyRepo, tmp_path: Path) -> None:
    root = keyrepo.repo.path
    copy = tmp_path / "scan.baseline"
    shutil.copy(root / ".secrets.baseline", copy)
    assert ds(root, "scan", "--baseline", str(copy)).returncode == 0
    # detect-secrets 1.5 maps secret types to classes before `audit` reads the baseline's
    # plugin paths (Yelp/detect-secrets#611); `leakstop audit` registers ours first.
    # Stock audit prints the secrets themselves; leakstop's redacts them.
    audit = ds(root, "audit", "--report", str(copy), module="leakstop")
    assert audit.returncode == 0, audit.stderr
    assert_no_leak([audit.stdout, audit.stderr], keyrepo.keys)
    report = json.loads(audit.stdout)["results"]
    types = {t for item in report for t in item["types"]}
    assert types >= OUR_TYPES
    lines_by_file = {(item["filename"], t): item["lines"] for item in report for t in item["types"]}
    assert list(lines_by_file["appsettings.json", "ECGrid API Key"]) == ["4"]


def test_stock_audit_fails_on_custom_plugins_upstream(keyrepo: KeyRepo, tmp_path: Path) -> None:
    """Documents Yelp/detect-secrets#611; when this starts passing, drop the workaround."""
    root = keyrepo.repo.path
    copy = tmp_path / "scan.baseline"
    shutil.copy(root / ".secrets.baseline", copy)
    assert ds(root, "scan", "--baseline", str(copy)).returncode == 0
    audit = ds(root, "audit", "--report", str(copy))
    if audit.returncode == 0:  # pragma: no cover - fixed upstream
        pytest.fail(
            "detect-secrets audit now loads custom plugins: drop `python -m leakstop.plugin`"
        )
    assert "from_secret_type" in audit.stderr


# --- the detector classes ---------------------------------------------------------------------


def test_one_class_per_rule_with_stable_names() -> None:
    assert {c.rule.id: (c.__name__, c.secret_type) for c in DETECTORS} == STABLE_NAMES
    assert {c.rule.id for c in DETECTORS} == {r.id for r in all_rules()}


def test_class_names_come_from_the_rule_id_alone() -> None:
    rule = Rule(
        id="acme-v2_token",
        provider="acme",
        title="Acme Token",
        prefix="ac_",
        body="[a-z]{20}",
        rotatable=False,
        guidance="",
    )
    assert class_name(rule) == "LeakstopAcmeV2TokenDetector"


def test_plugin_file_exports_only_concrete_detectors(tmp_path: Path) -> None:
    from detect_secrets.core.plugins.util import get_plugins_from_file

    from leakstop.plugin.wiring import PLUGIN_FILE_TEXT

    plugin = tmp_path / "plugin.py"
    plugin.write_text(PLUGIN_FILE_TEXT, encoding="utf-8")
    assert set(get_plugins_from_file(str(plugin))) == set(DETECTORS)


def test_plugin_file_fails_closed_without_leakstop(tmp_path: Path) -> None:
    from leakstop.plugin.wiring import PLUGIN_FILE_TEXT

    plugin = tmp_path / "plugin.py"
    plugin.write_text(PLUGIN_FILE_TEXT, encoding="utf-8")
    blocker = "import sys; sys.modules['leakstop'] = None; exec(open(sys.argv[1]).read())"
    proc = subprocess.run(
        [sys.executable, "-c", blocker, str(plugin)], capture_output=True, text=True
    )
    assert proc.returncode != 0
    assert "additional_dependencies" in proc.stderr


def test_analyze_line_uses_the_snippet_for_text_that_is_no_file() -> None:
    key = new_key("ecgrid-api-key")
    plugin = detector("ecgrid-api-key")
    text = ["[ecgrid]\n", "# comment\n", f"api_key = {key}\n"]
    found = plugin.analyze_line(
        "no/such/file.ini", text[2].rstrip(), 3, get_code_snippet(text, line_number=3)
    )
    assert [(s.secret_value, s.line_number, s.type) for s in found] == [(key, 3, "ECGrid API Key")]
    # Without the snippet the context is missing; the rule's own line is not enough.
    assert plugin.analyze_line("no/such/file.ini", text[2], 3) == set()


def test_analyze_string_finds_lone_keys() -> None:
    key = new_key("scrapebit-api-key")
    assert list(detector("scrapebit-api-key").analyze_string(f"x = '{key}'")) == [key]
    assert list(detector("scrapebit-api-key").analyze_string("sb_live_" + "x" * 32)) == []


def test_file_is_rescanned_on_a_new_pass(tmp_path: Path) -> None:
    path = tmp_path / "a.env"
    plugin = detector("electronhub-api-key")
    first, second = new_key("electronhub-api-key"), new_key("electronhub-api-key")

    def scan() -> set[str]:
        text = path.read_text(encoding="utf-8").splitlines(keepends=True)
        found: set[str] = set()
        for number, line in enumerate(text, start=1):
            snippet = get_code_snippet(text, number)
            for _ in range(2):  # every plugin of a line gets the same snippet object
                found |= {
                    s.secret_value or ""
                    for s in plugin.analyze_line(str(path), line, number, snippet)
                }
        return found

    path.write_text(f"A={first}\n", encoding="utf-8")
    assert scan() == {first}
    path.write_text(f"A={second}\n", encoding="utf-8")
    assert scan() == {second}


def test_repository_paths_decide_path_rules(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key("ecgrid-api-key")
    text = f"ECGRID_API_KEY={key}\n"
    repo.write("build/ecgrid.props", text)  # GUIDs in MSBuild files are identifiers
    repo.write("config/ecgrid.env", text)
    monkeypatch.chdir(tmp_path)
    plugin = detector("ecgrid-api-key")
    for rel, expected in (("build/ecgrid.props", set()), ("config/ecgrid.env", {key})):
        path = str(repo.path / rel)
        found = plugin.analyze_line(path, text.rstrip(), 1, get_code_snippet([text], 1))
        assert {s.secret_value for s in found} == expected
    assert lines.repo_path(str(repo.path / "config" / "ecgrid.env")) == "config/ecgrid.env"
    outside = tmp_path / "loose.txt"
    assert lines.repo_path(str(outside)) == outside.as_posix()


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.analyze_line("/", "x", 1, None),
        lambda p: p.analyze_line(None, None, None, None),  # type: ignore[arg-type]
        lambda p: p.analyze_line("f", "ek-" + "a" * 5000, -3, CodeSnippet(["x"], 0, 7)),
        lambda p: p.analyze_line("f", "\0\udcff\r\n", 1, CodeSnippet([None], 0, 0)),  # type: ignore[list-item]
        lambda p: p.analyze_line("/dev/null", "", 0, get_code_snippet([], 1)),
    ],
)
def test_garbage_never_raises(call: Any) -> None:
    for cls in DETECTORS:
        assert call(cls()) == set()


def test_internal_errors_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("engine failure")

    monkeypatch.setattr("leakstop.plugin.detectors.hits_on_line", boom)
    monkeypatch.setattr("leakstop.plugin.detectors.Detector.scan", boom)
    plugin = detector("electronhub-api-key")
    key = new_key("electronhub-api-key")
    assert plugin.analyze_line("x.py", key, 1, None) == set()
    assert list(plugin.analyze_string(key)) == []


# --- verification never touches the network ---------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[:1]))
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def plugin_settings(tmp_path: Path) -> Iterator[None]:
    """detect-secrets configured in-process from a leakstop baseline, verification on."""
    from leakstop.plugin.wiring import PLUGIN_FILE_TEXT, configure_baseline

    plugin = tmp_path / "plugin.py"
    plugin.write_text(PLUGIN_FILE_TEXT, encoding="utf-8")
    config = configure_baseline(None)
    for entry in config["plugins_used"]:
        if "path" in entry:
            entry["path"] = f"file://{plugin}"
    get_mapping_from_secret_type_to_class.cache_clear()
    try:
        with transient_settings(config):
            yield
    finally:
        get_mapping_from_secret_type_to_class.cache_clear()


def test_verify_is_offline_and_unverified(no_network: list[str], plugin_settings: None) -> None:
    key = new_key("syncline-user-key")
    for cls in DETECTORS:
        assert cls().verify(key) is VerifiedResult.UNVERIFIED
    secret = PotentialSecret("Syncline User API Key", "f", key)
    assert detector("syncline-user-key").format_scan_result(secret) == "True  (unverified)"
    assert no_network == []


def test_in_process_scan_with_verification_makes_no_call(
    no_network: list[str], plugin_settings: None, tmp_path: Path
) -> None:
    key = new_key("ecgrid-api-key")
    path = tmp_path / "ecgrid.env"
    path.write_text(f"# ecgrid\nECGRID_API_KEY={key}\n", encoding="utf-8")
    secrets = SecretsCollection()
    secrets.scan_file(str(path))
    found = {(s.type, s.secret_hash) for _, s in secrets}
    assert ("ECGrid API Key", hashed_secret(key)) in found
    assert no_network == []


# --- the replacement filters -------------------------------------------------------------------


def test_filters_keep_ours_and_give_the_stock_answer_to_others() -> None:
    ours, other = detector("ecgrid-api-key"), KeywordDetector()
    guid = str(uuid.uuid4())
    line = f'client = Client(api_key="{guid}")'
    cases = [
        (filters.is_potential_uuid, {"secret": guid}, heuristic.is_potential_uuid(guid)),
        (filters.is_indirect_reference, {"secret": guid, "line": line}, True),
        (
            filters.is_likely_id_string,
            {"secret": guid, "line": f"user_id = {guid}"},
            heuristic.is_likely_id_string(guid, f"user_id = {guid}", other),
        ),
        (filters.is_not_alphanumeric_string, {"secret": "12345678"}, True),
        (filters.is_lock_file, {"filename": "a/package-lock.json", "secret": guid}, True),
        (filters.is_swagger_file, {"filename": "docs/swagger.yaml", "secret": guid}, True),
    ]
    for function, kwargs, stock in cases:
        assert function(plugin=ours, **kwargs) is False, function.__name__
        assert function(plugin=other, **kwargs) is stock, function.__name__
    assert heuristic.is_likely_id_string(guid, f"user_id = {guid}", other) is True


def test_replacements_are_plain_functions_detect_secrets_can_inject() -> None:
    from detect_secrets.util.inject import get_injectable_variables

    for stock, ours in filters.STOCK_REPLACEMENTS.items():
        module, name = ours.rsplit(".", 1)
        assert module == "leakstop.plugin.filters"
        params = set(get_injectable_variables(getattr(filters, name)))
        # The per-finding stage passes secret, plugin (and filename, line); nothing earlier
        # can call these, so they never drop a whole line or file.
        assert {"secret", "plugin"} <= params, name
        assert stock.rsplit(".", 1)[1] == name


def test_plugin_file_path_is_relative() -> None:
    assert not Path(PLUGIN_FILE).is_absolute()


def test_audit_entry_registers_detectors_before_detect_secrets_parses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import detect_secrets.main

    from leakstop.plugin.__main__ import main

    seen: dict[str, Any] = {}

    def stock_main(argv: list[str] | None = None) -> int:
        seen["argv"] = argv
        seen["types"] = set(get_mapping_from_secret_type_to_class())
        return 0

    monkeypatch.setattr(detect_secrets.main, "main", stock_main)
    get_mapping_from_secret_type_to_class.cache_clear()
    try:
        assert main(["audit", "--report", "b"]) == 0
    finally:
        get_mapping_from_secret_type_to_class.cache_clear()
    assert seen["argv"] == ["audit", "--report", "b"]
    assert seen["types"] >= OUR_TYPES | {"AWS Access Key"}


def test_transformed_yaml_reports_nested_and_trailing_keys(
    plugin_settings: None, tmp_path: Path
) -> None:
    """In-process, the same YAML trap as the end-to-end test, with its line numbers."""
    guid, trailing = new_key("ecgrid-api-key"), new_key("electronhub-api-key")
    path = tmp_path / "compose.yaml"
    path.write_text(
        f"ecgrid:\n  api_key: {guid}\napp:\n  image: web\n  env:\n    - KEY={trailing}\n",
        encoding="utf-8",
    )
    secrets = SecretsCollection()
    secrets.scan_file(str(path))
    found = {(s.type, s.secret_hash): s.line_number for _, s in secrets if s.type in OUR_TYPES}
    # The trailing list item is never handed to plugins: it is reported at the last line
    # detect-secrets visits (4), a line `detect-secrets audit` can still show.
    assert found == {
        ("ECGrid API Key", hashed_secret(guid)): 2,
        ("ElectronHub API Key", hashed_secret(trailing)): 4,
    }
