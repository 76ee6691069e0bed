"""People and memberships; joining and transfers; bulk enrolment."""

from .imports import ImportBatch
from .joining import JoinRequest, Transfer
from .people import PII_FIELDS, Consent, Membership, Person

__all__ = ["PII_FIELDS", "Consent", "ImportBatch", "JoinRequest", "Membership", "Person", "Transfer"]
