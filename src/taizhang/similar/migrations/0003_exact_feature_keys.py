"""Features are keyed by their two code points instead of a 32-bit checksum (no collisions, and the
same key computed with array operations for a whole import): an index built before is refiled here
from the findings' texts, as `taizhang similar rebuild` would, without raising repeat flags again
(the scores do not change). A new database has nothing to refile."""

from collections import Counter

from django.db import migrations

BATCH = 5000
POSTING_KEYS, FILE_ALL_BELOW = 8, 2000  # similar.index's, as they were when this ran


def refile(apps, schema_editor):
    from taizhang.similar import engine, filing  # pure functions: no model of today is touched

    Indexed = apps.get_model("similar", "Indexed")
    if not Indexed.objects.exists():
        return
    Origin = apps.get_model("tasks", "Origin")
    Term, Posting, Corpus = (apps.get_model("similar", name) for name in ("Term", "Posting", "Corpus"))
    Posting.objects.all().delete()
    Term.objects.all().delete()
    ids = list(Indexed.objects.order_by("dated", "origin_id").values_list("origin_id", flat=True))
    df: Counter = Counter()
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            part = ids[start : start + BATCH]
            texts = dict(Origin.objects.filter(pk__in=part).values_list("pk", "text"))
            norms = engine.normalise_many([texts.get(pk, "") for pk in part])
            stored = dict(Indexed.objects.filter(pk__in=part).values_list("pk", "norm"))
            for pk, norm in zip(part, norms, strict=True):
                if stored[pk] != norm:  # the order of normalising changed with the keys
                    Indexed.objects.filter(pk=pk).update(norm=norm)
            found = filing.features(norms)
            freq = filing.frequencies(found)
            df.update(freq.as_dict())
            limit = None if start < FILE_ALL_BELOW else POSTING_KEYS
            position, keys = filing.filed_under(found, freq, freq.looked_up(df), start + len(part), limit)
            docs = [part[i] for i in position.tolist()]
            cursor.executemany(
                f"INSERT INTO {Posting._meta.db_table} (key, doc_id) VALUES (%s, %s)",
                list(zip(keys.tolist(), docs, strict=True)),
            )
    Term.objects.bulk_create([Term(key=k, df=n) for k, n in df.items()], batch_size=2000)
    Corpus.objects.update_or_create(pk=1, defaults={"documents": len(ids)})


class Migration(migrations.Migration):
    dependencies = [("similar", "0002_entries_without_round_index")]

    operations = [migrations.RunPython(refile, migrations.RunPython.noop)]
