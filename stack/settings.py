"""What `make up` runs on: ports, the var/ folder, and the environment the engine reads.

Every setting has the embedded default, so ``make up`` needs none of them:

    COMPLAINTS_VAR_DIR  var          the dev server's database, the records, the mail, the logs
    TEMPORAL_PORT       7233         the dev server's gRPC port (always on 127.0.0.1)
    TEMPORAL_UI_PORT    port + 1000  the Temporal web UI
    SMTP_PORT           8025         the local mail sink
    DATABASE_URL        sqlite:///<var>/complaints.db
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

HOST = "127.0.0.1"
DEFAULT_VAR_DIR = "var"
DEFAULT_TEMPORAL_PORT = 7233
DEFAULT_SMTP_PORT = 8025
UI_PORT_OFFSET = 1000


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        port = int(text)
    except ValueError:
        raise SettingsError(f"{name} must be a port number, not {text!r}") from None
    if not 0 < port < 65536:
        raise SettingsError(f"{name} must be between 1 and 65535, not {port}")
    return port


@dataclass(frozen=True)
class StackSettings:
    var_dir: Path
    temporal_port: int
    ui_port: int
    smtp_port: int
    database_url: str
    host: str = HOST

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StackSettings:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("COMPLAINTS_VAR_DIR") or DEFAULT_VAR_DIR)
        temporal_port = _port(env, "TEMPORAL_PORT", DEFAULT_TEMPORAL_PORT)
        ui_port = _port(env, "TEMPORAL_UI_PORT", temporal_port + UI_PORT_OFFSET)
        smtp_port = _port(env, "SMTP_PORT", DEFAULT_SMTP_PORT)
        if len({temporal_port, ui_port, smtp_port}) < 3:
            raise SettingsError(
                f"TEMPORAL_PORT ({temporal_port}), TEMPORAL_UI_PORT ({ui_port}) and SMTP_PORT "
                f"({smtp_port}) must all differ"
            )
        database_url = env.get("DATABASE_URL") or f"sqlite:///{(var_dir / 'complaints.db').as_posix()}"
        return cls(var_dir, temporal_port, ui_port, smtp_port, database_url)

    # -- where things are -------------------------------------------------------

    @property
    def temporal_address(self) -> str:
        return f"{self.host}:{self.temporal_port}"

    @property
    def ui_url(self) -> str:
        return f"http://{self.host}:{self.ui_port}"

    @property
    def temporal_db(self) -> Path:
        return self.var_dir / "temporal.db"

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    @property
    def temporal_log(self) -> Path:
        return self.log_dir / "temporal.log"

    def records_shown(self) -> str:
        """The record store, as the banner shows it: a SQLite file's path, or the URL without its password."""
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return url.database
        return url.render_as_string(hide_password=True)

    # -- the environment the worker and the `complaints` commands read -----------

    def engine_environment(self) -> dict[str, str]:
        """The variables that point the worker, and any `complaints` command, at this stack."""
        return {
            "TEMPORAL_ADDRESS": self.temporal_address,
            "DATABASE_URL": self.database_url,
            "SMTP_HOST": self.host,
            "SMTP_PORT": str(self.smtp_port),
            "COMPLAINTS_PAYLOAD_KEY_FILE": self.payload_key_file.as_posix(),
        }

    @property
    def payload_key_file(self) -> Path:
        """The key that encrypts complaints' payloads in Temporal (created on the first run)."""
        return self.var_dir / "payload.key"

    def exports_needed(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """The variables another terminal must set, because they differ from the defaults."""
        env = os.environ if environ is None else environ
        defaults = {
            "TEMPORAL_ADDRESS": f"{HOST}:{DEFAULT_TEMPORAL_PORT}",
            "DATABASE_URL": f"sqlite:///{DEFAULT_VAR_DIR}/complaints.db",
            "SMTP_HOST": HOST,
            "SMTP_PORT": str(DEFAULT_SMTP_PORT),
            "COMPLAINTS_PAYLOAD_KEY_FILE": f"{DEFAULT_VAR_DIR}/payload.key",
        }
        mine = self.engine_environment()
        if make_url(self.database_url).password is not None:
            # Never printed: a URL with a password came from the user's own environment.
            mine.pop("DATABASE_URL")
        # Anything the user exported themselves is in their shell already.
        return {k: v for k, v in mine.items() if v != defaults[k] and env.get(k) != v}

    def apply(self, environ: MutableMapping[str, str] | None = None) -> None:
        """Point this process (the worker, and any child) at the stack it is starting.

        The stack owns the dev server and the mail sink, so their addresses win over
        anything exported for another engine; a mail server's login does not apply
        to the sink.
        """
        env = os.environ if environ is None else environ
        env.update(self.engine_environment())
        for name in ("SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS"):
            env.pop(name, None)
