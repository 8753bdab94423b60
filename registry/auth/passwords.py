"""Password hashing with argon2id (argon2-cffi), parameters taken from the app config."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from registry.errors import Problem, ValidationError
from registry.i18n import N_

_hasher = PasswordHasher()
MIN_LENGTH = 10


def configure(params: dict[str, int]) -> None:
    """Set the argon2id cost (called by create_app; tests use cheap parameters)."""
    global _hasher, _decoy
    _hasher = PasswordHasher(**params)
    _decoy = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def dummy_verify(password: str) -> None:
    """Check ``password`` against a decoy hash of the configured cost, when there is no real
    one to check (unknown username, locked account), so timing does not reveal which."""
    global _decoy
    if _decoy is None:
        # argon2 takes the cost from the hash it checks: the decoy costs what a real one does.
        _decoy = _hasher.hash("not-a-password")
    verify_password(_decoy, password)


_decoy: str | None = None


def password_problems(password: str, username: str) -> list[Problem]:
    """Why a new password is too weak (length, equal to the username), for the form."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            Problem(
                "password",
                N_("The password must have at least %(n)d characters."),
                {"n": MIN_LENGTH},
            )
        )
    if password.strip().lower() == username.strip().lower():
        problems.append(Problem("password", N_("The password must not be the username.")))
    return problems


def check_new_password(password: str, username: str) -> None:
    problems = password_problems(password, username)
    if problems:
        raise ValidationError(problems)
