"""Moving stored personal data to new keys: re-encryption under the first key, and lookup-hash renewal.

It walks the registry in core.pii (models declare their cipher/hash pairs and hash-only
columns), never a hard-coded list, in primary-key batches, each in its own transaction with
the rows locked, so it can be stopped and run again: rows already under the first key and
hashes already current are left alone.
"""

from collections import defaultdict
from collections.abc import Callable

from cryptography.fernet import InvalidToken
from django.db import transaction

from . import pii


class UnreadableCiphertext(Exception):
    """A stored ciphertext that none of the configured keys opens."""


def _label(model, column: str) -> str:
    return f"{model._meta.label}.{column}"


def registered_models() -> dict[type, list[pii.EncryptedField]]:
    grouped: dict[type, list[pii.EncryptedField]] = defaultdict(list)
    for entry in pii.ENCRYPTED_FIELDS:
        grouped[entry.model].append(entry)
    return dict(grouped)


def rows_to_visit() -> int:
    return sum(model._base_manager.count() for model in registered_models())


def rotate_keys(
    *,
    rehash: bool = False,
    old_hmac_key: str = "",
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, dict[str, int]]:
    """Re-encrypt every registered ciphertext under the first PII key; with `rehash`, renew the lookup hashes.

    Hashes beside a ciphertext are recomputed from the plaintext with the current PII_HMAC_KEY.
    Hash-only columns (no plaintext to recompute from) are remapped old hash → new hash for every
    value the ciphertexts know, which needs the previous key (`old_hmac_key`).
    Returns counts per column; contains no personal data.
    """
    stats: dict[str, dict[str, int]] = {}
    done = 0
    for model, fields in registered_models().items():
        for entry in fields:
            stats[_label(model, entry.name)] = {"rows": 0, "rotated": 0, "rehashed": 0}
        if rehash and old_hmac_key:
            for column in pii.HASH_COLUMNS:
                if any(column.kind == entry.kind for entry in fields):
                    stats.setdefault(_label(column.model, column.column), {"remapped": 0})
        last_pk = None
        while True:
            with transaction.atomic():
                batch = _rotate_batch(model, fields, last_pk, batch_size, rehash, old_hmac_key, stats)
            if not batch:
                break
            last_pk = batch[-1]
            done += len(batch)
            if progress:
                progress(done)
    return stats


def _rotate_batch(model, fields, last_pk, batch_size, rehash, old_hmac_key, stats) -> list:
    queryset = model._base_manager.order_by("pk")
    if last_pk is not None:
        queryset = queryset.filter(pk__gt=last_pk)
    columns = [name for entry in fields for name in (entry.cipher, entry.hash)]
    rows = list(queryset.select_for_update().only("pk", *columns)[:batch_size])
    changed_rows, changed_columns = [], set()
    remap: dict[str, dict[str, str]] = defaultdict(dict)  # kind -> old hash -> new hash
    for row in rows:
        changed = False
        for entry in fields:
            token = getattr(row, entry.cipher)
            if not token:
                continue
            stat = stats[_label(model, entry.name)]
            stat["rows"] += 1
            try:
                value, current = pii.decrypt_current(token)
            except InvalidToken:
                raise UnreadableCiphertext(f"{model._meta.label} #{row.pk} {entry.name}") from None
            if not current:
                setattr(row, entry.cipher, pii.encrypt(value))
                changed_columns.add(entry.cipher)
                stat["rotated"] += 1
                changed = True
            if rehash:
                new_hash = pii.lookup_hash(entry.kind, value)
                if getattr(row, entry.hash) != new_hash:
                    setattr(row, entry.hash, new_hash)
                    changed_columns.add(entry.hash)
                    stat["rehashed"] += 1
                    changed = True
                if old_hmac_key:
                    remap[entry.kind][pii.lookup_hash(entry.kind, value, old_hmac_key)] = new_hash
        if changed:
            changed_rows.append(row)
    if changed_rows:
        # bulk_update writes no history row per person: the run is recorded once, as an action.
        model._base_manager.bulk_update(changed_rows, sorted(changed_columns), batch_size=500)
    for column in pii.HASH_COLUMNS:
        mapping = remap.get(column.kind)
        if mapping:
            stats[_label(column.model, column.column)]["remapped"] += _remap(column, mapping)
    return [row.pk for row in rows]


def _remap(column: pii.HashColumn, mapping: dict[str, str]) -> int:
    rows = list(
        column.model._base_manager.select_for_update()
        .filter(**{f"{column.column}__in": list(mapping)})
        .only("pk", column.column)
    )
    for row in rows:
        setattr(row, column.column, mapping[getattr(row, column.column)])
    column.model._base_manager.bulk_update(rows, [column.column], batch_size=500)
    return len(rows)
