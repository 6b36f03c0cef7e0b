from taizhang.tasks import todo


def todo_count(request):
    """The number beside 待办 in the header, on every page (the to-do definition is tasks/todo.py)."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or getattr(request, "htmx", False):
        return {}
    return {"todo_count": todo.header_count(request)}
