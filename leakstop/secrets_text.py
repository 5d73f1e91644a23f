"""Helpers that turn a key into something safe to show or store."""


def hashed_secret(secret: str) -> str:
    """SHA-1 hex of the exact key text: the field detect-secrets baselines use."""
    import hashlib  # only when a hash is needed: not on a clean pre-commit run

    return hashlib.sha1(secret.encode("utf-8")).hexdigest()


def redact(secret: str, prefix: str = "") -> str:
    """Keep the family prefix and at most two characters at each end of the body."""
    body = secret[len(prefix) :] if prefix and secret.startswith(prefix) else secret
    if not prefix or not secret.startswith(prefix):
        prefix = ""
    if len(body) < 8:
        return f"{prefix}…"
    return f"{prefix}{body[:2]}…{body[-2:]}"
