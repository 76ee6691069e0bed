"""Production settings: `check --deploy` is clean with the documented environment; unset means no debug.

Each case runs Django in a subprocess with an environment built from scratch, so
neither the test settings nor the developer's shell leak into what is checked.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
# Variables that select or configure the settings; none may leak in from the test run.
OWN = ("NIANGJIA_", "DJANGO_", "DATABASE_URL", "REDIS_URL")

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], "
    "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, sep='|')"
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(OWN)}
    env["DJANGO_SETTINGS_MODULE"] = "niangjia.settings"
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def production_env(tmp_path):
    """The environment README "Production" documents, with real-looking secrets."""
    return clean_env(
        NIANGJIA_VAR_DIR=str(tmp_path),
        NIANGJIA_SECRET_KEY="k7Qz0v" * 10,
        NIANGJIA_PII_KEYS=f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
        NIANGJIA_PII_HMAC_KEY="h" * 16 + "R2d9xW4pLm8sT1vB",
        NIANGJIA_SIGNING_KEY="s" * 16 + "Yq3nC7fJ0kZe5uHa",
        NIANGJIA_ALLOWED_HOSTS="niangjia.example.org",
        NIANGJIA_CSRF_TRUSTED_ORIGINS="https://niangjia.example.org",
        NIANGJIA_HTTPS="1",
        NIANGJIA_BEHIND_PROXY="1",
        DATABASE_URL="postgres://niangjia:db-password@db.internal:5432/niangjia",
        REDIS_URL="redis://cache.internal:6379/0",
    )


def test_deploy_check_reports_nothing_with_production_settings(production_env, tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (1 silenced)."
    # Every secret came from the environment: none was generated into the var directory.
    assert not (tmp_path / "secrets.json").exists()


def test_production_settings_use_postgresql_redis_and_https(production_env):
    result = run(["-c", PRINT_SETTINGS], production_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        "False",
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
        "True",
        "True",
        "31536000",
    ]


def test_debug_is_off_when_no_niangjia_variable_is_set():
    # Look-alike variables from other tools must not switch it on either.
    result = run(["-c", PRINT_SETTINGS], clean_env(DEBUG="1", DJANGO_DEBUG="1"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|")[0] == "False"


@pytest.mark.parametrize(
    ("value", "expected"), [("", "False"), ("0", "False"), ("no", "False"), ("1", "True")]
)
def test_debug_is_on_only_when_asked_for(value, expected, tmp_path):
    result = run(["-c", PRINT_SETTINGS], clean_env(NIANGJIA_DEBUG=value, NIANGJIA_VAR_DIR=str(tmp_path)))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|")[0] == expected


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = (ROOT / "niangjia" / "settings.py").read_text()
    read = {
        f"NIANGJIA_{name}"
        for name in re.findall(r'\b(?:env|env_bool|env_list|secret)\("([A-Z_]+)"', settings_source)
    }
    read |= set(re.findall(r'environ\.get\("([A-Z_]+)"', settings_source))
    listed = set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))

    assert read - listed == set()
    assert {"NIANGJIA_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "NIANGJIA_TASK_BACKEND"} <= read
