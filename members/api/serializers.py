from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import services
from ..models import Consent, Membership, Person


class PersonSerializer(serializers.ModelSerializer):
    """Personal data leaves the API masked only; there is no raw ID number or phone here."""

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number_mask",
            "phone_mask",
            "birth_date",
            "gender",
            "employment_form",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PersonLookupSerializer(serializers.Serializer):
    number = serializers.CharField(
        max_length=30, write_only=True, help_text=_("完整的18位身份证号或11位手机号")
    )

    def validate_number(self, value):
        try:
            return services.lookup_key(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages[0]) from None


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = [
            "id",
            "person",
            "union",
            "status",
            "card_number",
            "channel",
            "joined_on",
            "ended_on",
            "reason",
        ]
        read_only_fields = fields


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["id", "person", "purpose", "text_version", "channel", "given_at", "withdrawn_at"]
        read_only_fields = fields
