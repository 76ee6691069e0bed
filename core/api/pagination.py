from rest_framework import pagination

from ..pagination import Paginator


class Pagination(pagination.PageNumberPagination):
    """Page-number pagination; every viewset orders its queryset, so pages are stable."""

    django_paginator_class = Paginator
    page_size_query_param = "page_size"
    max_page_size = 500
