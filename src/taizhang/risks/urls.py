from django.urls import path

from taizhang.risks import views, views_campaign

app_name = "risks"
urlpatterns = [
    path("", views.register, name="register"),
    path("heatmap/", views.heatmap, name="heatmap"),
    path("matrix/", views.matrix_page, name="matrix"),
    path("export/", views.register_export, name="export"),
    path("new/", views.risk_edit, name="risk_add"),
    path("<int:pk>/", views.risk_detail, name="detail"),
    path("<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("<int:pk>/assess/", views.risk_assess, name="assess"),
    path("<int:pk>/review/", views.risk_review, name="review"),
    path("<int:pk>/dispose/", views.risk_dispose, name="dispose"),
    path("<int:pk>/clear/", views.risk_clear, name="clear"),
    path("<int:pk>/close/", views.risk_close, name="close"),
    path("<int:pk>/reopen/", views.risk_reopen, name="reopen"),
    path("campaigns/", views_campaign.campaign_list, name="campaigns"),
    path("campaigns/new/", views_campaign.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views_campaign.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/notice/", views_campaign.campaign_notice, name="campaign_notice"),
    path("campaigns/<int:pk>/export/", views_campaign.campaign_export, name="campaign_export"),
    path("returns/", views_campaign.my_returns, name="my_returns"),
    path("returns/<int:pk>/", views_campaign.return_detail, name="return"),
    path("returns/<int:pk>/risks/", views_campaign.return_add_risk, name="return_add_risk"),
    path("returns/<int:pk>/reassess/<int:risk_pk>/", views_campaign.return_reassess, name="return_reassess"),
    path("returns/<int:pk>/submit/", views_campaign.return_submit, name="return_submit"),
    path("returns/<int:pk>/decide/", views_campaign.return_decide, name="return_decide"),
]
