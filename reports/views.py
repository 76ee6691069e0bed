from django.shortcuts import render

from accounts.choices import TREE_ROLES
from accounts.models import Role
from core import access
from members.choices import MembershipStatus
from members.models import Membership
from orgs.models import Union


@access.requires(access.OFFICIAL)
def home(request):
    """The console's front page: the official's scope in a few figures."""
    user = request.user
    figures = {
        "unions": Union.objects.restrict(user).count(),
        "members": Membership.objects.restrict(user).filter(status=MembershipStatus.ACTIVE).count(),
        "roles": Role.objects.restrict(user).filter(active=True).count(),
    }
    roles = user.roles.filter(active=True).select_related("union")
    # An assigned role (lawyer, judge…) is held on a union whose page it does not open: named, not linked.
    context = {"figures": figures, "my_roles": roles, "tree_kinds": TREE_ROLES}
    return render(request, "reports/home.html", context)
