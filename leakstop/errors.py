"""The one exception type that ends a command with exit code 2 and a one-line reason."""


class LeakstopError(Exception):
    """A usage, configuration or git problem; its message is shown to the user as is.

    Messages must never contain key material: callers pass redacted text only.
    """
