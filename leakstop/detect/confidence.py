"""How sure a finding is: `certain` findings block; `possible` ones (honestly ambiguous
evidence, see detect/scoped.py) are reported but block only when `--verify` finds them live."""

CERTAIN = "certain"
POSSIBLE = "possible"
CONFIDENCES = (CERTAIN, POSSIBLE)
"""Highest first."""
