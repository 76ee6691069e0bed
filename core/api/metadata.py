"""The API's answer to OPTIONS: DRF's description of a view."""

from rest_framework.metadata import SimpleMetadata


class Metadata(SimpleMetadata):
    """DRF describes what a POST or PUT takes from the view's serializer; a step whose POST takes no body
    (`serializer_class = None`: cancel, publish, no-shows…) has none, and DRF's OPTIONS failed there with
    a 500. Such a view describes its methods and no fields."""

    def determine_actions(self, request, view):
        if not _has_serializer(view):
            return {}
        return super().determine_actions(request, view)


def _has_serializer(view) -> bool:
    # Imported here: DRF's views read this module (DEFAULT_METADATA_CLASS) while generics imports them.
    from rest_framework.generics import GenericAPIView

    if not isinstance(view, GenericAPIView):
        return True  # SimpleMetadata asks only views with get_serializer for fields
    chooses = type(view).get_serializer_class is not GenericAPIView.get_serializer_class
    return chooses or getattr(view, "serializer_class", None) is not None
