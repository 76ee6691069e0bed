from django.urls import path

from .views import knowledge, legal

app_name = "rights"
urlpatterns = [
    # Legal consultations (法律咨询)
    path("consultations/", legal.ConsultationListView.as_view(), name="consultation-list"),
    path("consultations/mine/", legal.lawyer_mine, name="lawyer-mine"),
    path("consultations/<int:pk>/", legal.ConsultationDetailView.as_view(), name="consultation-detail"),
    path("consultations/<int:pk>/reply/", legal.consultation_reply, name="consultation-reply"),
    path("consultations/<int:pk>/reassign/", legal.consultation_reassign, name="consultation-reassign"),
    path("consultations/<int:pk>/close/", legal.consultation_close, name="consultation-close"),
    path("consultations/<int:pk>/case/", legal.consultation_case, name="consultation-case"),
    path("consultations/photos/<int:pk>/", legal.consultation_photo, name="consultation-photo"),
    path("rights-cases/<int:pk>/", legal.case_edit, name="case-edit"),
    path("lawyers/", legal.LawyerListView.as_view(), name="lawyer-list"),
    path("lawyers/add/", legal.LawyerCreateView.as_view(), name="lawyer-add"),
    path("lawyers/<int:pk>/", legal.LawyerDetailView.as_view(), name="lawyer-detail"),
    path("lawyers/<int:pk>/edit/", legal.LawyerUpdateView.as_view(), name="lawyer-edit"),
    path("duty-days/", legal.DutyDayListView.as_view(), name="duty-list"),
    path("duty-days/add/", legal.DutyDayCreateView.as_view(), name="duty-add"),
    path("duty-days/<int:pk>/", legal.duty_edit, name="duty-edit"),
    path("duty-days/<int:pk>/delete/", legal.duty_delete, name="duty-delete"),
    # Knowledge base (法律知识库)
    path("articles/", knowledge.ArticleListView.as_view(), name="article-list"),
    path("articles/add/", knowledge.ArticleCreateView.as_view(), name="article-add"),
    path("articles/from-consultations/", knowledge.article_sources, name="article-sources"),
    path("articles/<int:pk>/", knowledge.ArticleDetailView.as_view(), name="article-detail"),
    path("articles/<int:pk>/edit/", knowledge.ArticleUpdateView.as_view(), name="article-edit"),
    path("articles/<int:pk>/publish/", knowledge.article_publish, name="article-publish"),
    path("articles/<int:pk>/withdraw/", knowledge.article_withdraw, name="article-withdraw"),
]
