"""`--credential NAME=VALUE`: the security schemes a spec's webhooks require, for `hookgen listen` and `send`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError
from ..runtime._signatures import API_KEY, BASIC, credential_kind

Credential = str | tuple[str, str]

HELP = (
    "a security scheme's credential: NAME=USER:PASSWORD for HTTP Basic, NAME=KEY for an API key in a header "
    "(repeat it for several schemes)"
)


def parse_credentials(values: Sequence[str], schemes: Mapping[str, Mapping[str, Any]]) -> dict[str, Credential]:
    """The credentials by scheme name, read as each scheme the webhooks require expects them."""
    credentials: dict[str, Credential] = {}
    for value in values:
        name, equals, given = value.partition("=")
        if not equals or not name:
            raise ConfigError(f"--credential {value!r}: write NAME=VALUE")
        scheme = schemes.get(name)
        if scheme is None:
            declared = ", ".join(sorted(schemes)) or "none"
            raise ConfigError(f"--credential: no webhook requires a security scheme {name!r} (required: {declared})")
        credentials[name] = _credential(name, scheme, given)
    return credentials


def missing_credentials(security: Sequence[tuple[str, ...]] | None, credentials: Mapping[str, Credential]) -> str:
    """The scheme names of a requirement that have no credential, joined for a message ('' when none)."""
    names = sorted({name for names in security or () for name in names} - set(credentials))
    return ", ".join(names)


def _credential(name: str, scheme: Mapping[str, Any], given: str) -> Credential:
    kind = credential_kind(scheme)
    if kind == BASIC:
        user, colon, password = given.partition(":")
        if not colon:
            raise ConfigError(f"--credential {name}: HTTP Basic takes USER:PASSWORD")
        return user, password
    if kind == API_KEY:
        if not given.strip():
            raise ConfigError(f"--credential {name}: the key is empty")
        return given
    raise ConfigError(f"--credential {name}: security scheme {dict(scheme)} is not supported (HTTP Basic, API key)")
