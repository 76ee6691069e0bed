"""The organisation's models, one module a story: tree, employers and census, plans, cadres, establishing."""

from .cadres import CadreAssignment, CadreVisit
from .census import CensusEntry, CensusRound
from .employers import Brand, Employer
from .establishment import Establishment, EstablishmentDocument
from .partners import Partner
from .plans import CoveragePlan, PlanTarget
from .tree import Region, Union

__all__ = [
    "Brand",
    "CadreAssignment",
    "CadreVisit",
    "CensusEntry",
    "CensusRound",
    "CoveragePlan",
    "Employer",
    "Establishment",
    "EstablishmentDocument",
    "Partner",
    "PlanTarget",
    "Region",
    "Union",
]
