def filtered(filterset):
    """The filtered rows, or none when a filter value is invalid.

    django-filter drops an invalid value and filters on the rest, which would show a list that looks
    filtered but is not; the page shows the filter's error and an empty list instead.
    """
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()
