"""Sign-in with a directory password (LDAP), on the ordinary password form.

django-auth-ldap does the protocol: it finds the person's entry with the service account's search, binds
as that entry with the password typed (so the directory, not Taizhang, checks the password), and reads the
entry's attributes and groups. Which account that person signs in as is decided by the same action as for
CAS and OIDC (`actions.sso_sign_in`): created at the first sign-in from the role mapping and the unit code,
refused for a disabled account, never taking over an account with its own password. django-auth-ldap
itself writes nothing (`get_or_build_user` returns the account the action gave, as not built, and
`ALWAYS_UPDATE_USER` is off), so every write still goes through the one door.

Needs the optional `ldap` extra (python-ldap builds against libldap: see docs/deployment.md).
"""

import ldap
from django.conf import settings
from django.dispatch import receiver
from django_auth_ldap import backend as ldap_auth
from django_auth_ldap.config import GroupOfNamesType, GroupOfUniqueNamesType, LDAPSearch, PosixGroupType

from taizhang.org import sso

# TAIZHANG_LDAP_GROUP_TYPE → how a group names its members.
GROUP_TYPES = {
    "groupofnames": lambda: GroupOfNamesType(name_attr="cn"),
    "groupofuniquenames": lambda: GroupOfUniqueNamesType(name_attr="cn"),
    "posixgroup": lambda: PosixGroupType(name_attr="cn"),
}


def ldap_settings() -> dict:
    """django-auth-ldap's settings (without their AUTH_LDAP_ prefix), from Taizhang's own."""
    values = {
        "SERVER_URI": settings.TAIZHANG_LDAP_SERVER_URI,
        "BIND_DN": settings.TAIZHANG_LDAP_BIND_DN,
        "BIND_PASSWORD": settings.TAIZHANG_LDAP_BIND_PASSWORD,
        "START_TLS": settings.TAIZHANG_LDAP_START_TLS,
        "USER_SEARCH": LDAPSearch(
            settings.TAIZHANG_LDAP_USER_BASE, ldap.SCOPE_SUBTREE, settings.TAIZHANG_LDAP_USER_FILTER
        ),
        "ALWAYS_UPDATE_USER": False,  # the account is the action's; nothing is copied onto it here
        "CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: 5, ldap.OPT_TIMEOUT: 10, ldap.OPT_REFERRALS: 0},
    }
    if settings.TAIZHANG_LDAP_GROUP_BASE:
        values["GROUP_SEARCH"] = LDAPSearch(settings.TAIZHANG_LDAP_GROUP_BASE, ldap.SCOPE_SUBTREE)
        values["GROUP_TYPE"] = GROUP_TYPES[settings.TAIZHANG_LDAP_GROUP_TYPE]()
    return values


class LDAPBackend(ldap_auth.LDAPBackend):
    settings_prefix = "TAIZHANG_UNUSED_LDAP_"  # every setting comes from `default_settings` below

    @property
    def default_settings(self):
        return ldap_settings()

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.TAIZHANG_LDAP_SERVER_URI:
            return None
        self.request = request  # Django makes a backend for each sign-in: this is that sign-in's request
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_or_build_user(self, username, ldap_user):
        """The account the verified directory entry signs in as (the password was checked by the bind)."""
        from taizhang.org.actions import SignInRefused, sso_sign_in

        attributes = dict(ldap_user.attrs)
        mapping = settings.TAIZHANG_LDAP_ATTRIBUTES or {"name": "cn"}
        identity = sso.identity_from("ldap", attributes, mapping, username=username)
        if settings.TAIZHANG_LDAP_GROUP_BASE:
            identity.groups = sorted(set(identity.groups) | set(ldap_user.group_names))
        request = getattr(self, "request", None)
        try:
            account = sso_sign_in(identity)
        except SignInRefused as refused:
            if request is not None and refused.reason != "local_account":
                sso.remember_refusal(request, refused)  # the login view shows the refusal page
                request.sso_refused = True
            raise ldap_user.AuthenticationFailed(refused.reason) from refused
        if request is not None:
            request.sso_provider = "ldap"
        return account, False

    def get_user(self, user_id):
        """The signed-in account for each later request, without asking the directory again."""
        account = self.get_user_model().objects.filter(pk=user_id).first()
        return account if account is not None and account.is_active else None


@receiver(ldap_auth.ldap_error)
def _directory_unreachable(sender, context, user, request, exception, **kwargs):
    """The directory did not answer (down, or too slow): the sign-in page says so instead of "wrong
    password", which would send people to reset a password that is fine."""
    if request is not None and isinstance(exception, (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR)):
        request.ldap_unreachable = True
