"""How sure a finding is: `certain` findings block; `possible` ones (honestly ambiguous
evidence, see detect/scoped.py) are reported but block only when `--verify` finds them live."""

from leakstop.outcomes import Confidence

__all__ = ["CERTAIN", "CONFIDENCES", "POSSIBLE", "Confidence"]

CERTAIN = Confidence.CERTAIN
POSSIBLE = Confidence.POSSIBLE
CONFIDENCES = (CERTAIN, POSSIBLE)
"""Highest first."""
