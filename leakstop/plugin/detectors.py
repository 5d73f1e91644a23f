"""detect-secrets detector classes, one per leakstop rule, generated from the provider records.

Class names and `secret_type`s are written into users' `.secrets.baseline` files, so both are
derived only from stable rule fields: the class name from `Rule.id`
(`electronhub-api-key` → `LeakstopElectronhubApiKeyDetector`), the type from `Rule.title`.
A new provider module gets its classes here without any change to this package.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any, ClassVar

from detect_secrets.constants import VerifiedResult
from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.plugins.base import BasePlugin
from detect_secrets.util.code_snippet import CodeSnippet

from leakstop.detect.confidence import CERTAIN
from leakstop.detect.engine import Detector
from leakstop.findings import Block
from leakstop.plugin.lines import hits_on_line
from leakstop.providers import all_rules
from leakstop.providers.base import Rule


class LeakstopDetector(BasePlugin):
    """A thin adapter from detect-secrets' plugin interface to leakstop's engine.

    Abstract (no `secret_type`), so detect-secrets never loads it as a plugin itself. Every
    method catches its own errors: a failure inside leakstop must never abort a detect-secrets
    run, so it costs at most that one line's findings.
    """

    rule: ClassVar[Rule]

    def analyze_line(
        self,
        filename: str,
        line: str,
        line_number: int = 0,
        context: CodeSnippet | None = None,
        **kwargs: Any,
    ) -> set[PotentialSecret]:
        try:
            hits = hits_on_line(self.rule, filename, line, line_number, context)
            return {
                PotentialSecret(
                    type=self.rule.title,
                    filename=filename,
                    secret=hit.secret,
                    line_number=hit.line,
                )
                for hit in hits
            }
        except Exception:
            return set()

    def analyze_string(self, string: str) -> Generator[str, None, None]:
        """Keys in a lone string (no file, no surrounding lines)."""
        try:
            hits = Detector((self.rule,)).scan(Block(path="", text=string))
        except Exception:
            return
        yield from (hit.secret for hit in hits if hit.confidence == CERTAIN)

    def verify(self, secret: str) -> VerifiedResult:
        """Never contacts the provider: detect-secrets verifies during every scan and audit,
        and a check call from a hook would send the leaked key over the network from every
        developer's machine. `leakstop scan --verify` is the deliberate, explicit path."""
        return VerifiedResult.UNVERIFIED


def class_name(rule: Rule) -> str:
    words = re.split(r"[^A-Za-z0-9]+", rule.id)
    return "Leakstop" + "".join(word[:1].upper() + word[1:] for word in words) + "Detector"


def _make(rule: Rule) -> type[LeakstopDetector]:
    namespace = {
        "secret_type": rule.title,
        "rule": rule,
        "__module__": __name__,
        "__doc__": f"{rule.title} ({rule.id}), found by leakstop's engine.",
    }
    return type(class_name(rule), (LeakstopDetector,), namespace)


DETECTORS: tuple[type[LeakstopDetector], ...] = tuple(_make(rule) for rule in all_rules())

# Module attributes, so that detect-secrets (which lists a plugin file's classes with dir())
# and `from leakstop.plugin.detectors import *` in the plugin file both find them.
globals().update({cls.__name__: cls for cls in DETECTORS})
__all__ = [cls.__name__ for cls in DETECTORS]
