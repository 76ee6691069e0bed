"""The regions every database carries: Zhejiang to county level and the streets and towns of 柯桥区.

`data/regions.csv` (code,name,level,parent) holds Zhejiang province, its 11 cities
and 90 county-level divisions by their GB/T 2260 codes, and the 11 streets and
5 towns of 绍兴市柯桥区 by the statistics bureau's 9-digit codes (统计用区划代码,
2023 edition; streets that were towns until 2021 carry their new 00x codes).
Economic development zones, which have statistical but not GB/T 2260 codes, are
left out.

The functions take the model class, so the data migration can pass its
historical model and tests the real one.
"""

import csv
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "regions.csv"
LEVELS = ("province", "city", "county", "town")


def read_rows(path: Path = DATA_FILE) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Parents first, whatever order the file is in.
    return sorted(rows, key=lambda row: (LEVELS.index(row["level"]), row["code"]))


def load_regions(region_model, path: Path = DATA_FILE) -> int:
    """Insert missing regions and correct changed names, levels or parents; returns rows written."""
    rows = read_rows(path)
    existing = {
        region.code: region for region in region_model.objects.filter(code__in=[r["code"] for r in rows])
    }
    written = 0
    for row in rows:
        parent_id = row["parent"] or None
        region = existing.get(row["code"])
        if region is None:
            region_model.objects.create(
                code=row["code"], name=row["name"], level=row["level"], parent_id=parent_id
            )
            written += 1
        elif (region.name, region.level, region.parent_id) != (row["name"], row["level"], parent_id):
            region.name, region.level, region.parent_id = row["name"], row["level"], parent_id
            region.save(update_fields=["name", "level", "parent"])
            written += 1
    return written


def unload_regions(region_model, path: Path = DATA_FILE) -> int:
    """Delete the file's regions that nothing refers to, towns first; returns rows deleted."""
    rows = read_rows(path)
    deleted = 0
    for level in reversed(LEVELS):
        codes = [row["code"] for row in rows if row["level"] == level]
        unused = region_model.objects.filter(code__in=codes, children__isnull=True, unions__isnull=True)
        deleted += unused.delete()[0]
    return deleted
