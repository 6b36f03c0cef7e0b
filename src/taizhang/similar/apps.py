from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimilarConfig(AppConfig):
    name = "taizhang.similar"
    label = "similar"
    verbose_name = _("Similar findings")

    def ready(self):
        from taizhang.core.timeline import register_phrases
        from taizhang.similar.actions import EVENT_PHRASES

        register_phrases(EVENT_PHRASES)
        from taizhang.similar.todo import FLAGS_TO_DECIDE
        from taizhang.tasks import todo

        todo.register(FLAGS_TO_DECIDE)
        from taizhang.org.actions import subtree_moved
        from taizhang.similar.index import follow_move

        subtree_moved.connect(follow_move, dispatch_uid="similar.follow_move")
