"""SHA-256 and BLAKE2b without `hashlib`, whose import loads OpenSSL's
binding (~2 ms of every run's start): CPython's own modules give the same
digests (tests/test_cold_start.py holds them to hashlib's)."""

try:
    from _blake2 import blake2b
except ImportError:  # a Python built without its own BLAKE2
    from hashlib import blake2b

try:
    from _sha2 import sha256  # Python 3.12+
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.10, 3.11
    except ImportError:  # a Python built without its own SHA-256
        from hashlib import sha256

__all__ = ["blake2b", "sha256"]
