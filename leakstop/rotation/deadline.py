"""The whole-call deadline shared by the call (`http.send` sets it) and the transport that
enforces it on every connect, read and write (`transport`): its own module so that neither
imports the other."""

from __future__ import annotations

import contextvars

deadline_at: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "leakstop_call_deadline", default=None
)
"""time.monotonic() by which the current call must be over (set by `http.send`)."""
DEADLINE_HIT = "leakstop call deadline"
"""The message of the timeout raised when a call's whole budget is spent."""
