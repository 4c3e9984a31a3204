"""Complaints' payloads encrypted before they reach Temporal (AES-GCM).

A complaint's workflow input, its state and its letters carry children's and families'
names and addresses. With a key configured, every payload is encrypted by the client
and the worker before it is sent, so Temporal's database, its web UI and its exports
hold only ciphertext. Workflow ids (complaint references) are not payloads and stay
readable, which is why they must never hold personal data.

The key: ``COMPLAINTS_PAYLOAD_KEY`` (32 bytes, base64), or the file named by
``COMPLAINTS_PAYLOAD_KEY_FILE`` (default ``payload.key`` in ``COMPLAINTS_VAR_DIR``,
that is ``var/payload.key``, which ``make up`` creates). Without either, payloads are not encrypted (tests, simulations). Payloads
written before a key was configured still read.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"


class PayloadKeyError(ValueError):
    """A key that is missing where named, or not 32 bytes of base64."""


class EncryptionCodec(PayloadCodec):
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise PayloadKeyError("a payload key must be 32 bytes (AES-256)")
        self._cipher = AESGCM(key)
        # Names the key without revealing it, so a rotated key can be told apart.
        self.key_id = hashlib.sha256(key).hexdigest()[:12].encode()

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            Payload(
                metadata={"encoding": ENCODING, "encryption-key-id": self.key_id},
                data=self._encrypt(p.SerializeToString()),
            )
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for p in payloads:
            if p.metadata.get("encoding", b"") != ENCODING:
                decoded.append(p)  # written before encryption was turned on
                continue
            if p.metadata.get("encryption-key-id", b"") != self.key_id:
                raise PayloadKeyError("a payload was encrypted with another key than the one configured")
            decoded.append(Payload.FromString(self._decrypt(p.data)))
        return decoded

    def _encrypt(self, data: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._cipher.encrypt(nonce, data, None)

    def _decrypt(self, data: bytes) -> bytes:
        return self._cipher.decrypt(data[:12], data[12:], None)


def _read_key(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise PayloadKeyError(f"the payload key in {where} is not base64") from None
    if len(key) != 32:
        raise PayloadKeyError(f"the payload key in {where} is {len(key)} bytes; it must be 32")
    return key


def payload_key() -> bytes | None:
    """The configured key, or None when payloads are to stay unencrypted."""
    if text := os.environ.get("COMPLAINTS_PAYLOAD_KEY"):
        return _read_key(text, "COMPLAINTS_PAYLOAD_KEY")
    named = os.environ.get("COMPLAINTS_PAYLOAD_KEY_FILE")
    path = Path(named) if named else Path(os.environ.get("COMPLAINTS_VAR_DIR") or "var") / "payload.key"
    if path.is_file():
        return _read_key(path.read_text(), str(path))
    if named:
        raise PayloadKeyError(f"COMPLAINTS_PAYLOAD_KEY_FILE names {path}, which does not exist")
    return None


def create_key_file(path: Path) -> None:
    """A new random key, readable by its owner only (make up's first run)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
