"""The knowledge base's API.

- /api/v1/articles/: officials' articles in their scope (drafts too): read, write, publish, withdraw.
- /api/v1/knowledge/articles/ and /<id>/: published articles for anyone (?q= ranks by the search,
  ?category= filters).
- /api/v1/knowledge/suggest/?q=: what the consultation form shows while the worker types; public and
  throttled per address. A signed-in official or lawyer also gets the answered consultations they may
  view (anonymised snippets only).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core import access
from core.api.serializers import ScopedModelSerializer
from core.api.viewsets import ScopedViewSet
from core.scoping import CHANGE

from ..choices import ArticleStatus, ConsultationCategory
from ..filtersets.knowledge import ArticleFilterSet
from ..models import Article
from ..services import knowledge as services
from ..services import search

MAX_LIMIT = 20


def _drf_error(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(serializers.as_serializer_error(error))


class ArticleSerializer(ScopedModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "union",
            "title",
            "category",
            "category_label",
            "question",
            "answer",
            "law_references",
            "status",
            "status_label",
            "source",
            "published_at",
        ]
        read_only_fields = ["status", "published_at"]


class WithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, help_text=_("撤下原因"))


class ArticleViewSet(ScopedViewSet):
    """Knowledge-base articles in the caller's scope. Filters: q, category, status, within. Publishing and
    withdrawing are steps; an article is withdrawn, not deleted."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Article.objects.select_related("union")
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilterSet
    ordering_fields = ["id", "title", "published_at"]
    ordering = ["-id"]
    scope_actions = ScopedViewSet.scope_actions | {"publish": CHANGE, "withdraw": CHANGE}

    def create_instance(self, serializer):
        try:
            serializer.instance = services.save_article(Article(**serializer.validated_data))
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return serializer.instance

    def update_instance(self, serializer):
        article = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(article, name, value)
        try:
            return services.save_article(article)
        except DjangoValidationError as error:
            raise _drf_error(error) from None

    def _step(self, step, *args):
        article = self.get_object()
        try:
            with transaction.atomic():
                step(article, *args)
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return Response(self.get_serializer(Article.objects.get(pk=article.pk)).data)

    @extend_schema(request=None, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish: workers find it in 法律知识 and in the consultation form's suggestions."""
        return self._step(services.publish)

    @extend_schema(request=WithdrawSerializer, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a published article (it leaves the search at once); a reason is required."""
        form = WithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._step(services.withdraw, form.validated_data["note"])


# ------------------------------------------------------------------ public


class PublicArticleSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    url = serializers.SerializerMethodField(help_text=_("文章的手机页面"))

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "category",
            "category_label",
            "question",
            "answer",
            "law_references",
            "union_name",
            "published_at",
            "url",
        ]

    def get_url(self, article) -> str:
        return search.article_url(article.pk)


class KnowledgeThrottle(SimpleRateThrottle):
    """Per address, signed in or not: the lookup runs on every pause in typing."""

    scope = "knowledge"
    rate = "120/min"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicArticleList(generics.ListAPIView):
    """Published articles, newest first; with ?q= ranked by the knowledge search (best first)."""

    access = access.PUBLIC
    permission_classes = [AllowAny]
    throttle_classes = [KnowledgeThrottle]
    serializer_class = PublicArticleSerializer
    filterset_class = None
    filter_backends = []

    @extend_schema(
        operation_id="knowledge_articles_list",
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="搜索的话，如“送餐摔了一跤 餐坏了 公司要我赔”"
            ),
            OpenApiParameter("category", OpenApiTypes.STR, enum=list(ConsultationCategory.values)),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = Article.objects.filter(status=ArticleStatus.PUBLISHED).select_related("union")
        category = self.request.query_params.get("category", "")
        if category:
            queryset = queryset.filter(category=category)
        q = self.request.query_params.get("q", "").strip()[:200]
        if not q:
            return queryset.order_by("-published_at", "-id")
        ranked = [pk for pk, _score in search.rank(q, "article", limit=100)]
        found = queryset.in_bulk(ranked)
        return [found[pk] for pk in ranked if pk in found]


class PublicArticleDetail(generics.RetrieveAPIView):
    """One published article."""

    access = access.PUBLIC
    permission_classes = [AllowAny]
    throttle_classes = [KnowledgeThrottle]
    serializer_class = PublicArticleSerializer
    queryset = Article.objects.filter(status=ArticleStatus.PUBLISHED).select_related("union")

    @extend_schema(operation_id="knowledge_articles_retrieve")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SuggestionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["article", "consultation"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.CharField()
    score = serializers.FloatField()


class SuggestResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SuggestionSerializer(many=True)


class SuggestView(APIView):
    """Articles (and, for officials and lawyers, answered consultations) matching what is typed."""

    access = access.PUBLIC
    permission_classes = [AllowAny]
    throttle_classes = [KnowledgeThrottle]

    @extend_schema(
        operation_id="knowledge_suggest",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="已输入的问题（最多 500 字）"),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1-{MAX_LIMIT}, default 5"),
        ],
        responses=SuggestResponseSerializer,
    )
    def get(self, request):
        try:
            limit = min(MAX_LIMIT, max(1, int(request.query_params.get("limit", 5))))
        except ValueError:
            raise serializers.ValidationError({"limit": [_("limit 须为 1 到 20 的整数")]}) from None
        hits = search.suggest(request.query_params.get("q", ""), limit=limit, user=request.user)
        results = [
            {
                "kind": h.kind,
                "id": h.id,
                "title": h.title,
                "snippet": h.snippet,
                "url": request.build_absolute_uri(h.url) if h.url else "",
                "score": h.score,
            }
            for h in hits
        ]
        return Response({"count": len(results), "results": results})


def register(router) -> None:
    router.register("articles", ArticleViewSet, basename="article")


def urls() -> list:
    from django.urls import path

    return [
        path("knowledge/articles/", PublicArticleList.as_view(), name="knowledge-article-list"),
        path("knowledge/articles/<id:pk>/", PublicArticleDetail.as_view(), name="knowledge-article-detail"),
        path("knowledge/suggest/", SuggestView.as_view(), name="knowledge-suggest"),
    ]
