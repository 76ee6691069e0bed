import django_filters
from django.utils.translation import gettext_lazy as _

from ..choices import ImportStatus
from ..models import ImportBatch


class ImportBatchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="file_name", lookup_expr="icontains", label=_("文件名"))
    status = django_filters.ChoiceFilter(choices=ImportStatus.choices, label=_("状态"))

    class Meta:
        model = ImportBatch
        fields = ["q", "status"]
