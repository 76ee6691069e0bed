"""The stations' models, one module a story: registry, the unified standard, visits and services, coverage."""

from .coverage import HotSpot
from .registry import (
    Amenity,
    Station,
    StationClosure,
    StationKeeper,
    StationPhoto,
    closed_week,
    validate_service_phone,
)
from .standard import Checklist, ChecklistItem, Inspection, InspectionPhoto, InspectionScore
from .visits import ServiceKind, ServiceRecord, Visit

__all__ = [
    "Amenity",
    "Checklist",
    "ChecklistItem",
    "HotSpot",
    "Inspection",
    "InspectionPhoto",
    "InspectionScore",
    "ServiceKind",
    "ServiceRecord",
    "Station",
    "StationClosure",
    "StationKeeper",
    "StationPhoto",
    "Visit",
    "closed_week",
    "validate_service_phone",
]
