from django.urls import path

from taizhang.org import views, views_sync

app_name = "org"
urlpatterns = [
    path("sync/", views_sync.sync_page, name="sync"),
    path("<slug:kind>/", views.object_list, name="list"),
    path("<slug:kind>/new/", views.object_edit, name="create"),
    path("<slug:kind>/<int:pk>/", views.object_detail, name="detail"),
    path("<slug:kind>/<int:pk>/edit/", views.object_edit, name="edit"),
]
