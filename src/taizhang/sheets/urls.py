from django.urls import re_path

from taizhang.sheets import views

app_name = "sheets"
urlpatterns = [
    re_path(r"^sources/(?P<pk>\d+)/export\.(?P<ext>xlsx|csv)$", views.export_ledger, name="export"),
]
