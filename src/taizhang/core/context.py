from django.conf import settings

from taizhang.core.permissions import MANAGE_ACCOUNTS, MANAGE_ORG, grants


def shell(request):
    """What the page shell needs: which navigation entries this user may see, and the languages."""
    user = getattr(request, "user", None)
    return {
        "nav_manage_org": grants(user, MANAGE_ORG),
        "nav_manage_accounts": grants(user, MANAGE_ACCOUNTS),
        "shell_languages": settings.LANGUAGES,
    }
