"""Bulk enrolment over the API: batches (read), upload, re-map, decide, and the error report."""

import json

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import access
from core.api.viewsets import ActorMixin, IsOfficial, ScopedViewSet
from core.scoping import CHANGE, VIEW
from orgs.models import Union

from ..filtersets.imports import ImportBatchFilterSet
from ..models import ImportBatch
from ..services import imports as services
from ..services.import_files import ImportFileError


class ImportBatchSerializer(serializers.ModelSerializer):
    progress_done = serializers.IntegerField(source="job.done", default=0, read_only=True)
    progress_total = serializers.IntegerField(source="job.total", default=0, read_only=True)
    has_error_report = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "union",
            "file_name",
            "file_sha256",
            "file_format",
            "encoding",
            "mapping",
            "status",
            "total_rows",
            "valid_rows",
            "error_rows",
            "transfer_rows",
            "imported_rows",
            "message",
            "job",
            "progress_done",
            "progress_total",
            "has_error_report",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_error_report(self, obj) -> bool:
        return bool(obj.error_report)


class ImportBatchViewSet(ScopedViewSet):
    """Enrolment batches in the caller's scope. Uploading and deciding are the endpoints beside it."""

    http_method_names = ["get", "head", "options"]
    queryset = ImportBatch.objects.select_related("job")
    serializer_class = ImportBatchSerializer
    filterset_class = ImportBatchFilterSet
    ordering_fields = ["id", "created_at"]
    ordering = ["-created_at", "-id"]


class _ImportView(ActorMixin, generics.GenericAPIView):
    access = access.SCOPED
    permission_classes = [IsOfficial]
    serializer_class = ImportBatchSerializer

    def batch(self, action: str) -> ImportBatch:
        return get_object_or_404(
            ImportBatch.objects.restrict(self.request.user, action), pk=self.kwargs["pk"]
        )


class MappingField(serializers.JSONField):
    """Our field → the file's column name, as a JSON object of texts (in a multipart upload, its text)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", gettext_lazy('字段 → 文件列名，如 {"id_number": "身份证号码"}；不填则自动识别')
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(_("应为JSON对象")) from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise serializers.ValidationError(_("应为JSON对象，其值为文件列名"))
        return data


class ImportUploadSerializer(serializers.Serializer):
    union = serializers.PrimaryKeyRelatedField(queryset=Union.objects.all())
    file = serializers.FileField()
    mapping = MappingField()


class ImportUploadView(_ImportView):
    """Upload an xlsx or csv list; it is stored encrypted and checked in the background."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportBatchSerializer, 400: OpenApiResponse()},
    )
    def post(self, request):
        form = ImportUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            batch = services.upload(data["union"], data["file"], request.user, data.get("mapping"))
        except ImportFileError as error:
            raise serializers.ValidationError({"file": [str(error)]}) from None
        except PermissionDenied:
            raise serializers.ValidationError({"union": [_("超出您的管理范围")]}) from None
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class ImportMappingSerializer(serializers.Serializer):
    mapping = MappingField()


class ImportMappingView(_ImportView):
    """Choose the file's columns for our fields; the check runs again."""

    @extend_schema(
        request=ImportMappingSerializer, responses={200: ImportBatchSerializer, 409: OpenApiResponse()}
    )
    def post(self, request, pk):
        batch = self.batch(CHANGE)
        form = ImportMappingSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            batch = services.remap(batch, form.validated_data.get("mapping") or {}, request.user)
        except services.ImportError_ as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        except ImportFileError as error:
            return Response({"mapping": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportBatchSerializer(batch).data)


class ImportDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("import", _("导入有效行")), ("discard", _("全部不导入"))])


class ImportDecideView(_ImportView):
    """After the check: import the valid rows (in the background) or import nothing."""

    @extend_schema(
        request=ImportDecideSerializer, responses={200: ImportBatchSerializer, 409: OpenApiResponse()}
    )
    def post(self, request, pk):
        batch = self.batch(CHANGE)
        form = ImportDecideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            batch = services.decide(batch, form.validated_data["decision"] == "import", request.user)
        except services.ImportError_ as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(ImportBatchSerializer(batch).data)


class ImportReportView(_ImportView):
    """The row-level error report (xlsx, values masked)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: OpenApiResponse()})
    def get(self, request, pk):
        batch = self.batch(VIEW)
        if not batch.error_report:
            return Response({"detail": _("没有错误报告")}, status=status.HTTP_404_NOT_FOUND)
        return FileResponse(
            batch.error_report.open("rb"), as_attachment=True, filename=f"errors-{batch.pk}.xlsx"
        )
