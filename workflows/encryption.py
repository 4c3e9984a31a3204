"""Complaints' payloads encrypted before they reach Temporal (AES-GCM), and refused unencrypted.

A complaint's workflow input, its state and its letters carry children's and families'
names and addresses. With a key configured, every payload is encrypted by the client
and the worker before it is sent, so Temporal's database, its web UI and its exports
hold only ciphertext; failures too (their message and stack trace travel as an encoded
attribute, see ``workflows.engine``). Workflow ids (complaint references) are not
payloads and stay readable, which is why they must never hold personal data.

Encryption fails closed. With a key, a payload that arrives unencrypted (an Update sent
with the plain ``temporal`` command line, say), or encrypted with another key, is
refused: ``DataConverter.decode`` raises ``PayloadRefused``, so the worker rejects the
Update before any rule sees it and the complaint stays as it was, and a client reading
it says so in one line. Without a key, an encrypted payload is refused the same way, in
words, rather than read as an unknown encoding. (Payloads written before a key was
configured are refused too: a council turning encryption on starts with an engine of
its own, and lets the plaintext one finish its complaints.)

The key: ``COMPLAINTS_PAYLOAD_KEY`` (32 bytes, base64), or the file named by
``COMPLAINTS_PAYLOAD_KEY_FILE`` (default ``payload.key`` in ``COMPLAINTS_VAR_DIR``,
that is ``var/payload.key``, which ``make up`` creates). ``COMPLAINTS_PAYLOAD_KEY=none``
says that the engine runs without encryption (tests, a plaintext stack): the command
line talks to an engine only with a key or that word (``required_payload_key``).
Simulations run their own private engine, unencrypted.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.converter import (
    DefaultFailureConverterWithEncodedAttributes,
    EncodingPayloadConverter,
    PayloadCodec,
    PayloadConverter,
)

ENCODING = b"binary/encrypted"
# What the codec leaves of a payload it will not read: no data, and why.
REFUSED = b"binary/refused"
# COMPLAINTS_PAYLOAD_KEY=none: the engine runs without encryption, on purpose.
PLAINTEXT = "none"
KEY_SETTINGS = "COMPLAINTS_PAYLOAD_KEY or COMPLAINTS_PAYLOAD_KEY_FILE"

WHY_REFUSED = {
    b"unencrypted": "an unencrypted payload was refused: with a payload key configured, only payloads "
                    "encrypted with it are read",
    b"other-key": "a payload was encrypted with another key than the one configured",
    b"altered": "a payload does not decrypt with the key configured (altered, or encrypted with another key)",
}
ENCRYPTED_WITHOUT_KEY = f"the complaint is encrypted, and no payload key is configured ({KEY_SETTINGS})"


class PayloadKeyError(ValueError):
    """A key that is missing where named, or not 32 bytes of base64."""


class NoPayloadKey(PayloadKeyError):
    """No key is configured, and nothing says the engine runs without encryption."""


class PayloadRefused(PayloadKeyError):
    """A payload that cannot be read with the key configured, or without one.

    Never quotes the payload: its text may be a family's name and address.
    """


def _refused(reason: bytes) -> Payload:
    return Payload(metadata={"encoding": REFUSED, "refused": reason})


class EncryptionCodec(PayloadCodec):
    """Encrypts every payload; decodes only those encrypted with its key.

    A payload it will not read (unencrypted, another key's, altered) is decoded to an
    empty ``binary/refused`` payload, and reading that raises ``PayloadRefused``
    (``RefusedPayloads``): ``DataConverter.decode`` raises. The codec itself does not,
    on purpose: the worker decodes a whole workflow activation before the workflow sees
    it, and a codec error there fails the workflow task, over and over while the Update
    that carried the payload waits, and the complaint answers no other action or query
    meanwhile. Refused at reading, the payload fails only the Update's validator: the
    Update is rejected, the complaint is unchanged and goes on answering.
    """

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
        return [self._decoded(p) for p in payloads]

    def _decoded(self, p: Payload) -> Payload:
        if p.metadata.get("encoding", b"") != ENCODING:
            # Fails closed: sent by someone without the key (the plain `temporal`
            # command line, say), or written before encryption was turned on.
            return _refused(b"unencrypted")
        if p.metadata.get("encryption-key-id", b"") != self.key_id:
            return _refused(b"other-key")
        try:
            return Payload.FromString(self._decrypt(p.data))
        except InvalidTag:
            return _refused(b"altered")

    def _encrypt(self, data: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._cipher.encrypt(nonce, data, None)

    def _decrypt(self, data: bytes) -> bytes:
        return self._cipher.decrypt(data[:12], data[12:], None)


class RefusedPayloads(EncodingPayloadConverter):
    """Reading a payload the codec refused raises ``PayloadRefused``, saying why."""

    encoding = REFUSED.decode()

    def to_payload(self, value: Any) -> Payload | None:
        return None

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        raise PayloadRefused(WHY_REFUSED.get(payload.metadata.get("refused", b""), "a payload was refused"))


class EncryptedWithoutKey(EncodingPayloadConverter):
    """Without a key (no codec), an encrypted payload reaches the payload converter as
    it is: reading it raises ``PayloadRefused`` in words, not a KeyError for an unknown
    encoding, and an Update that carries one is rejected, as above."""

    encoding = ENCODING.decode()

    def to_payload(self, value: Any) -> Payload | None:
        return None

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        raise PayloadRefused(ENCRYPTED_WITHOUT_KEY)


class EncryptedFailures(DefaultFailureConverterWithEncodedAttributes):
    """Failures with their message and stack trace in an encoded attribute, through the
    codec (``DataConverter.decode_failure`` decodes it before reading: a client with the
    key reads a refusal's text). One whose attribute cannot be read (the engine's answer
    to a client without its key) says why, instead of the SDK's "Encoded failure"."""

    def from_failure(self, failure: Failure, payload_converter: PayloadConverter) -> BaseException:
        if failure.HasField("encoded_attributes"):
            try:
                payload_converter.from_payloads([failure.encoded_attributes])
            except PayloadRefused as refused:
                unreadable = Failure()
                unreadable.CopyFrom(failure)
                unreadable.ClearField("encoded_attributes")
                unreadable.message = f"the engine's answer cannot be read: {refused}"
                failure = unreadable
        return super().from_failure(failure, payload_converter)


def _read_key(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise PayloadKeyError(f"the payload key in {where} is not base64") from None
    if len(key) != 32:
        raise PayloadKeyError(f"the payload key in {where} is {len(key)} bytes; it must be 32")
    return key


def read_key_file(path: Path) -> bytes:
    """The key kept in a file (``var/payload.key``)."""
    return _read_key(path.read_text(), str(path))


def plaintext_chosen() -> bool:
    """Whether ``COMPLAINTS_PAYLOAD_KEY=none`` says the engine runs without encryption."""
    return (os.environ.get("COMPLAINTS_PAYLOAD_KEY") or "").strip().lower() == PLAINTEXT


def _key_file() -> tuple[Path, bool]:
    named = os.environ.get("COMPLAINTS_PAYLOAD_KEY_FILE")
    if named:
        return Path(named), True
    return Path(os.environ.get("COMPLAINTS_VAR_DIR") or "var") / "payload.key", False


def payload_key() -> bytes | None:
    """The configured key, or None when payloads are to stay unencrypted (none configured,
    or ``COMPLAINTS_PAYLOAD_KEY=none``)."""
    if plaintext_chosen():
        return None
    if text := os.environ.get("COMPLAINTS_PAYLOAD_KEY"):
        return _read_key(text, "COMPLAINTS_PAYLOAD_KEY")
    path, named = _key_file()
    if path.is_file():
        return read_key_file(path)
    if named:
        raise PayloadKeyError(f"COMPLAINTS_PAYLOAD_KEY_FILE names {path}, which does not exist")
    return None


def required_payload_key() -> bytes | None:
    """The key, for the command line: None only when ``COMPLAINTS_PAYLOAD_KEY=none`` says
    the engine runs without encryption. With neither, raises ``NoPayloadKey``: a command
    run from another folder, or after ``var/`` moved, must not send a complaint in clear
    to an engine that encrypts, nor fail to read one."""
    key = payload_key()
    if key is None and not plaintext_chosen():
        path, _ = _key_file()
        raise NoPayloadKey(
            f"no payload key to encrypt complaints with, so the engine is not contacted: {path} does not exist and neither "
            "COMPLAINTS_PAYLOAD_KEY nor COMPLAINTS_PAYLOAD_KEY_FILE is set (run from the folder `make up` "
            "runs in, or point COMPLAINTS_PAYLOAD_KEY_FILE at its var/payload.key; "
            "COMPLAINTS_PAYLOAD_KEY=none if the engine runs without encryption)"
        )
    return key


def create_key_file(path: Path) -> None:
    """A new random key, readable by its owner only (make up's first run)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
