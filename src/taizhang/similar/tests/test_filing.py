"""The batch form of the features and the filing rule gives what the one-text rule gives, and a
text's features do not depend on the width of its characters."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.similar import engine, filing

# A small alphabet of the genre's characters: texts share features, so frequencies and ties occur.
ALPHABET = "公车私用接待超标准会议培训经费台账不规范到位落实整改问题存在部分，。、（）(1)１Ａa "
texts = st.lists(st.text(alphabet=ALPHABET, max_size=40), min_size=1, max_size=30)


def filed_by_reference(norms, limit):
    """The rule of `filing.filed_under`, one finding at a time in plain Python."""
    df = Counter()
    for n in norms:
        df.update(set(engine.grams_of(n)))
    weights = engine.Weights(df, len(norms))
    out = []
    for n in norms:
        vec = weights.vector(engine.grams_of(n))
        ranked = sorted(vec.items(), key=lambda kv: (df[kv[0]] < filing.SHARED, -kv[1], kv[0]))
        out.append(sorted(k for k, _ in ranked[:limit]))
    return out


@settings(max_examples=200, deadline=None)
@given(texts)
def test_the_batch_features_are_each_texts_features(raw):
    norms = [engine.normalise(t) for t in raw]
    found = filing.features(norms)
    got = [Counter() for _ in norms]
    for doc, key, count in zip(found.doc.tolist(), found.key.tolist(), found.count.tolist(), strict=True):
        got[doc][key] = count
    assert got == [engine.grams_of(n) for n in norms]
    expected_df = Counter()
    for n in norms:
        expected_df.update(set(engine.grams_of(n)))
    assert filing.frequencies(found).as_dict() == dict(expected_df)


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(min_value=1, max_value=6))
def test_each_finding_is_filed_under_its_heaviest_shared_features(raw, limit):
    norms = [engine.normalise(t) for t in raw]
    found = filing.features(norms)
    freq = filing.frequencies(found)
    position, keys = filing.filed_under(found, freq, freq.findings, len(norms), limit)
    got = [[] for _ in norms]
    for at, key in zip(position.tolist(), keys.tolist(), strict=True):
        got[at].append(key)
    assert [sorted(g) for g in got] == filed_by_reference(norms, limit)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30) | st.text(alphabet=ALPHABET + "\0①⑴ΣΑσς一二", max_size=30), max_size=8))
def test_a_text_normalises_alike_alone_and_among_others(raw):
    alone = [engine.normalise(t) for t in raw]
    assert engine.normalise_many(raw) == alone
    assert all("\0" not in n for n in alone)


def test_full_and_half_width_forms_give_the_same_text():
    assert engine.normalise("（一）公车私用ＡＢ１２３问题，") == engine.normalise("(一)公车私用AB123问题,")
    assert engine.normalise("１．部分公车私用") == engine.normalise("公车私用")


def test_a_feature_key_is_its_two_characters():
    assert engine.feature_key("公车") == (ord("公") << engine.KEY_SHIFT) | ord("车")
    assert engine.grams_of("公车公车") == Counter({engine.feature_key("公车"): 2, engine.feature_key("车公"): 1})
