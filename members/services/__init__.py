"""Rules about people and membership, one module a story (people, joining, transfers, cards, imports)."""

from .people import (
    CONSENT_TEXT_VERSION,
    find_by_id_number,
    find_by_phone,
    find_in_scope,
    give_consent,
    has_consent,
    lookup_key,
    reveal,
    withdraw_consent,
    worker_for_phone,
)

__all__ = [
    "CONSENT_TEXT_VERSION",
    "find_by_id_number",
    "find_by_phone",
    "find_in_scope",
    "give_consent",
    "has_consent",
    "lookup_key",
    "reveal",
    "withdraw_consent",
    "worker_for_phone",
]
