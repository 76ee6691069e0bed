"""The unified standard over the API: checklists with their items, and inspections scored in one request."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.serializers import ScopedModelSerializer
from core.api.viewsets import ScopedViewSet
from core.scoping import ADD, CHANGE, check_write

from ..filtersets.standard import ChecklistFilterSet, InspectionFilterSet
from ..models import Checklist, ChecklistItem, Inspection
from ..services import standard as services


def _drf_error(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(serializers.as_serializer_error(error))


class ChecklistItemSerializer(serializers.ModelSerializer):
    """One point of the standard; `required` fails the inspection whenever it is below its maximum."""

    class Meta:
        model = ChecklistItem
        fields = ["id", "category", "text", "max_score", "required", "order"]
        read_only_fields = ["id", "order"]


class ChecklistSerializer(ScopedModelSerializer):
    """A checklist and its items, in order. New ones are drafts (`active` false) until activated;
    `locked` once an inspection used it, after which only a new version may change it."""

    items = ChecklistItemSerializer(many=True, required=False)
    locked = serializers.SerializerMethodField()

    class Meta:
        model = Checklist
        fields = ["id", "name", "union", "version", "pass_mark", "active", "locked", "items"]
        fields += ["created_at", "updated_at"]
        read_only_fields = ["active", "created_at", "updated_at"]

    def get_locked(self, obj) -> bool:
        return services.is_locked(obj)


class NewVersionSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ChecklistViewSet(ScopedViewSet):
    """Checklists of the unified standard set by the unions in the caller's scope."""

    # A checklist is retired (deactivate), never deleted: inspections point at it.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Checklist.objects.select_related("union").prefetch_related("items")
    serializer_class = ChecklistSerializer
    filterset_class = ChecklistFilterSet
    ordering_fields = ["id", "name", "version", "created_at"]
    ordering = ["name", "id"]
    scope_actions = ScopedViewSet.scope_actions | {
        "activate": CHANGE,
        "deactivate": CHANGE,
        "new_version": CHANGE,
    }

    def create_instance(self, serializer):
        data = dict(serializer.validated_data)
        items = [ChecklistItem(**item) for item in data.pop("items", [])]
        try:
            serializer.instance = services.create_checklist(Checklist(**data), items)
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return serializer.instance

    def update_instance(self, serializer):
        checklist = serializer.instance
        data = dict(serializer.validated_data)
        items = data.pop("items", None)
        for name, value in data.items():
            setattr(checklist, name, value)
        try:
            services.save_checklist(checklist)
            if items is not None:
                services.replace_items(checklist, [ChecklistItem(**item) for item in items])
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return checklist

    def _step(self, step):
        checklist = self.get_object()
        try:
            with transaction.atomic():
                step(checklist)
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        checklist = self.get_queryset().model.objects.prefetch_related("items").get(pk=checklist.pk)
        return Response(self.get_serializer(checklist).data)

    @extend_schema(request=None, responses=ChecklistSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Put the checklist in force for its union's subtree; the union's other active versions retire."""
        return self._step(services.activate)

    @extend_schema(request=None, responses=ChecklistSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        return self._step(services.deactivate)

    @extend_schema(request=NewVersionSerializer, responses={201: ChecklistSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        """A draft copy with its items under a new version label."""
        checklist = self.get_object()
        form = NewVersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                copy = services.new_version(
                    checklist, form.validated_data["version"], form.validated_data["name"]
                )
                check_write(request.user, ADD, copy)
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        copy = Checklist.objects.prefetch_related("items").get(pk=copy.pk)
        return Response(self.get_serializer(copy).data, status=status.HTTP_201_CREATED)


class ScoreSerializer(serializers.Serializer):
    """One item's score (0 to its max_score, one decimal) and, below the maximum, what was found."""

    item = serializers.IntegerField(source="item_id")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    finding = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class InspectionSerializer(ScopedModelSerializer):
    """An inspection with one score per checklist item. `checklist` defaults to the one that applies
    to the station (the nearest active one up the union tree). Refused scores answer 400 with
    `items`: {item id: [messages]}."""

    choice_actions = {"station": CHANGE}
    scores = ScoreSerializer(many=True)
    checklist = serializers.PrimaryKeyRelatedField(
        queryset=Checklist.objects.all(), required=False, allow_null=True, default=None
    )

    class Meta:
        model = Inspection
        fields = ["id", "station", "checklist", "inspected_on", "inspector", "score", "result", "findings"]
        fields += ["follow_up_on", "followed_up_at", "scores", "created_at"]
        read_only_fields = ["inspector", "score", "result", "followed_up_at", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The applicable checklist is usually a higher union's, which the caller may not list;
        # the service accepts only an active one of the station's union or its ancestors.
        self.fields["checklist"].queryset = Checklist.objects.all()


class InspectionViewSet(ScopedViewSet):
    """Inspections of the stations in the caller's scope (keepers: of their stations, read only)."""

    # Corrections are made in the console; a mistaken inspection can be deleted (the station's flags follow).
    http_method_names = ["get", "post", "delete", "head", "options"]
    queryset = Inspection.objects.select_related("station", "checklist").prefetch_related("scores")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    ordering_fields = ["id", "inspected_on", "score", "follow_up_on"]
    ordering = ["-inspected_on", "-id"]

    def create_instance(self, serializer):
        data = serializer.validated_data
        rows = [
            services.ScoreInput(row["item_id"], row.get("score"), row.get("finding", ""))
            for row in data["scores"]
        ]
        try:
            serializer.instance = services.record_inspection(
                data["station"],
                self.request.user,
                rows,
                checklist=data.get("checklist"),
                inspected_on=data.get("inspected_on"),
                findings=data.get("findings", ""),
                follow_up_on=data.get("follow_up_on"),
            )
        except services.InspectionInvalid as error:
            detail = dict(error.fields)
            if error.items:
                detail["items"] = {str(pk): messages for pk, messages in error.items.items()}
            raise serializers.ValidationError(detail) from None
        return serializer.instance

    def perform_destroy(self, instance):
        services.delete_inspection(instance)
