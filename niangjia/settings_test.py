"""Settings for the test suite: the environment defaults are set before the real settings load."""

import os
import tempfile

os.environ.setdefault("NIANGJIA_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("NIANGJIA_SMS_BACKEND", "core.notify.MemorySmsBackend")
os.environ.setdefault("NIANGJIA_MANIFEST_STATIC", "0")
os.environ.setdefault("NIANGJIA_TESTING", "1")
# Keys of the test run only; never the developer's var/secrets.json.
os.environ.setdefault("NIANGJIA_VAR_DIR", tempfile.mkdtemp(prefix="niangjia-test-"))

from .settings import *  # noqa: F403

# Tests need no slow password hashing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# xdist workers share the run's directory (the environment is inherited) but not its database:
# each keeps its own media, so files named after a row's id never meet another worker's.
MEDIA_ROOT = VAR_DIR / "media" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
