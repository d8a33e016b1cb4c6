"""The pure three-way plan: every branch of the decision table, the limits, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tui_sync.sync.plan import Item, LinkState, Op, plan

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
OLD = NOW - timedelta(days=1)


def crm(key: str, fp: str = "a", modified: datetime = OLD, when: datetime = NOW) -> Item:
    return Item(key, fp, modified=modified, when=when, match_key=key)


def remote(rid: str, fp: str = "a", version: str = "v1", modified: datetime = OLD, stamp: str | None = None):
    return Item(rid, fp, version=version, modified=modified, when=NOW, match_key=stamp)


def link(key: str = "1", rid: str = "R1", fp: str = "a", version: str = "v1") -> LinkState:
    return LinkState(key, rid, fp, version, fp)


def only_step(result):
    assert len(result.steps) == 1, result.steps
    return result.steps[0]


def test_in_sync_items_need_nothing() -> None:
    assert plan({"1": crm("1")}, {"R1": remote("R1")}, [link()]).steps == []


def test_unlinked_items_are_created_on_the_other_side() -> None:
    result = plan({"1": crm("1")}, {"R9": remote("R9", "z")}, [])
    assert {(s.op, s.crm_key, s.remote_id) for s in result.steps} == {
        (Op.CREATE_REMOTE, "1", None),
        (Op.CREATE_CRM, None, "R9"),
    }


def test_stamped_remote_items_are_relinked_not_duplicated() -> None:
    step = only_step(plan({"1": crm("1")}, {"R1": remote("R1", stamp="1")}, []))
    assert (step.op, step.crm_key, step.remote_id) == (Op.LINK, "1", "R1")


def test_relinked_items_that_differ_follow_the_policy() -> None:
    step = only_step(plan({"1": crm("1", "b")}, {"R1": remote("R1", stamp="1")}, [], policy="office"))
    assert step.op is Op.UPDATE_CRM and not step.conflict


def test_a_change_on_one_side_is_copied_to_the_other() -> None:
    assert only_step(plan({"1": crm("1", "b")}, {"R1": remote("R1")}, [link()])).op is Op.UPDATE_REMOTE
    step = only_step(plan({"1": crm("1")}, {"R1": remote("R1", "b", "v2")}, [link()]))
    assert step.op is Op.UPDATE_CRM


def test_a_new_change_key_with_the_same_content_is_no_change() -> None:
    assert plan({"1": crm("1")}, {"R1": remote("R1", "a", "v2")}, [link()]).steps == []


def test_conflicts_follow_the_policy() -> None:
    crm_newer = {"1": crm("1", "b", modified=NOW)}
    office_older = {"R1": remote("R1", "c", "v2", modified=OLD)}
    for policy, expected in (
        ("newest", Op.UPDATE_REMOTE),
        ("crm", Op.UPDATE_REMOTE),
        ("office", Op.UPDATE_CRM),
    ):
        step = only_step(plan(crm_newer, office_older, [link()], policy=policy))
        assert (step.op, step.conflict) == (expected, True)
    office_newer = {"R1": remote("R1", "c", "v2", modified=NOW + timedelta(seconds=1))}
    assert only_step(plan(crm_newer, office_newer, [link()])).op is Op.UPDATE_CRM


def test_identical_edits_on_both_sides_are_no_conflict() -> None:
    step = only_step(plan({"1": crm("1", "b")}, {"R1": remote("R1", "b", "v2")}, [link()]))
    assert (step.op, step.conflict) == (Op.LINK, False)


def test_deletions() -> None:
    assert only_step(plan({}, {"R1": remote("R1")}, [link()])).op is Op.DELETE_REMOTE
    assert only_step(plan({"1": crm("1")}, {}, [link()])).op is Op.DELETE_CRM
    assert only_step(plan({}, {}, [link()])).op is Op.UNLINK


def test_a_change_in_microsoft_wins_over_a_crm_deletion() -> None:
    step = only_step(plan({}, {"R1": remote("R1", "b", "v2")}, [link()]))
    assert (step.op, step.conflict) == (Op.CREATE_CRM, True)


def test_the_limit_keeps_the_items_nearest_to_now() -> None:
    items = {str(i): crm(str(i), when=NOW + timedelta(days=i - 5)) for i in range(10)}
    result = plan(items, {}, [], limit=4, now=NOW)
    assert result.left_out == 6
    assert {s.crm_key for s in result.steps} == {"5", "4", "6", "3"}


def test_the_limit_counts_weights() -> None:
    series = {
        k: Item(k, "a", when=NOW + timedelta(days=d), weight=w, match_key=k)
        for k, d, w in (("near", 0, 500), ("mid", 5, 400), ("far", 9, 300))
    }
    result = plan(series, {}, [], limit=800, now=NOW)
    assert {s.crm_key for s in result.steps} == {"near", "far"}
    assert result.left_out == 400


fingerprints = st.sampled_from("abc")


@given(
    st.dictionaries(st.sampled_from("123456"), fingerprints),
    st.dictionaries(st.sampled_from("123456"), st.tuples(fingerprints, st.sampled_from(["v1", "v2"]))),
    st.sets(st.sampled_from("123456")),
)
def test_every_item_gets_at_most_one_step_and_nothing_is_lost(crm_side, remote_side, linked) -> None:
    crm_items = {k: crm(k, fp) for k, fp in crm_side.items()}
    remote_items = {"R" + k: remote("R" + k, fp, v) for k, (fp, v) in remote_side.items()}
    links = [link(k, "R" + k) for k in linked]
    result = plan(crm_items, remote_items, links)
    crm_keys = [s.crm_key for s in result.steps if s.crm_key]
    remote_ids = [s.remote_id for s in result.steps if s.remote_id]
    assert len(crm_keys) == len(set(crm_keys)) and len(remote_ids) == len(set(remote_ids))
    for key in crm_items:  # a CRM item is never deleted without a DELETE_CRM (which needs confirmation)
        assert all(s.op is not Op.DELETE_REMOTE or s.crm_key != key for s in result.steps)
    for step in result.of(Op.DELETE_CRM):
        assert step.remote_id not in remote_items


def test_a_stamped_copy_stands_in_for_a_linked_item_that_is_gone() -> None:
    """A run killed after writing an item back (kept deletion) but before recording its new link: the
    next run pairs the stamped copy with the link instead of copying it to the CRM again."""
    step = only_step(plan({"1": crm("1")}, {"R2": remote("R2", version="v9", stamp="1")}, [link()]))
    assert (step.op, step.crm_key, step.remote_id) == (Op.LINK, "1", "R2")
    changed = only_step(plan({"1": crm("1", "b")}, {"R2": remote("R2", version="v9", stamp="1")}, [link()]))
    assert (changed.op, changed.remote_id) == (Op.UPDATE_REMOTE, "R2")
