"""The weight of the H5 附近驿站 page with its results, as a phone downloads it: page and every asset.

    python bench/h5_page_weight.py

How it is measured, explicitly:
- a scratch SQLite database is migrated and given 30 stations around 柯桥 (the page shows 10, with
  amenities, a map and navigation links);
- `collectstatic` runs with the production storage (whitenoise CompressedManifestStaticFilesStorage:
  hashed names and a pre-compressed .gz beside each file) and a real gunicorn serves the app with
  DEBUG off, as production does (whitenoise serves the .gz to a client that accepts gzip);
- Chromium (Playwright, phone viewport 375×812, browser cache disabled) opens the form, is given a
  position by its geolocation, presses "用我的位置查找"; the POST that comes back and every request it
  triggers (CSS, JS, Leaflet, images, the favicon) are summed from the browser's own record of
  bytes on the wire (Playwright request.sizes(): encoded body + response headers).

The app does not compress HTML itself (no GZipMiddleware; a reverse proxy may), so the page is
counted as sent, and what gzip would make of it is printed beside. Prints the total against
150 KB (153,600 bytes). It is not a test: it measures, prints and cleans up.
"""

import argparse
import gzip
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from _scratch import clean_up, scratch_database, scratch_environment, start_gunicorn

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
CHROMIUM = "/usr/bin/chromium"
BUDGET = 150 * 1024
HERE = (30.0880, 120.4920)  # 柯桥, WGS-84


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()


def build() -> None:
    """Inside Django: a district union and 30 stations around HERE with hours and amenities."""
    sys.path.insert(0, str(ROOT))
    import math
    import random
    from decimal import Decimal

    import django

    django.setup()
    from orgs.models import Region, Union
    from stations.models import Amenity, Station
    from stations.services.registry import save_station

    rng = random.Random(4)
    region = Region.objects.get_or_create(code="330603", defaults={"name": "柯桥区", "level": "county"})[0]
    union = Union.objects.create(name="柯桥区总工会", kind="federation", region=region)
    amenities = list(Amenity.objects.filter(active=True))
    weeks = [
        [[[0, 1440]]] * 7,
        [[[480, 1200]]] * 7,
        [[[510, 1050]]] * 5 + [[], []],
        [[[1080, 120]]] * 7,
    ]
    kinds = ["worker", "telecom_care", "rider", "other"]
    for i in range(30):
        north, east = rng.gauss(0, 1500), rng.gauss(0, 1500)
        lat = HERE[0] + math.degrees(north / 6371008.8)
        lon = HERE[1] + math.degrees(east / (6371008.8 * math.cos(math.radians(HERE[0]))))
        station = save_station(
            Station(
                union=union,
                name=f"柯桥{['职工驿站', '爱心翼站', '小哥驿站', '户外劳动者服务站'][i % 4]}·{i + 1}号",
                kind=kinds[i % 4],
                address=f"绍兴市柯桥区柯桥街道笛扬路{100 + i}号",
                latitude=Decimal(f"{lat:.6f}"),
                longitude=Decimal(f"{lon:.6f}"),
                hours=rng.choice(weeks),
                phone="0575-84123456",
            )
        )
        station.amenities.set(rng.sample(amenities, min(len(amenities), rng.randint(3, 8))))


def measure(port: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    origin = f"http://127.0.0.1:{port}"
    rows: list[dict] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(
            viewport={"width": 375, "height": 812},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            geolocation={"latitude": HERE[0], "longitude": HERE[1], "accuracy": 20},
            permissions=["geolocation"],
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.goto(f"{origin}/stations/nearby/")
        page.wait_for_load_state("networkidle")
        seen = []
        page.on("requestfinished", lambda request: seen.append(request))
        with page.expect_navigation():
            page.get_by_role("button", name="用我的位置查找").click()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        if page.locator("li.station-item").count() < 10:
            raise RuntimeError("the results page did not show 10 stations")
        for request in seen:
            response = request.response()
            sizes = request.sizes()
            body = response.body() if response else b""
            rows.append(
                {
                    "url": request.url.replace(origin, ""),
                    "type": request.resource_type,
                    "status": response.status if response else 0,
                    "encoding": (response.headers.get("content-encoding") if response else None)
                    or "identity",
                    "body": sizes["responseBodySize"],
                    "headers": sizes["responseHeadersSize"],
                    "decoded": len(body),
                    "gzip": len(gzip.compress(body, 6)),
                }
            )
        browser.close()
    return rows


def report(rows: list[dict]) -> bool:
    print(f"{'request':<58} {'type':<10} {'enc':<8} {'body':>8} {'headers':>8} {'decoded':>8}")
    for row in rows:
        print(
            f"{row['url'][:58]:<58} {row['type']:<10} {row['encoding']:<8} {row['body']:>8} "
            f"{row['headers']:>8} {row['decoded']:>8}"
        )
    body = sum(r["body"] for r in rows)
    headers = sum(r["headers"] for r in rows)
    total = body + headers
    document = next(r for r in rows if r["type"] == "document")
    print(
        f"\n{len(rows)} requests: {body:,} bytes of bodies + {headers:,} of headers = {total:,} bytes "
        f"({total / 1024:.1f} KB) transferred; decoded {sum(r['decoded'] for r in rows):,} bytes"
    )
    print(
        f"the page itself goes out uncompressed ({document['body']:,} bytes); gzipped by a proxy it "
        f"would be {document['gzip']:,}, and the total {total - document['body'] + document['gzip']:,} bytes"
    )
    ok = total <= BUDGET
    print(f"total {total / 1024:.1f} KB vs ≤ 150 KB: {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not _in_venv() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # noqa: S606
    if args.build:
        build()
        return
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} not found")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="nj-bench-weight-"))
    server = None
    try:
        database_url, _none = scratch_database("sqlite", workdir)
        (workdir / "var").mkdir()
        env = scratch_environment(
            database_url,
            workdir,
            NIANGJIA_MANIFEST_STATIC="1",
            NIANGJIA_STATIC_FINDERS="0",
            NIANGJIA_HTTPS="0",
        )
        run = {"env": env, "cwd": ROOT, "check": True}
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0", "--skip-checks"], **run)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", "--skip-checks"], **run
        )
        subprocess.run([sys.executable, __file__, "--build"], **run)
        server, port = start_gunicorn(env, workdir, "--workers", "1")
        ok = report(measure(port))
    finally:
        clean_up([server], workdir=workdir)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
