"""Signing in with a council's own identity provider: OpenID Connect's authorization code
flow, with state, nonce and PKCE (S256), by Authlib.

``start`` gives the address to send the person to and what the session keeps until they
come back; ``finish`` checks what came back (the state, the issuer, the code exchanged
with the client's secret, the ID token's signature, issuer, audience, expiry and nonce),
and ``account_for`` maps the claims to a ``web_users`` row ``oidc:<sub>`` (name, email,
the roles this service knows, the directory id). Anything wrong raises ``SignInFailed``,
whose reason goes to the audit log: it names what failed, never the person.

The provider's discovery document is read once per process (``OIDC_ISSUER`` +
``/.well-known/openid-configuration``), and must name the same issuer.
"""

from __future__ import annotations

import hmac
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from authlib.deprecate import AuthlibDeprecationWarning
from sqlalchemy import Engine, insert, select, update

from web.access import ROLES
from web.accounts import Account, account
from web.settings import OidcSettings
from web.tables import users

with warnings.catch_warnings():
    # Authlib 1.9 would rather have httpx2; the httpx it falls back to is the one installed.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
    from authlib.oidc.core import CodeIDToken

PREFIX = "oidc:"
SCOPES = "openid profile email"
# How long a call to the provider may take before the sign-in is given up.
TIMEOUT_SECONDS = 10
# Only asymmetric signatures: an ID token signed with "none" or the client's own secret is refused.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
# The OAuth error codes a provider may send back, recorded as they are; anything else is "error".
_PROVIDER_ERRORS = {"access_denied", "invalid_request", "unauthorized_client", "unsupported_response_type",
                    "invalid_scope", "server_error", "temporarily_unavailable", "login_required",
                    "consent_required", "interaction_required", "account_selection_required"}


class SignInFailed(Exception):
    """The sign-in cannot go on; ``str()`` is the reason for the audit log (no personal data)."""


class NoRole(SignInFailed):
    """The provider signed the person in, but gives them no role this service knows."""


@dataclass(frozen=True)
class Claims:
    sub: str
    name: str
    email: str | None
    roles: frozenset[str]
    directory_id: str | None

    @property
    def username(self) -> str:
        return PREFIX + self.sub


_clients: dict[OidcSettings, StarletteOAuth2App] = {}


def _client(settings: OidcSettings) -> StarletteOAuth2App:
    """One Authlib client per provider settings (it keeps the discovery document and keys)."""
    if settings not in _clients:
        oauth = OAuth()
        oauth.register(
            "council", client_id=settings.client_id, client_secret=settings.client_secret,
            server_metadata_url=settings.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPES, "code_challenge_method": "S256", "timeout": TIMEOUT_SECONDS,
                           "token_endpoint_auth_method": "client_secret_basic"})
        _clients[settings] = oauth.create_client("council")
    return _clients[settings]


async def _metadata(settings: OidcSettings) -> dict:
    client = _client(settings)
    try:
        metadata = await client.load_server_metadata()
    except Exception as problem:  # noqa: BLE001 - the provider down or answering nonsense
        client.server_metadata.clear()
        raise SignInFailed(f"identity provider unreachable ({type(problem).__name__})") from None
    if metadata.get("issuer") != settings.issuer:
        # Another issuer's document (a mix-up): trust nothing in it, read it again next time.
        client.server_metadata.clear()
        raise SignInFailed("identity provider names another issuer")
    # Authlib checks the ID token's signature with the algorithms the document lists: asymmetric ones only.
    said = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    metadata["id_token_signing_alg_values_supported"] = [a for a in said if a in SIGNING_ALGORITHMS]
    return metadata


async def start(settings: OidcSettings, redirect_uri: str) -> tuple[str, dict[str, str]]:
    """The provider's address to send the person to, and what to keep in their session."""
    await _metadata(settings)
    try:
        made = await _client(settings).create_authorization_url(redirect_uri)
    except Exception as problem:  # noqa: BLE001
        raise SignInFailed(f"identity provider unusable ({type(problem).__name__})") from None
    return made["url"], {"state": made["state"], "nonce": made["nonce"], "verifier": made["code_verifier"]}


