from django.urls import path

from taizhang.documents import views

app_name = "documents"
urlpatterns = [
    path("sources/<int:pk>/report/", views.rectification_report, name="report"),
    path("sources/<int:pk>/monthly.xlsx", views.monthly_table, name="monthly"),
    path("summary.xlsx", views.summary_table, name="summary"),
]
