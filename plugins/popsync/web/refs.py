"""Opaque references to one record (sector, dataset, source key) for URLs.

Source keys can hold personal data (a health-insurance card code carries the social-insurance
number) and ID-number search results end up in links; URLs are written to the API server's
access log, so records are addressed by an encrypted token instead of their key.
"""

import base64
import hashlib
import json
import os
import secrets

from cryptography.fernet import Fernet, InvalidToken


class InvalidRefError(ValueError):
    """The reference is not one this server issued."""


class RecordRefs:
    """Encrypts and decrypts (sector, dataset, source_key) triples."""

    def __init__(self, secret: str) -> None:
        key = base64.urlsafe_b64encode(hashlib.sha256(b"popsync-web-ref:" + secret.encode()).digest())
        self._fernet = Fernet(key)

    @classmethod
    def from_environment(cls) -> "RecordRefs":
        """Keyed by Airflow's JWT secret (shared by API server workers); random when unset."""
        secret = os.environ.get("AIRFLOW__API_AUTH__JWT_SECRET")
        if not secret:
            try:
                from airflow.configuration import conf

                secret = conf.get("api_auth", "jwt_secret", fallback="") or None
            except Exception:  # pragma: no cover - Airflow is a dependency
                secret = None
        return cls(secret or secrets.token_urlsafe(32))

    def encode(self, sector: str, dataset: str, source_key: str) -> str:
        payload = json.dumps([sector, dataset, source_key], ensure_ascii=False).encode()
        return self._fernet.encrypt(payload).decode("ascii")

    def decode(self, token: str) -> tuple[str, str, str]:
        try:
            value = json.loads(self._fernet.decrypt(token.encode("ascii")))
        except (InvalidToken, ValueError, UnicodeError) as error:
            raise InvalidRefError("unknown or damaged record reference") from error
        if not (isinstance(value, list) and len(value) == 3 and all(isinstance(item, str) for item in value)):
            raise InvalidRefError("unknown or damaged record reference")
        return value[0], value[1], value[2]
