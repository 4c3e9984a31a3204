"""The web app's settings, from the environment, with the embedded defaults of ``make up``.

- ``WEB_PORT`` (8000) and ``WEB_HOST`` (127.0.0.1): where it listens.
- ``WEB_BASE_URL``: the address people use (default http://WEB_HOST:WEB_PORT); links in
  emails point there, and session cookies are marked Secure when it is https.
- ``WEB_SESSION_MINUTES`` (30): a session ends after this long without a page.
- ``OIDC_ISSUER``, ``OIDC_CLIENT_ID``, ``OIDC_CLIENT_SECRET``: the council's own identity
  provider (OpenID Connect); without them, local accounts only.
- ``OIDC_ROLES_CLAIM`` (roles) and ``OIDC_DIRECTORY_CLAIM`` (directory_id): which claims
  carry a person's roles and their id in the directory.
- ``COMPLAINTS_COMMENTARY_DIR`` (``commentary`` in ``COMPLAINTS_VAR_DIR``, var): where the
  council's commentary for each year's annual report is kept, one ``<year>.md`` a year
  (the command line's ``complaints report`` reads the same file).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reports.commentary import commentary_dir


class WebSettingsError(ValueError):
    pass


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    roles_claim: str = "roles"
    directory_claim: str = "directory_id"


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = "http://127.0.0.1:8000"
    session_minutes: int = 30
    oidc: OidcSettings | None = None
    # The public form: at most this many complaints from one address in an hour.
    public_per_hour: int = 10
    commentary_dir: Path = Path("var") / "commentary"
    # The annual report as the web app gives it: counts below this hidden (0: none hidden).
    report_suppress_below: int = 0

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if environ is None else environ
        host = env.get("WEB_HOST") or cls.host
        try:
            port = int(env.get("WEB_PORT") or cls.port)
            minutes = int(env.get("WEB_SESSION_MINUTES") or cls.session_minutes)
            hide = int(env.get("COMPLAINTS_REPORT_SUPPRESS_BELOW") or cls.report_suppress_below)
        except ValueError as problem:
            raise WebSettingsError(f"WEB_PORT, WEB_SESSION_MINUTES and COMPLAINTS_REPORT_SUPPRESS_BELOW are whole "
                                   f"numbers ({problem})") from None
        if hide < 0:
            raise WebSettingsError(f"COMPLAINTS_REPORT_SUPPRESS_BELOW is 0 or more, not {hide}")
        if not 0 <= port <= 65535:
            raise WebSettingsError(f"WEB_PORT {port} is not a port (0 to 65535)")
        oidc = None
        if env.get("OIDC_ISSUER"):
            missing = [k for k in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not env.get(k)]
            if missing:
                raise WebSettingsError(f"OIDC_ISSUER is set but {' and '.join(missing)} is not")
            oidc = OidcSettings(env["OIDC_ISSUER"], env["OIDC_CLIENT_ID"], env["OIDC_CLIENT_SECRET"],
                                env.get("OIDC_ROLES_CLAIM") or "roles",
                                env.get("OIDC_DIRECTORY_CLAIM") or "directory_id")
        base = (env.get("WEB_BASE_URL") or f"http://{host}:{port}").rstrip("/")
        return cls(host=host, port=port, base_url=base, session_minutes=minutes, oidc=oidc,
                   commentary_dir=commentary_dir(env), report_suppress_below=hide)
