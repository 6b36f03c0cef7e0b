from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from taizhang.core import views_jobs
from taizhang.core.api import api_not_found
from taizhang.core.forms import StyledAuthenticationForm
from taizhang.dashboard import views as dashboard_views
from taizhang.duties import api as duty_api
from taizhang.org import api as org_api
from taizhang.org import views_account, views_sso
from taizhang.rectification import api as ledger_api
from taizhang.risks import api as risk_api
from taizhang.similar import api as similar_api
from taizhang.tasks import api as task_api

router = DefaultRouter()
router.register("units", org_api.UnitViewSet)
router.register("groups", org_api.GroupViewSet)
router.register("people", org_api.PersonViewSet)
router.register("sources", ledger_api.SourceViewSet)
router.register("findings", ledger_api.FindingViewSet)
router.register("tasks", task_api.TaskViewSet)
router.register("risks", risk_api.RiskViewSet)
router.register("campaigns", risk_api.CampaignViewSet)
router.register("returns", risk_api.ReturnViewSet)
router.register("duty-lists", duty_api.DutyListViewSet)
router.register("meetings", duty_api.MeetingViewSet)
router.register("trainings", duty_api.TrainingViewSet)
router.register("bodies", duty_api.BodyViewSet)
router.register("repeat-flags", similar_api.RepeatFlagViewSet)

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("lead-units/", dashboard_views.lead_units, name="lead_units"),
    path("login/", views_sso.LoginView.as_view(authentication_form=StyledAuthenticationForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sso/cas/", views_sso.cas_login, name="sso-cas"),
    path("sso/oidc/", views_sso.OIDCRequest.as_view(), name="sso-oidc"),
    path("sso/oidc/callback/", views_sso.OIDCCallback.as_view(), name="sso-oidc-callback"),
    path("sso/refused/", views_sso.refused, name="sso-refused"),
    path("password/", views_account.password_change, name="password_change"),
    path("tokens/", views_account.tokens, name="tokens"),
    path("language/", set_language, name="set_language"),
    path("jobs/<uuid:uid>/", views_jobs.job_page, name="job"),
    path("jobs/<uuid:uid>/file/", views_jobs.job_file, name="job-file"),
    path("jobs/<uuid:uid>/retry/", views_jobs.job_retry, name="job-retry"),
    path("org/", include("taizhang.org.urls")),
    path("ledger/", include("taizhang.tasks.urls")),
    path("ledger/sources/", include("taizhang.rectification.urls")),
    path("sheets/", include("taizhang.sheets.urls")),
    path("documents/", include("taizhang.documents.urls")),
    path("notify/", include("taizhang.notify.urls")),
    path("risks/", include("taizhang.risks.urls")),
    path("duties/", include("taizhang.duties.urls")),
    path("similar/", include("taizhang.similar.urls")),
    path("api/auth/token/", views_account.obtain_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/", include(router.urls)),
    re_path(r"^api/", api_not_found),  # an address no API route matches: a JSON 404, as the API's own
]

handler400 = "taizhang.core.api.bad_request"
handler500 = "taizhang.core.api.server_error"
