"""Rights protection models, one module a story: legal aid, knowledge, hardship aid, benefits, mutual aid."""

from .aid import AidCase, AidDecision, AidDocument, AidPayment, AidVisit, HouseholdMember
from .benefits import BenefitDistribution, BenefitGrant
from .knowledge import Article, SearchKind, SearchTerm
from .legal import Consultation, ConsultationMessage, ConsultationPhoto, DutyDay, Lawyer, RightsCase
from .mutual import ClaimDocument, MutualAidClaim, MutualAidEnrollment, MutualAidPlan

__all__ = [
    "AidCase",
    "AidDecision",
    "AidDocument",
    "AidPayment",
    "AidVisit",
    "Article",
    "BenefitDistribution",
    "BenefitGrant",
    "ClaimDocument",
    "Consultation",
    "ConsultationMessage",
    "ConsultationPhoto",
    "DutyDay",
    "HouseholdMember",
    "Lawyer",
    "MutualAidClaim",
    "MutualAidEnrollment",
    "MutualAidPlan",
    "RightsCase",
    "SearchKind",
    "SearchTerm",
]
