"""Scoped viewsets: reads through restrict(user, action), writes re-checked in the transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework import generics, permissions, viewsets
from rest_framework.exceptions import NotFound

from .. import access
from ..history import Actor, _actor
from ..scoping import ADD, CHANGE, DELETE, VIEW, check_write
from .errors import refused


class IsOfficial(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_official)


class IsWorker(permissions.BasePermission):
    """A signed-in worker with a person record: the "me" endpoints read and write only their own."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_worker and hasattr(user, "person"))


class ActorMixin:
    """Attribute changes to the caller: token-authenticated users appear only after DRF authentication."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user.is_authenticated:
            _actor.set(Actor(request.user.pk, "api"))


class BodyMixin:
    """`body(request)`: the request's body checked by the view's serializer (400 with the field errors)."""

    def body(self, request) -> dict:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data


class ScopedViewSet(ActorMixin, viewsets.ModelViewSet):
    """CRUD over a scoped model: reads through restrict(user, action), writes re-checked in the transaction.

    Subclasses set `queryset`, `serializer_class`, `filterset_class` (the console's
    FilterSet), `ordering_fields` and `ordering`. Another union's object is 404.
    """

    access = access.SCOPED
    permission_classes = [IsOfficial]
    # Not `action_map`: DRF sets that on each instance (HTTP method -> action), which hid this
    # mapping and scoped every write as a view.
    scope_actions = {"list": VIEW, "retrieve": VIEW, "create": ADD, "update": CHANGE}
    scope_actions |= {"partial_update": CHANGE, "destroy": DELETE}

    def scope_action(self) -> str:
        return self.scope_actions.get(self.action, VIEW)

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, self.scope_action())

    def perform_create(self, serializer):
        with transaction.atomic():
            instance = self.create_instance(serializer)
            check_write(self.request.user, ADD, instance)

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = self.update_instance(serializer)
            check_write(self.request.user, CHANGE, instance)

    def create_instance(self, serializer):
        """Override to call the app's service."""
        return serializer.save()

    def update_instance(self, serializer):
        return serializer.save()


class StepView(ActorMixin, BodyMixin, generics.GenericAPIView):
    """A POST step on one object found in the caller's CHANGE scope (another union's is 404)."""

    # The one home of an official's step through a service (its docstring is the API's description of
    # steps that have none of their own): the object is found in the caller's `scope` of `model`
    # (`target`), the body checked by the view's serializer (`body`), and what the service refuses
    # (`refusals`) is 400 with its message (`run`).

    access = access.SCOPED
    permission_classes = [IsOfficial]
    serializer_class = None
    model = None
    scope = CHANGE
    refusals: tuple = (ValidationError,)

    def target(self, pk, queryset=None):
        """The object with this id among `queryset` (default: the caller's `scope` of `model`)."""
        if queryset is None:
            queryset = self.model.objects.restrict(self.request.user, self.scope)
        found = queryset.filter(pk=pk).first()
        if found is None:
            raise NotFound
        return found

    def run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except self.refusals as error:
            raise refused(error) from None
