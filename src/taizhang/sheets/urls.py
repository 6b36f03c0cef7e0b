from django.urls import path, re_path

from taizhang.sheets import views, views_import

app_name = "sheets"
urlpatterns = [
    re_path(r"^sources/(?P<pk>\d+)/export\.(?P<ext>xlsx|csv)$", views.export_ledger, name="export"),
    path("sources/<int:pk>/export/", views.export_job, name="export_job"),
    path("import/", views_import.upload, name="upload"),
    path("import/<int:pk>/", views_import.preview, name="preview"),
    path("import/<int:pk>/refused.xlsx", views_import.refused_rows, name="refused"),
    path("import/<int:pk>/progress/", views_import.progress_page, name="progress_page"),
    path("import/<int:pk>/retry/", views_import.retry, name="retry"),
]