async def finish(settings: OidcSettings, redirect_uri: str, pending: Mapping[str, str] | None,
                 params: Mapping[str, str]) -> Claims:
    """The person's claims, once everything that came back is checked; else SignInFailed."""
    if not pending or not all(pending.get(k) for k in ("state", "nonce", "verifier")):
        raise SignInFailed("no sign-in was started in this browser")
    if not hmac.compare_digest(params.get("state", ""), pending["state"]):
        raise SignInFailed("state did not match")
    if params.get("error"):
        error = params["error"] if params["error"] in _PROVIDER_ERRORS else "error"
        raise SignInFailed(f"identity provider answered {error}")
    # RFC 9207: where the provider says who sent the answer, it must be the issuer we asked.
    if "iss" in params and params["iss"] != settings.issuer:
        raise SignInFailed("answer from another issuer")
    if not params.get("code"):
        raise SignInFailed("no code in the answer")
    metadata = await _metadata(settings)
    client = _client(settings)
    try:
        token = await client.fetch_access_token(redirect_uri, code=params["code"],
                                                code_verifier=pending["verifier"])
    except Exception as problem:  # noqa: BLE001 - a refused secret or code, or the provider down
        raise SignInFailed(f"code not exchanged ({type(problem).__name__})") from None
    if "id_token" not in token:
        raise SignInFailed("no ID token")
    try:
        found = await client.parse_id_token(
            token, pending["nonce"], claims_cls=CodeIDToken,
            claims_options={"iss": {"essential": True, "value": settings.issuer},
                            "aud": {"essential": True, "value": settings.client_id},
                            "sub": {"essential": True}})
    except Exception as problem:  # noqa: BLE001 - bad signature, audience, nonce, expiry...
        raise SignInFailed(f"ID token refused ({type(problem).__name__})") from None
    if found is None:
        raise SignInFailed("no ID token")
    claims = dict(found)
    if settings.roles_claim not in claims and metadata.get("userinfo_endpoint"):
        claims = {**await _userinfo(client, token, claims["sub"]), **claims}
    return _mapped(settings, claims)


async def _userinfo(client: StarletteOAuth2App, token: dict, sub: str) -> dict:
    """The claims the provider keeps out of the ID token (roles, often), for the same person."""
    try:
        info = dict(await client.userinfo(token=token))
    except Exception as problem:  # noqa: BLE001
        raise SignInFailed(f"userinfo not read ({type(problem).__name__})") from None
    if info.get("sub") != sub:
        raise SignInFailed("userinfo is about someone else")
    return info


def _mapped(settings: OidcSettings, claims: Mapping) -> Claims:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(PREFIX + sub) > 200:
        raise SignInFailed("subject missing or too long")
    said = claims.get(settings.roles_claim) or []
    if isinstance(said, str):
        said = said.replace(",", " ").split()
    roles = frozenset(r for r in said if isinstance(r, str) and r in ROLES)
    if not roles:
        raise NoRole("no role this service knows")
    directory_id = claims.get(settings.directory_claim)
    if directory_id is not None and (not isinstance(directory_id, str) or len(directory_id) > 64):
        raise SignInFailed("directory id not usable")
    email = claims.get("email")
    email = email if isinstance(email, str) and 3 <= len(email) <= 320 and "@" in email else None
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        given = " ".join(c for c in (claims.get("given_name"), claims.get("family_name")) if isinstance(c, str))
        name = given or email or "Council staff member"
    return Claims(sub, name.strip()[:200], email, roles, directory_id or None)


def account_for(engine: Engine, claims: Claims) -> Account:
    """Create or update the person's account from the provider's claims.

    The provider decides the roles at every sign-in; the directory id too when it sends
    one (else what an administrator set stays). An account switched off here stays off."""
    with engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == claims.username)).first()
        values = {"name": claims.name, "email": claims.email, "roles": ",".join(sorted(claims.roles))}
        if claims.directory_id is not None:
            values["directory_id"] = claims.directory_id
        if row is None:
            conn.execute(insert(users).values(
                username=claims.username, password_hash=None, must_change_password=False, active=True,
                created_at=datetime.now(timezone.utc), **{"directory_id": None, **values}))
        elif row.password_hash is not None:
            raise SignInFailed("a local account has this name")
        elif not row.active:
            raise SignInFailed("account switched off")
        else:
            conn.execute(update(users).where(users.c.username == claims.username).values(**values))
    found = account(engine, claims.username)
    assert found is not None
    return found
