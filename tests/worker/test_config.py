"""Settings: every variable read once, with its default, and unusable values named."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from worker.config import (
    DEFAULT_ACTIVITY_LOCK_S,
    DEFAULT_LEASE_S,
    DEFAULT_MAX_RETRIES,
    DEFAULT_NOT_FOUND_DELAY_S,
    DEFAULT_READ_TIMEOUT_S,
    DEFAULT_REREAD_AFTER_S,
    ConfigError,
    Settings,
)

#: A secret as `secrets.token_urlsafe(24)` makes one.
WEBHOOK_SECRET = "q7Xk2LpW9vRtY4mZs8NbHc3J"


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"STRIDEWISE_VAR": str(tmp_path / "var"), **env})


def test_defaults_without_any_configuration_are_the_sandbox_and_the_embedded_services(
    tmp_path: Path,
) -> None:
    s = settings(tmp_path)
    assert s.sandbox and s.redis_url is None and s.database_url.startswith("sqlite:///")
    assert (s.max_retries, s.lease_s, s.log_level) == (DEFAULT_MAX_RETRIES, DEFAULT_LEASE_S,
                                                       "INFO")
    assert s.activity_lock_s == DEFAULT_ACTIVITY_LOCK_S
    assert (s.read_timeout_s, s.not_found_delay_s) == (DEFAULT_READ_TIMEOUT_S,
                                                       DEFAULT_NOT_FOUND_DELAY_S)
    assert s.reread_after_s == DEFAULT_REREAD_AFTER_S == 5.0


def test_operational_variables_are_read_into_the_settings(tmp_path: Path) -> None:
    s = settings(tmp_path, STRIDEWISE_MAX_RETRIES="2", STRIDEWISE_MIN_BACKOFF_MS="200",
                 STRIDEWISE_MAX_BACKOFF_MS="1000", STRIDEWISE_SWEEP_INTERVAL="0.5",
                 STRIDEWISE_STALE_AFTER="45", STRIDEWISE_ACTIVITY_LOCK="10", LOG_LEVEL="debug",
                 SANDBOX_DEMO_ATHLETE="7", STRAVA_WEBHOOK_SECRET=WEBHOOK_SECRET,
                 STRAVA_READ_TIMEOUT="2.5", STRIDEWISE_NOT_FOUND_DELAY="3",
                 STRIDEWISE_REREAD_AFTER="1.5")
    assert (s.max_retries, s.min_backoff_ms, s.max_backoff_ms) == (2, 200, 1000)
    assert (s.sweep_interval_s, s.lease_s, s.log_level, s.demo_athlete) == (0.5, 45.0, "DEBUG", 7)
    assert s.activity_lock_s == 10.0
    assert (s.read_timeout_s, s.not_found_delay_s) == (2.5, 3.0)
    assert s.reread_after_s == 1.5
    assert s.webhook_url == f"http://127.0.0.1:8000/webhook/{WEBHOOK_SECRET}"


@pytest.mark.parametrize("name", ["STRAVA_WEBHOOK_SECRET", "STRAVA_VERIFY_TOKEN"])
@pytest.mark.parametrize("value", ["REPLACE_ME", "x", "s3cret", "a" * 40,
                                   "changeme-changeme-changeme", "your-webhook-secret-here-1234"])
def test_a_placeholder_or_short_secret_is_refused_at_start_up(
    tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=name):
        settings(tmp_path, **{name: value})


def test_a_webhook_secret_that_is_not_url_safe_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="URL path"):
        settings(tmp_path, STRAVA_WEBHOOK_SECRET=WEBHOOK_SECRET + "/?#")


@pytest.mark.parametrize(("name", "value"), [("STRIDEWISE_MAX_RETRIES", "many"),
                                             ("STRIDEWISE_STALE_AFTER", "soon"),
                                             ("STRIDEWISE_ACTIVITY_LOCK", "a minute"),
                                             ("STRAVA_READ_TIMEOUT", "15s"),
                                             ("STRIDEWISE_NOT_FOUND_DELAY", "soon"),
                                             ("STRIDEWISE_REREAD_AFTER", "5s")])
def test_an_unusable_number_is_a_config_error_naming_the_variable(
    tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=name):
        settings(tmp_path, **{name: value})


def test_the_strava_cache_lasts_seven_days_unless_configured_in_decimal_days(
    tmp_path: Path,
) -> None:
    assert settings(tmp_path).cache_horizon == timedelta(days=7)
    assert settings(tmp_path, STRAVA_CACHE_DAYS="0.5").cache_horizon == timedelta(hours=12)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "a week"])
def test_a_cache_length_that_is_not_a_positive_number_is_a_config_error(
    tmp_path: Path, value: str,
) -> None:
    with pytest.raises(ConfigError, match="STRAVA_CACHE_DAYS"):
        settings(tmp_path, STRAVA_CACHE_DAYS=value)


@pytest.mark.parametrize(("text", "name", "href"), [
    ("Jane Runner <jane@example.com>", "Jane Runner", "mailto:jane@example.com"),
    ("Track Club Nord, https://club.example/contact", "Track Club Nord",
     "https://club.example/contact"),
    ("  Ana   Ruiz   ana.ruiz@example.org  ", "Ana Ruiz", "mailto:ana.ruiz@example.org"),
])
def test_the_operator_is_a_name_and_a_way_to_reach_them(
    tmp_path: Path, text: str, name: str, href: str,
) -> None:
    operator = settings(tmp_path, STRIDEWISE_OPERATOR=text).operator
    assert operator is not None and (operator.name, operator.href) == (name, href)


def test_an_unnamed_operator_is_none_and_the_forwarding_proxy_is_loopback(
    tmp_path: Path,
) -> None:
    s = settings(tmp_path, STRIDEWISE_OPERATOR="  ")
    assert (s.operator, s.forwarded_allow_ips, s.metrics_token) == (None, "127.0.0.1", None)
    proxied = settings(tmp_path, FORWARDED_ALLOW_IPS="10.0.0.0/8",
                       STRIDEWISE_METRICS_TOKEN="k" * 32)
    assert (proxied.forwarded_allow_ips, proxied.metrics_token) == ("10.0.0.0/8", "k" * 32)


@pytest.mark.parametrize(("name", "value"), [
    ("STRIDEWISE_OPERATOR", "Jane Runner"), ("STRIDEWISE_OPERATOR", "jane@example.com"),
    ("STRIDEWISE_OPERATOR", "Jane at example dot com"), ("STRIDEWISE_METRICS_TOKEN", "secret"),
])
def test_an_operator_without_contact_or_a_short_metrics_token_is_a_config_error(
    tmp_path: Path, name: str, value: str,
) -> None:
    with pytest.raises(ConfigError, match=name):
        settings(tmp_path, **{name: value})
