"""A unit picker's options written in Python: names escaped, the chosen one selected, in order."""

import pytest

from taizhang.core.forms import unit_options
from taizhang.org.models import Unit

pytestmark = pytest.mark.django_db


def test_names_are_escaped_and_the_chosen_unit_selected():
    root = Unit.objects.create(name="市委", path="0001", depth=0)
    odd = Unit.objects.create(name='<b>"宣传部"</b>', parent=root, path="00010001", depth=1)
    html = str(unit_options(Unit.objects.order_by("path"), odd))
    assert html == (
        f'<option value="{root.pk}">市委</option>'
        f'<option value="{odd.pk}" selected>&lt;b&gt;&quot;宣传部&quot;&lt;/b&gt;</option>'
    )
