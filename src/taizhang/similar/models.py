"""The index of findings by similarity, and the repeat flags it raises.

`Indexed` is one row a finding: its normalised text (what the scorer reads, so a query never
re-reads the ledger), the round it belongs to and the unit it was found in (`found_in`, else the unit
the ledger inspected). `Term` counts, for each feature, in how many findings it occurs: the IDF the
scorer needs, kept exact by every write. `PostingBlock` lists each finding under its few most telling
features (`filing.filed_under`): a lookup reads a bounded number of postings whatever the ledger's
size. `Corpus` holds how many findings are indexed (a COUNT(*) over a million rows costs more than
the whole query). All four are written only by `similar.index`, inside the transaction of the write
that changed the finding.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.org.models import Unit
from taizhang.tasks.origins import Origin, Source, origin_visible


class Indexed(models.Model):
    # Derived like a search index (`taizhang similar rebuild --check` finds an entry without its
    # finding): no database constraint, whose check at commit PostgreSQL made per entry; the ORM
    # deletes the entry with its finding.
    origin = models.OneToOneField(
        Origin, primary_key=True, on_delete=models.CASCADE, related_name="similar_entry", db_constraint=False
    )
    # Copies of what the finding's round says, kept by `index`: no index (a round's entries are found
    # through its findings, which the ledger indexes by round) and no constraint (a round's deletion
    # removes them with its findings, a unit's is followed by the ORM). With the three constraints,
    # PostgreSQL's checks at commit were a third of what indexing added to an import.
    source = models.ForeignKey(
        Source, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    unit = models.ForeignKey(
        Unit, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False
    )
    unit_path = models.CharField(max_length=255, blank=True)  # indexed with the date, below
    dated = models.DateField()  # the round's feedback date: which of two findings came later
    category = models.CharField(max_length=200, blank=True)  # its name: rounds name categories alike
    norm = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["unit_path", "dated"], name="similar_unit_dated")]

    def __str__(self):
        return self.norm[:40]


class Term(models.Model):
    key = models.BigIntegerField(primary_key=True)
    df = models.IntegerField(default=0)  # no CHECK: a decrement is an upsert of a negative count

    def __str__(self):
        return f"{self.key}: {self.df}"


class PostingBlock(models.Model):
    """Findings of one round filed under one feature, packed: up to `index.BLOCK` finding ids,
    newest first, as little-endian 64-bit integers, the block known by its newest id (`last`). An
    import writes one row per feature it touches (a few thousand) instead of one per finding and
    feature (hundreds of thousands): each row is one more entry in the primary key's B-tree, the
    indexing's largest cost on PostgreSQL. A finding entered alone joins its features' newest
    blocks of its round where they have room."""

    pk = models.CompositePrimaryKey("key", "last")
    key = models.BigIntegerField()
    last = models.BigIntegerField()  # the newest (largest) finding id in the block
    first = models.BigIntegerField()  # the oldest: which blocks a forgotten finding may be in
    # The round all its findings belong to, and the round's date: a lookup's "other rounds" and
    # "since" pass over whole blocks. Copies, like `Indexed`'s: no constraint, no index of their own.
    source = models.ForeignKey(
        Source, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    dated = models.DateField()
    docs = models.BinaryField()

    def __str__(self):
        return f"{self.key} → {self.first}…{self.last}"


class Corpus(models.Model):
    documents = models.PositiveIntegerField(default=0)

    def __str__(self):
        return str(self.documents)


class FlagStatus(models.TextChoices):
    PENDING = "pending", _("awaiting decision")
    CONFIRMED = "confirmed", _("confirmed repeat")
    DISMISSED = "dismissed", _("dismissed")


class RepeatFlagQuerySet(models.QuerySet):
    def restrict(self, user):
        """The flags whose two findings `user` may see (None: every flag): the one rule the list,
        the API, the finding page and every count apply — a flag with one end out of scope does not
        exist for the reader."""
        from taizhang.core.permissions import unrestricted

        if user is None or unrestricted(user):
            return self
        return self.filter(origin_visible(user, "earlier_id"), origin_visible(user, "later_id"))


class RepeatFlag(models.Model):
    """A finding (`later`) that may be the same problem found again in the same unit, or inside it,
    in a later round than `earlier`. The office decides; the decision is kept for re-tuning."""

    earlier = models.ForeignKey(Origin, on_delete=models.CASCADE, related_name="+")
    later = models.ForeignKey(Origin, on_delete=models.CASCADE, related_name="repeat_flags")
    score = models.FloatField()
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RepeatFlagQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["earlier", "later"], name="repeat_flag_once")]
        indexes = [models.Index(fields=["status", "later"], name="repeat_flag_status")]
        verbose_name = _("repeat finding")
        verbose_name_plural = _("repeat findings")

    def __str__(self):
        return f"{self.earlier_id} → {self.later_id}"
