"""Trends on a real store: stable ids, incremental growth, merges and splits recorded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from techwatch.embed import HashingEmbedder
from techwatch.store import schema as t
from techwatch.trends.cluster import ClusterParams
from techwatch.trends.model import TrendModel, trend_id
from techwatch.trends.repo import history
from test_trends_corpus import TOPICS, add_card, make_store, month, seed_topics

PARAMS = ClusterParams(similarity=0.3, min_size=3, merge_similarity=0.9)


def model(params: ClusterParams = PARAMS) -> TrendModel:
    return TrendModel(HashingEmbedder(), params)


def trend_rows(store, kind="signals"):
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.trends).where(t.trends.c.kind == kind)).all()
    return {r.id: r for r in rows}


def members(store, kind="signals"):
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.trend_members).where(t.trend_members.c.kind == kind)).all()
    return {r.item_key: r.trend_id for r in rows}


def test_three_subjects_give_three_trends_named_after_a_member(tmp_path):
    store = make_store(tmp_path)
    seed_topics(store)
    report = model().update(store, "signals")
    assert report.mode == "full" and len(report.created) == 3
    rows = trend_rows(store)
    phrases = {p for ps in TOPICS.values() for p in ps}
    for row in rows.values():
        assert row.status == "active" and row.size == 12
        assert row.label in phrases  # a name a person wrote, not a bag of words
        assert row.terms
    # Every member of a trend comes from one subject.
    by_trend: dict[str, set[str]] = {}
    for key, tid in members(store).items():
        by_trend.setdefault(tid, set()).add(key)
    assert sorted(len(v) for v in by_trend.values()) == [12, 12, 12]


def test_same_data_same_ids_on_rerun_and_in_a_fresh_store(tmp_path):
    first = make_store(tmp_path, "a.sqlite")
    seed_topics(first)
    model().update(first, "signals")
    ids = set(trend_rows(first))
    again = model().update(first, "signals")
    assert again.new_items == 0 and not again.created and set(trend_rows(first)) == ids
    second = make_store(tmp_path, "b.sqlite")
    seed_topics(second)
    model().update(second, "signals")
    assert set(trend_rows(second)) == ids
    assert members(second) == members(first)
    # The id is the hash of the founding members: recomputable from the member keys.
    for tid in ids:
        keys = [k for k, v in members(first).items() if v == tid]
        assert trend_id("signals", keys) == tid


def test_growth_joins_existing_trends_and_founds_new_ones(tmp_path):
    store = make_store(tmp_path)
    seed_topics(store)
    m = model()
    m.update(store, "signals")
    before = trend_rows(store)
    old_members = members(store)
    # Two more battery cards, and a new subject with four items.
    add_card(
        store,
        "battery-new",
        month(date(2024, 1, 1), 6),
        signals=[TOPICS["battery"][0], "Sodium battery storage boom"],
    )
    for n in range(2):
        add_card(
            store,
            f"hydrogen-{n}",
            month(date(2024, 1, 1), 6 + n),
            signals=[f"Green hydrogen electrolysers {n}", f"Hydrogen electrolysers scale up {n}"],
        )
    report = m.update(store, "signals")
    assert report.mode == "incremental" and report.new_items == 6
    after = trend_rows(store)
    assert set(before) <= set(after)  # no id renumbered
    assert all(old_members[k] == v for k, v in members(store).items() if k in old_members)
    assert report.joined >= 2 and len(report.created) == 1
    battery = next(tid for tid, r in before.items() if "odium" in r.label)
    assert after[battery].size == before[battery].size + 2
    actions = [h["action"] for h in history(store, kind="signals")]
    assert actions.count("create") == 4


def test_full_recluster_keeps_ids_and_records_merges_and_splits(tmp_path):
    store = make_store(tmp_path)
    seed_topics(store)
    model().update(store, "signals")
    ids = set(trend_rows(store))
    # Same data, full recluster: every trend keeps its id, nothing recorded as merged.
    report = model().update(store, "signals", full=True)
    assert report.mode == "full" and not report.merged and not report.split
    assert {tid for tid, r in trend_rows(store).items() if r.status == "active"} == ids
    # A looser cut joins subjects: the trends that lose their identity are recorded as merged.
    loose = model(ClusterParams(similarity=-1.0, min_size=3, merge_similarity=0.99))
    report = loose.update(store, "signals", full=True)
    rows = trend_rows(store)
    active = [tid for tid, r in rows.items() if r.status == "active"]
    assert len(active) == 1 and active[0] in ids
    merged = [h for h in history(store) if h["action"] == "merge"]
    assert {h["trend_id"] for h in merged} == ids - {active[0]}
    assert all(h["other_id"] == active[0] for h in merged)
    assert all(rows[h["trend_id"]].merged_into == active[0] for h in merged)
    # Back to the finer cut: the big trend keeps its id, the others are recorded as splits.
    report = model().update(store, "signals", full=True)
    assert len(report.split) == 2 and all(parent == active[0] for parent, _ in report.split)
    splits = [h for h in history(store) if h["action"] == "split"]
    assert {h["other_id"] for h in splits} == {active[0]}
    assert active[0] in {tid for tid, r in trend_rows(store).items() if r.status == "active"}


def test_each_kind_clusters_on_its_own(tmp_path):
    store = make_store(tmp_path)
    seed_topics(store)
    reports = model().update_all(store)
    kinds = {r.kind: r for r in reports}
    assert set(kinds) == {"signals", "technologies", "concerns", "behaviors", "issues"}
    assert kinds["technologies"].items == 18  # one per card
    assert kinds["technologies"].trends >= 1
    assert kinds["concerns"].items == 0 and kinds["concerns"].trends == 0
    tech = trend_rows(store, "technologies")
    assert all(tid.startswith("tec-") for tid in tech)


def test_the_large_set_path_samples_assigns_and_goes_round_again(tmp_path):
    from techwatch.trends.cluster import cluster_vectors

    store = make_store(tmp_path)
    seed_topics(store)
    # direct_limit below the 36 items forces the sample-and-assign path used at scale.
    params = ClusterParams(similarity=0.3, min_size=3, direct_limit=10, sample_size=12)
    report = model(params).update(store, "signals")
    assert report.trends == 3 and report.residue == 0
    assert sorted(r.size for r in trend_rows(store).values()) == [12, 12, 12]
    # The first sample (8 rows: 6 battery, 2 quantum phrasings) has no farming item;
    # farming is found when the rows left over go round again.
    texts = [p for ps in TOPICS.values() for p in ps] * 2
    vectors = HashingEmbedder().embed(texts)
    labels = cluster_vectors(vectors, ClusterParams(similarity=0.3, direct_limit=10, sample_size=8))
    assert len(set(labels.tolist()) - {-1}) == 3
    farming = {int(x) for x, t in zip(labels, texts, strict=True) if t in TOPICS["farming"]}
    assert len(farming) == 1 and -1 not in farming


def test_a_rename_is_pinned_and_recorded(tmp_path):
    from techwatch.trends.repo import rename

    store = make_store(tmp_path)
    seed_topics(store)
    m = model()
    m.update(store, "signals")
    tid = next(iter(trend_rows(store)))
    rename(store, tid, "My name for it")
    for n in range(4):  # growth that would relabel it
        add_card(
            store, f"more-{n}", month(date(2024, 1, 1), 7), signals=list(TOPICS["battery"][:2])
        )
    m.update(store, "signals", full=True)
    assert trend_rows(store)[tid].label == "My name for it"
    renames = [h for h in history(store, tid) if h["action"] == "rename"]
    assert renames and renames[0]["detail"]["to"] == "My name for it"


def test_items_that_leave_the_corpus_leave_their_trend(tmp_path):
    from techwatch.card import Card

    store = make_store(tmp_path)
    ids = seed_topics(store)
    m = model()
    m.update(store, "signals")
    before = trend_rows(store)
    # Re-analysis empties the six battery cards: that trend loses every member.
    battery_cards = [i for i in ids if store.get_card(i)["card"]["title"].startswith("Battery")]
    for article_id in battery_cards:
        store.save_card(article_id, status="ok", card=Card(title="emptied"))
    report = m.update(store, "signals")
    assert report.removed_items == 12 and len(report.dissolved) == 1
    gone = report.dissolved[0]
    assert before[gone].status == "active" and trend_rows(store)[gone].status == "dissolved"
    assert any(h["action"] == "dissolve" for h in history(store, gone))
    assert all(v != gone for v in members(store).values())
