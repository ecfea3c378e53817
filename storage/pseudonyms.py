"""Keyed pseudonyms for Telegram ids: how a person appears in the audit log and in log lines.

Telegram ids are small numbers (about 10^10 of them): a plain hash of one is reversed by
trying them all. An HMAC under a secret key is not, as long as the key stays secret. The
same key in every replica gives the same person the same pseudonym everywhere.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["derive_key", "hash_user_id", "user_hash_key"]


def derive_key(secret: str, purpose: bytes) -> bytes:
    """A 32-byte key for one `purpose` from a secret setting (AUDIT_KEY, BOT_TOKEN)."""
    return hmac.new(secret.encode(), b"pishran key\x00" + purpose, hashlib.sha256).digest()


def user_hash_key(bot_token: str) -> bytes:
    """The key for user ids in log lines: secret (from the token), the same in every replica."""
    return hashlib.sha256(b"pishran log user id\x00" + bot_token.encode()).digest()


def hash_user_id(user_id: int, *, key: bytes) -> str:
    """A short keyed hash of a user id, to follow one person through the logs anonymously."""
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]
