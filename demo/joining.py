"""The review queue of the demo district: workers who scanned site posters and wait for a decision,
some asked for more information, one turned down, and two members moving between sites (接转).

Everything goes through members.services.joining, as a real scan would; the decisions are taken by
the district's organisation official (kq_org). The joiners are demo workers who are not members yet,
so no person is added; `done()` finds the first one's request, so a second run adds nothing.
"""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from members.choices import JoinChannel, MembershipStatus
from members.models import JoinRequest, Membership, Person
from members.services import joining, transfers
from orgs.models import Employer

from .district import District

PENDING = 12
ASKED = ("请补充与站点的合作协议或派单记录截图", "请补充站点负责人的联系方式，以便核实劳动关系")
REJECTED_REASON = "经核实，申请人目前不在本辖区站点工作，请向实际工作地工会申请"
TRANSFERS = 2
MOVE_REASON = "更换站点，会籍随劳动关系转移"
ORGANISER = "kq_org"


@dataclass(frozen=True)
class Outcome:
    requests: int = 0
    transfers: int = 0


def _joiners() -> list[Person]:
    """Demo workers not yet in the union (the people step leaves a third out), the same on every run."""
    return list(
        Person.objects.filter(memberships=None)
        .exclude(id_number_hash=None)
        .order_by("name", "id_number_mask", "phone_mask")[:PENDING]
    )


def done() -> bool:
    joiners = _joiners()
    return not joiners or JoinRequest.objects.filter(person=joiners[0]).exists()


@transaction.atomic
def build(district: District) -> Outcome:
    official = User.objects.filter(username=ORGANISER).first()
    sites = list(
        Employer.objects.filter(area_union__path__subtree=district.district.path, union=None).order_by("name")
    )
    if not sites:
        return Outcome()
    made = []
    for index, person in enumerate(_joiners()):
        site = sites[index % len(sites)]
        made.append(
            joining.submit(
                name=person.name,
                id_number=person.decrypted("id_number"),
                phone=person.decrypted("phone"),
                employment_form=person.employment_form,
                channel=JoinChannel.QR,
                employer=site,
                brand=site.brand,
                source=site.name,
                phone_verified=True,
            )
        )
    for request, question in zip(made[:2], ASKED, strict=True):
        joining.ask_info(request, official, question)
    joining.reply(made[1], made[1].person, "站长周师傅，电话请联系站点座机")
    joining.reject(made[2], official, REJECTED_REASON)
    moved = 0
    members = Membership.objects.filter(
        union__path__subtree=district.district.path, status=MembershipStatus.ACTIVE
    ).order_by("card_number")
    for membership in members[:TRANSFERS]:
        target = district.express if membership.union_id != district.express.pk else district.new_economy
        transfer = transfers.request_transfer(membership, target, reason=MOVE_REASON, by=official)
        if moved == 0:
            transfers.release(transfer, official, "同意转出")
        moved += 1
    return Outcome(requests=len(made), transfers=moved)
