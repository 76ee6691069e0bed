from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Role


class RoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "user", "union", "kind", "active"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField(help_text=_("显示名，未设置时为用户名"))
    is_worker = serializers.BooleanField(help_text=_("职工账号（手机号验证码登录）；否则为工作人员账号"))
    language = serializers.CharField(help_text=_("本次请求的界面语言，如 zh-hans、en"))
