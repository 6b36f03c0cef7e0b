"""The demo's sample ledger: shipped inside the product (sheets/samples), imported once."""

import datetime as dt
from pathlib import Path

from taizhang.org.models import Unit
from taizhang.rectification import actions
from taizhang.rectification.models import Source, SourceKind
from taizhang.sheets.importer import import_file

SAMPLE = Path(__file__).resolve().parent.parent / "sheets" / "samples" / "rectification-ledger.xlsx"
TITLE = "市委落实省委巡视反馈意见整改"


def load_sample_ledger() -> Source:
    source = Source.objects.filter(title=TITLE).first()
    if source:
        return source
    source = actions.save_source(
        None,
        {
            "kind": SourceKind.TOUR,
            "title": TITLE,
            "issuer": "省委第三巡视组",
            "inspected_unit": Unit.objects.filter(name="中共示范市委员会").first(),
            "feedback_date": dt.date(2024, 1, 15),
        },
        by=None,
    )
    result = import_file(SAMPLE, source, by=None)
    if result["errors"]:
        raise RuntimeError(f"The demo ledger did not import: {result['errors']}")
    return source
