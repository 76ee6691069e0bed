"""API for join requests (the review queue), transfers (release / accept / refuse) and card checks.

The decisions are POSTs on their own paths (see `decision_urls`), each scoped as a change: the
read-only viewsets keep GET only, so a POST to the list is 405, never a create.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core import access, limits
from core.api.viewsets import BodyMixin, IsOfficial, ScopedViewSet
from core.scoping import CHANGE

from ..filtersets.joining import JoinRequestFilterSet, TransferFilterSet
from ..models import JoinRequest, Transfer
from ..services import cards, joining, transfers


class JoinRequestSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    id_number_mask = serializers.CharField(source="person.id_number_mask", read_only=True)
    card_number = serializers.CharField(source="membership.card_number", read_only=True, default=None)

    class Meta:
        model = JoinRequest
        fields = [
            "id",
            "person",
            "person_name",
            "id_number_mask",
            "union",
            "channel",
            "employer",
            "brand",
            "employment_form",
            "source",
            "routing",
            "status",
            "auto_approved",
            "info_request",
            "worker_reply",
            "decision_reason",
            "decided_by",
            "decided_at",
            "membership",
            "card_number",
            "created_at",
        ]
        read_only_fields = fields


class TransferSerializer(serializers.ModelSerializer):
    card_number = serializers.CharField(source="membership.card_number", read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "membership",
            "card_number",
            "from_union",
            "to_union",
            "status",
            "reason",
            "join_request",
            "requested_at",
            "released_at",
            "accepted_at",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=limits.REASON,
        required=False,
        allow_blank=True,
        help_text=_("意见：不予通过/不予办理须填写原因，要求补充须写明所需材料"),
    )


class _Decisions:
    """POST actions on a scoped viewset: the object is found with the CHANGE scope; 404 outside it."""

    decisions: dict = {}

    def scope_action(self) -> str:
        return CHANGE if self.action in self.decisions else super().scope_action()

    def _decide(self, request, *args, **kwargs):
        obj = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = self.decisions[self.action](obj, request.user, body.validated_data.get("text", ""))
        except PermissionDenied:
            raise NotFound from None
        except ValidationError as error:
            raise ApiValidationError({"detail": error.messages[0]}) from None
        return Response(self.get_serializer(result).data)


class JoinRequestViewSet(_Decisions, ScopedViewSet):
    """Join requests in the caller's scope; approve / reject (with a reason) / ask for information."""

    http_method_names = ["get", "head", "options"]
    queryset = JoinRequest.objects.select_related("person", "membership")
    serializer_class = JoinRequestSerializer
    filterset_class = JoinRequestFilterSet
    ordering_fields = ["id", "created_at", "status"]
    ordering = ["-created_at", "-id"]
    decisions = {"approve": joining.approve, "reject": joining.reject, "ask_info": joining.ask_info}

    @extend_schema(request=DecisionSerializer, responses={200: JoinRequestSerializer, 400: OpenApiResponse()})
    def approve(self, request, *args, **kwargs):
        return self._decide(request, *args, **kwargs)

    @extend_schema(request=DecisionSerializer, responses={200: JoinRequestSerializer, 400: OpenApiResponse()})
    def reject(self, request, *args, **kwargs):
        return self._decide(request, *args, **kwargs)

    @extend_schema(request=DecisionSerializer, responses={200: JoinRequestSerializer, 400: OpenApiResponse()})
    def ask_info(self, request, *args, **kwargs):
        return self._decide(request, *args, **kwargs)


class TransferViewSet(_Decisions, ScopedViewSet):
    """Transfers into or out of the caller's unions; the old union releases, the new one accepts."""

    http_method_names = ["get", "head", "options"]
    queryset = Transfer.objects.select_related("membership")
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    ordering_fields = ["id", "requested_at", "status"]
    ordering = ["-requested_at", "-id"]
    decisions = {"release": transfers.release, "accept": transfers.accept, "refuse": transfers.refuse}

    @extend_schema(request=DecisionSerializer, responses={200: TransferSerializer, 400: OpenApiResponse()})
    def release(self, request, *args, **kwargs):
        return self._decide(request, *args, **kwargs)

    @extend_schema(request=DecisionSerializer, responses={200: TransferSerializer, 400: OpenApiResponse()})
    def accept(self, request, *args, **kwargs):
        return self._decide(request, *args, **kwargs)

    @extend_schema(request=DecisionSerializer, responses={200: TransferSerializer, 400: OpenApiResponse()})
    def refuse(self, request, *args, **kwargs):
        return self._decide(request, *args, **kwargs)


def decision_urls():
    """The decision paths, to be placed before the router's."""
    from django.urls import path

    post = {"http_method_names": ["post", "options"]}
    routes = []
    for prefix, viewset in (("join-requests", JoinRequestViewSet), ("transfers", TransferViewSet)):
        basename = "join-request" if viewset is JoinRequestViewSet else "transfer"
        for action in viewset.decisions:
            routes.append(
                path(
                    f"{prefix}/<id:pk>/{action.replace('_', '-')}/",
                    viewset.as_view({"post": action}, **post),
                    name=f"{basename}-{action.replace('_', '-')}",
                )
            )
    return routes


class CardCheckSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=1000, write_only=True, help_text=_("会员卡二维码的内容"))


class CardCheckResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    reason = serializers.CharField()
    card_number = serializers.CharField()
    masked_name = serializers.CharField()
    union_id = serializers.IntegerField(allow_null=True)
    union_name = serializers.CharField()
    issued_on = serializers.CharField()
    expires_on = serializers.CharField()
    status = serializers.CharField(allow_null=True, help_text=_("会籍当前状态（在线核验时）"))


class CardCheckView(BodyMixin, generics.GenericAPIView):
    """Check a member card's code: the signature and expiry need no database; the status is one query."""

    access = access.OFFICIAL
    permission_classes = [IsOfficial]
    serializer_class = CardCheckSerializer

    @extend_schema(request=CardCheckSerializer, responses={200: CardCheckResultSerializer})
    def post(self, request):
        data = self.body(request)
        check = cards.verify_card(data["code"])
        status = cards.current_status(check) if check.valid else None
        return Response(CardCheckResultSerializer({**check.__dict__, "status": status}).data)
