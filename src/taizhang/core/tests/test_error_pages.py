"""Error pages in the site's shell, in Chinese, with a way back."""

import pytest
from django.test import RequestFactory

from taizhang.core.api import csrf_failure, server_error

pytestmark = pytest.mark.django_db


def test_not_found_is_in_the_shell_with_a_way_back(clients):
    response = clients["liaison"].get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in page
    assert 'id="back-home"' in page and 'id="todo-link"' in page  # the header, with its to-do count


def test_not_permitted_is_in_the_shell(clients):
    response = clients["liaison"].get("/org/accounts/")
    assert response.status_code == 403 and "无权操作" in response.content.decode()


def test_server_error_and_expired_form_pages():
    request = RequestFactory().get("/ledger/")
    page = server_error(request)
    assert page.status_code == 500 and "服务器出错" in page.content.decode() and "back-home" in page.content.decode()
    expired = csrf_failure(RequestFactory().post("/ledger/mine/"))
    assert expired.status_code == 403 and "表单已过期" in expired.content.decode()
