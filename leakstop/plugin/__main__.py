"""`python -m leakstop.plugin ARGS…`: stock `detect-secrets ARGS…` with leakstop's detectors
registered before it parses anything.

detect-secrets 1.5 builds (and caches) its secret type → class map before `audit` reads the
baseline's plugin paths, so stock `detect-secrets audit` fails on the first entry of any
custom plugin (Yelp/detect-secrets#611). Registering the classes the way detect-secrets' own
`core.plugins.initialize.from_file` does is the whole fix; everything else is stock, except
that `audit`'s output is redacted (leakstop.plugin.audit): stock audit prints secrets whole.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.main import main as detect_secrets_main

    from leakstop.plugin.detectors import DETECTORS

    mapping: dict[str, type] = get_mapping_from_secret_type_to_class()
    for cls in DETECTORS:
        mapping.setdefault(cls.rule.title, cls)
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["audit"]:
        from leakstop.plugin.audit import run_audit

        return run_audit(args, detect_secrets_main)
    code: int = detect_secrets_main(argv)
    return code


if __name__ == "__main__":  # pragma: no cover - exercised as a subprocess by the tests
    sys.exit(main())
