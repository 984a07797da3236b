"""Encryption at rest with AES-256-GCM (the `cryptography` package).

Two uses, two formats:

- **Values in a column** (the second factor's TOTP secrets): `Sealer.seal()`
  gives `aesgcm1$` + base64url(nonce, ciphertext, tag), 72 characters for a
  20-byte secret. The key comes from FIELD_ENCRYPTION_KEY (settings); older
  keys listed in FIELD_ENCRYPTION_OLD_KEYS still open values during a rotation
  (`manage.py reseal_secrets` seals every value again with the current key).
- **Files** (backup archives): `encrypt_stream()`/`decrypt_stream()`, a chunked
  format (1 MiB chunks, each sealed with its number and whether it is the last,
  so a cut, reordered or changed file is refused), with a key derived from
  BACKUP_KEY by scrypt with a random salt per file, so a passphrase works too.

A key setting is any long random string (at least 32 characters), e.g.
`python -c "import secrets; print(secrets.token_urlsafe(32))"`; the AES key is
derived from it (HKDF-SHA256, per purpose, for values; scrypt for files).
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MIN_KEY_CHARS = 32
PREFIX = "aesgcm1$"


class SealError(Exception):
    """A value or file that cannot be opened with the keys given (a wrong key,
    or it was changed); the message says which."""


def _value_key(secret: str, purpose: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"hr_clinic " + purpose
    ).derive(secret.encode())


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


class Sealer:
    """Seals values with the first key, opens them with any (current first)."""

    def __init__(self, secrets: Sequence[str], purpose: bytes) -> None:
        if not secrets:
            raise ValueError("at least one key is needed")
        self._keys = [AESGCM(_value_key(secret, purpose)) for secret in secrets]
        self._aad = purpose

    def seal(self, plaintext: bytes) -> str:
        nonce = os.urandom(12)
        sealed = nonce + self._keys[0].encrypt(nonce, plaintext, self._aad)
        return PREFIX + base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open(self, value: str) -> bytes:
        if not is_sealed(value):
            raise SealError("not a sealed value")
        body = value.removeprefix(PREFIX)
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        for key in self._keys:
            try:
                return key.decrypt(raw[:12], raw[12:], self._aad)
            except InvalidTag:
                continue
        raise SealError(
            "no configured key opens this value (FIELD_ENCRYPTION_KEY changed "
            "without FIELD_ENCRYPTION_OLD_KEYS?)"
        )


@lru_cache(maxsize=8)
def sealer(secrets: tuple[str, ...], purpose: bytes) -> Sealer:
    """One Sealer per set of keys (deriving keys costs a little each time)."""
    return Sealer(secrets, purpose)


# --- files -----------------------------------------------------------------

MAGIC = b"HRCENC1\n"
CHUNK = 1 << 20
_SALT, _PREFIX_LEN, _TAG = 16, 7, 16
_HEADER = struct.Struct(f">{len(MAGIC)}s{_SALT}s{_PREFIX_LEN}sI")


def _file_key(passphrase: str, salt: bytes) -> AESGCM:
    # 32 MiB and 0.09 s per file (measured): cheap once, costly to guess at scale.
    return AESGCM(
        Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())
    )


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I?", index, last)


def is_encrypted_file(head: bytes) -> bool:
    return head.startswith(MAGIC)


def encrypt_stream(passphrase: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The encrypted file, piece by piece, for `chunks` of plaintext (any
    sizes; re-cut to CHUNK)."""
    salt, prefix = os.urandom(_SALT), os.urandom(_PREFIX_LEN)
    header = _HEADER.pack(MAGIC, salt, prefix, CHUNK)
    key = _file_key(passphrase, salt)
    yield header
    buffer, index = bytearray(), 0
    for piece in chunks:
        buffer += piece
        # Keep at least one byte back: the last chunk is sealed as the last.
        while len(buffer) > CHUNK:
            block = bytes(buffer[:CHUNK])
            del buffer[:CHUNK]
            yield key.encrypt(_nonce(prefix, index, False), block, header)
            index += 1
    yield key.encrypt(_nonce(prefix, index, True), bytes(buffer), header)


def decrypt_stream(passphrase: str, source: BinaryIO) -> Iterator[bytes]:
    """The plaintext of an encrypted file, chunk by chunk; raises SealError for
    a wrong passphrase or a file that was cut or changed."""
    header = source.read(_HEADER.size)
    if len(header) < _HEADER.size or not is_encrypted_file(header):
        raise SealError("not an encrypted archive")
    _, salt, prefix, size = _HEADER.unpack(header)
    key = _file_key(passphrase, salt)
    index = 0
    block = source.read(size + _TAG)
    while True:
        following = source.read(size + _TAG)
        last = not following
        try:
            yield key.decrypt(_nonce(prefix, index, last), block, header)
        except InvalidTag as exc:
            raise SealError(
                "BACKUP_KEY does not open this archive (a wrong key, or the file "
                "was cut or changed)"
            ) from exc
        if last:
            return
        block, index = following, index + 1
