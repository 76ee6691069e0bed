from rest_framework import serializers

from ..models import Consent, Membership, Person


class PersonSerializer(serializers.ModelSerializer):
    """Personal data leaves the API masked only; there is no raw ID number or phone here."""

    class Meta:
        model = Person
        fields = [
            "id", "name", "id_number_mask", "phone_mask", "birth_date", "gender", "employment_form",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "person", "union", "status", "card_number", "channel", "joined_on", "ended_on", "reason"]
        read_only_fields = fields


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["id", "person", "purpose", "text_version", "channel", "given_at", "withdrawn_at"]
        read_only_fields = fields
