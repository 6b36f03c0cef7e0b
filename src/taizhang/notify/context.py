from taizhang.notify.models import Channel, Delivery


def unread(request):
    """The unread count shown in the header."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    count = Delivery.objects.filter(user=user, channel=Channel.INBOX, status="sent", read_at__isnull=True).count()
    return {"unread_count": count}
