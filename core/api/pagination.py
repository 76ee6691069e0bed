from rest_framework import pagination


class Pagination(pagination.PageNumberPagination):
    """Page-number pagination; every viewset orders its queryset, so pages are stable."""

    page_size_query_param = "page_size"
    max_page_size = 500
