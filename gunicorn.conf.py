"""gunicorn settings for production: `gunicorn niangjia.wsgi -c gunicorn.conf.py`.

Values come from the environment (see .env.example); anything else gunicorn
knows can be passed in GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os


def env(name: str, default) -> str:
    # An empty value (a copied .env.example line) means the default, as in niangjia/settings.py.
    return os.environ.get(f"NIANGJIA_{name}") or str(default)


bind = env("BIND", "127.0.0.1:8000")
workers = int(env("WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(env("THREADS", 1))
timeout = int(env("TIMEOUT", 30))
# Recycle workers now and then so a slow leak never grows into an outage; jitter avoids all at once.
max_requests = 2000
max_requests_jitter = 200

# The access log carries the path only: query strings hold search terms (names,
# phone numbers) and referrers carry other pages' query strings, so neither is
# logged. Every line also passes the same masking filter as the app's own logs.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

_handler = {"class": "logging.StreamHandler", "formatter": "generic", "filters": ["redact"]}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.logging.PiiRedactingFilter"}},
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
    "handlers": {
        "console": {**_handler, "stream": "ext://sys.stdout"},
        "error_console": {**_handler, "stream": "ext://sys.stderr"},
    },
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        }
    },
}
