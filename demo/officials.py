"""Officials for every role, the assigned-only users (lawyer, auditor, judge, station keeper) and a
superuser, all with the one documented demo password."""

from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from accounts.services import grant_role

from .district import District
from .logins import DEMO_PASSWORD, OFFICIALS, SUPERUSER


def build(district: District) -> int:
    """Create what is missing; returns how many users and roles were created."""
    unions = {union.name: union for union in district.unions()}
    existing = set(
        User.objects.filter(username__in=[SUPERUSER, *(o.username for o in OFFICIALS)]).values_list(
            "username", flat=True
        )
    )
    # One hash for everyone: a strong hash is slow on purpose, and these share the password anyway.
    hashed = make_password(DEMO_PASSWORD) if len(existing) < len(OFFICIALS) + 1 else ""
    created = 0
    if SUPERUSER not in existing:
        User.objects.create(
            username=SUPERUSER, password=hashed, display_name="系统管理员", is_staff=True, is_superuser=True
        )
        created += 1
    for official in OFFICIALS:
        user, made = User.objects.get_or_create(
            username=official.username, defaults={"display_name": official.display_name, "password": hashed}
        )
        created += made
        union = unions[official.union]
        if not Role.objects.filter(user=user, union=union, kind=official.role).exists():
            grant_role(user, union, official.role)
            created += 1
    return created
