from django.urls import path

from .views import aid, benefits, knowledge, legal
from .views import mutual as mutual_views
from .views import statistics as statistics_views

app_name = "rights"
urlpatterns = [
    # Legal consultations (法律咨询)
    path("consultations/", legal.ConsultationListView.as_view(), name="consultation-list"),
    path("consultations/mine/", legal.lawyer_mine, name="lawyer-mine"),
    path("consultations/<id:pk>/", legal.ConsultationDetailView.as_view(), name="consultation-detail"),
    path("consultations/<id:pk>/reply/", legal.consultation_reply, name="consultation-reply"),
    path("consultations/<id:pk>/reassign/", legal.consultation_reassign, name="consultation-reassign"),
    path("consultations/<id:pk>/close/", legal.consultation_close, name="consultation-close"),
    path("consultations/<id:pk>/case/", legal.consultation_case, name="consultation-case"),
    path("consultations/photos/<id:pk>/", legal.consultation_photo, name="consultation-photo"),
    path("rights-cases/<id:pk>/", legal.case_edit, name="case-edit"),
    path("lawyers/", legal.LawyerListView.as_view(), name="lawyer-list"),
    path("lawyers/add/", legal.LawyerCreateView.as_view(), name="lawyer-add"),
    path("lawyers/<id:pk>/", legal.LawyerDetailView.as_view(), name="lawyer-detail"),
    path("lawyers/<id:pk>/edit/", legal.LawyerUpdateView.as_view(), name="lawyer-edit"),
    path("duty-days/", legal.DutyDayListView.as_view(), name="duty-list"),
    path("duty-days/add/", legal.DutyDayCreateView.as_view(), name="duty-add"),
    path("duty-days/<id:pk>/", legal.duty_edit, name="duty-edit"),
    path("duty-days/<id:pk>/delete/", legal.duty_delete, name="duty-delete"),
    # Knowledge base (法律知识库)
    path("articles/", knowledge.ArticleListView.as_view(), name="article-list"),
    path("articles/add/", knowledge.ArticleCreateView.as_view(), name="article-add"),
    path("articles/from-consultations/", knowledge.article_sources, name="article-sources"),
    path("articles/<id:pk>/", knowledge.ArticleDetailView.as_view(), name="article-detail"),
    path("articles/<id:pk>/edit/", knowledge.ArticleUpdateView.as_view(), name="article-edit"),
    path("articles/<id:pk>/publish/", knowledge.article_publish, name="article-publish"),
    path("articles/<id:pk>/withdraw/", knowledge.article_withdraw, name="article-withdraw"),
    # Mutual medical aid (职工医疗互助保障)
    path("mutual/plans/", mutual_views.PlanListView.as_view(), name="mutual-plan-list"),
    path("mutual/plans/add/", mutual_views.PlanCreateView.as_view(), name="mutual-plan-add"),
    path("mutual/plans/<id:pk>/", mutual_views.PlanDetailView.as_view(), name="mutual-plan-detail"),
    path("mutual/plans/<id:pk>/edit/", mutual_views.PlanUpdateView.as_view(), name="mutual-plan-edit"),
    path("mutual/plans/<id:pk>/batch/", mutual_views.plan_enrol_batch, name="mutual-plan-batch"),
    path("mutual/plans/<id:pk>/template.xlsx", mutual_views.plan_template, name="mutual-plan-template"),
    path("mutual/plans/<id:pk>/enrol/", mutual_views.plan_enrol_person, name="mutual-plan-person"),
    path("mutual/enrolments/", mutual_views.EnrollmentListView.as_view(), name="mutual-enrollment-list"),
    path(
        "mutual/enrolments/<id:pk>/",
        mutual_views.EnrollmentDetailView.as_view(),
        name="mutual-enrollment-detail",
    ),
    path("mutual/enrolments/<id:pk>/claim/", mutual_views.enrollment_claim, name="mutual-enrollment-claim"),
    path("mutual/claims/", mutual_views.ClaimListView.as_view(), name="mutual-claim-list"),
    path("mutual/claims/<id:pk>/", mutual_views.ClaimDetailView.as_view(), name="mutual-claim-detail"),
    path("mutual/claims/<id:pk>/<str:step>/", mutual_views.claim_step, name="mutual-claim-step"),
    path("mutual/documents/<id:pk>/", mutual_views.claim_document, name="mutual-document"),
    # Rights statistics (权益保障统计)
    path("rights/statistics/", statistics_views.statistics_page, name="statistics"),
    # Hardship aid (困难帮扶)
    path("aid/", aid.AidCaseListView.as_view(), name="aid-list"),
    path("aid/add/", aid.aid_create, name="aid-add"),
    path("aid/notice/", aid.aid_notice, name="aid-notice"),
    path("aid/<id:pk>/", aid.AidCaseDetailView.as_view(), name="aid-detail"),
    path("aid/<id:pk>/visit/", aid.aid_visit, name="aid-visit"),
    path("aid/<id:pk>/decide/", aid.aid_decide, name="aid-decide"),
    path("aid/<id:pk>/object/", aid.aid_object, name="aid-object"),
    path("aid/<id:pk>/documents/", aid.aid_document, name="aid-documents"),
    path("aid/<id:pk>/payment/", aid.aid_payment, name="aid-payment"),
    path("aid/<id:pk>/recheck/", aid.aid_recheck, name="aid-recheck"),
    path("aid/<id:pk>/exit/", aid.aid_exit, name="aid-exit"),
    path("aid/documents/<id:pk>/", aid.aid_document_file, name="aid-document"),
    # Mass benefits (普惠发放)
    path("benefits/", benefits.DistributionListView.as_view(), name="benefit-list"),
    path("benefits/add/", benefits.DistributionCreateView.as_view(), name="benefit-add"),
    path("benefits/redeem/", benefits.benefit_redeem, name="benefit-redeem"),
    path("benefits/<id:pk>/", benefits.DistributionDetailView.as_view(), name="benefit-detail"),
    path("benefits/<id:pk>/edit/", benefits.DistributionUpdateView.as_view(), name="benefit-edit"),
    path("benefits/<id:pk>/build/", benefits.benefit_build, name="benefit-build"),
    path("benefits/<id:pk>/import/", benefits.benefit_import, name="benefit-import"),
    path("benefits/<id:pk>/template.xlsx", benefits.benefit_template, name="benefit-template"),
]
