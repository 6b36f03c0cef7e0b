"""One FilterSet per model, shared by the pages and the API."""

from taizhang.core.filtering import FilterSet
from taizhang.rectification.models import Finding


class FindingFilter(FilterSet):
    class Meta:
        model = Finding
        fields = ["source", "category"]
