from django.urls import path

from taizhang.core import converters  # noqa: F401 (registers <id:…>)
from taizhang.risks import views, views_campaign, views_import, views_matrix

app_name = "risks"
urlpatterns = [
    path("", views.register, name="register"),
    path("heatmap/", views.heatmap, name="heatmap"),
    path("matrix/", views_matrix.matrix_page, name="matrix"),
    path("export/", views.register_export, name="export"),
    path("import/", views_import.register_import, name="import"),
    path("report/", views.register_report, name="report"),
    path("files/", views.register_file, name="file"),
    path("new/", views.risk_edit, name="risk_add"),
    path("<id:pk>/", views.risk_detail, name="detail"),
    path("<id:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("<id:pk>/assess/", views.risk_assess, name="assess"),
    path("<id:pk>/review/", views.risk_review, name="review"),
    path("<id:pk>/dispose/", views.risk_dispose, name="dispose"),
    path("<id:pk>/clear/", views.risk_clear, name="clear"),
    path("<id:pk>/close/", views.risk_close, name="close"),
    path("<id:pk>/reopen/", views.risk_reopen, name="reopen"),
    path("campaigns/", views_campaign.campaign_list, name="campaigns"),
    path("campaigns/new/", views_campaign.campaign_new, name="campaign_new"),
    path("campaigns/<id:pk>/", views_campaign.campaign_detail, name="campaign"),
    path("campaigns/<id:pk>/notice/", views_campaign.campaign_notice, name="campaign_notice"),
    path("campaigns/<id:pk>/export/", views_campaign.campaign_export, name="campaign_export"),
    path("returns/", views_campaign.my_returns, name="my_returns"),
    path("returns/<id:pk>/", views_campaign.return_detail, name="return"),
    path("returns/task/<id:task_pk>/", views_campaign.task_return, name="task_return"),
    path("returns/<id:pk>/risks/", views_campaign.return_add_risk, name="return_add_risk"),
    path("returns/<id:pk>/reassess/<id:risk_pk>/", views_campaign.return_reassess, name="return_reassess"),
    path("returns/<id:pk>/submit/", views_campaign.return_submit, name="return_submit"),
    path("returns/<id:pk>/decide/", views_campaign.return_decide, name="return_decide"),
]
