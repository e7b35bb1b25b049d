"""The kiosk's steps in detail: state names, timings, exact screens, nothing to confirm.

Same scripts as ``test_interaction.py`` (real demo database, the state
machine driven as the daemon drives it, time from an injected clock). Here
each screen is checked whole where the person depends on its words, and the
edges are walked: the default timings and each hold's end, stray labels,
Snipe-IT labels, and that no plan waits to be committed where the screen
offers no Confirm. ``test_kiosk_database.py`` covers what the database does
under the kiosk.
"""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.config.settings import KioskConfig
from kiosk.domain.intake import UpdateAsset
from kiosk.domain.operations import execute
from kiosk.flow.intent import Rules
from kiosk.flow.interaction import Interaction
from kiosk.flow.screen import Screen
from kiosk.flow.wording import screen_text
from tests.flow.test_interaction import A1, A3, A4, BLINK, ON, Script, cli, play
from tests.flow.test_kiosk_rules import make_overdue

# The names `assettrack status` reports as "state" (a contract of the control socket).
IDLE, AWAIT_BADGE, AWAIT_SLOT, PREVIEW = "idle", "await_badge", "await_slot", "preview"
REPLACE, CONFLICT, ERROR, SUCCESS = "replace", "conflict", "error", "success"
FREE = (
    "CART-A:4",
    "CART-A:6",
    "CART-A:7",
    "CART-A:8",
    "CART-B:3",
    "CART-B:4",
    "CART-B:5",
    "CART-B:6",
)


def text(view):
    return " ".join(screen_text(view.screen))


def body(view):
    """The screen's data lines as one text (the panel wraps them at spaces)."""
    return " ".join(view.screen.lines)


def unconfigured(kiosk_db, other_db):
    """A script whose machine has every default: no rules, no timings, no start time."""
    script = Script(kiosk_db, other_db)
    script.machine = Interaction(script.port)
    return script


def test_the_states_have_the_names_status_reports(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(
        script,
        [
            ("scan LT-0101", AWAIT_BADGE, None, None),
            ("scan BADGE:0043", PREVIEW, None, None),
            ("scan LT-0103", REPLACE, None, None),
            ("confirm", REPLACE, None, None),
            ("cancel", IDLE, None, None),
            ("scan SLOT:CART-A:1", ERROR, None, None),
            ("scan LT-0102", AWAIT_BADGE, None, None),
            ("scan BADGE:9999", CONFLICT, None, None),
            ("scan BADGE:0044", PREVIEW, None, None),
            ("confirm", SUCCESS, None, None),
        ],
    )
    slot_first = Script(kiosk_db, other_db, rules=Rules(intake="slot"))
    play(slot_first, [("scan LT-0999", AWAIT_SLOT, {A4: BLINK}, None)])


@pytest.mark.parametrize(
    "actions",
    [
        ["scan LT-0999"],  # intake by slot label
        ["scan LT-0101", "scan BADGE:0043", "scan LT-0103"],  # asked to switch
    ],
)
def test_a_step_under_way_blinks_ready_and_leaves_conflict_off(actions, kiosk_db, other_db):
    script = Script(kiosk_db, other_db, rules=Rules(intake="slot"))
    for action in actions:
        script.step(action)
    view = script.machine.view
    assert view.state in (AWAIT_SLOT, REPLACE)
    assert (view.ready, view.conflict) == ("blink", "off")


def test_a_view_once_shown_cannot_be_changed(kiosk_db, other_db):
    view = Script(kiosk_db, other_db).machine.view
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.state = ERROR  # type: ignore[misc]


def test_without_options_the_kiosk_keeps_an_unconfigured_sites_timings(kiosk_db, other_db):
    kiosk = KioskConfig()
    script = unconfigured(kiosk_db, other_db)
    play(
        script,
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            (f"wait {kiosk.idle_timeout - 0.5}", AWAIT_BADGE, {A1: BLINK}, None),
            ("wait 0.5", IDLE, {}, "Scan an asset"),
            ("scan BADGE:0042", ERROR, {}, None),
            (f"wait {kiosk.error_hold - 0.5}", ERROR, {}, None),
            ("wait 0.5", IDLE, {}, None),
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("confirm", SUCCESS, {A3: ON}, None),
            (f"wait {kiosk.success_hold - 0.5}", SUCCESS, {A3: ON}, None),
            ("wait 0.5", IDLE, {}, None),
        ],
    )


def test_each_hold_ends_exactly_at_its_length(kiosk_db, other_db):
    script = Script(kiosk_db, other_db, idle_timeout=8, success_hold=2, error_hold=4)
    play(
        script,
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("wait 7", PREVIEW, {A3: BLINK}, None),
            ("wait 1", IDLE, {}, None),
            ("scan SLOT:CART-A:1", ERROR, {}, None),
            ("wait 3", ERROR, {}, None),
            ("wait 1", IDLE, {}, None),
            ("cancel", IDLE, {}, "Nothing to cancel"),
            ("wait 3", IDLE, {}, "Nothing to cancel"),
            ("wait 1", IDLE, {}, None),
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("confirm", SUCCESS, {A3: ON}, None),
            ("wait 1", SUCCESS, {A3: ON}, None),
            ("wait 1", IDLE, {}, None),
        ],
    )
    assert script.machine.view.screen.title == "Scan an asset"


def test_the_idle_screen_stays_without_a_note_however_long(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    before = script.machine.view
    play(script, [("wait 1000", IDLE, {}, None)])
    assert script.machine.view == before


def test_a_second_confirm_after_success_commits_nothing_more(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(
        script,
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("confirm", SUCCESS, {A3: ON}, "LT-0103 in CART-A:3"),
            ("confirm", SUCCESS, {A3: ON}, "LT-0103 in CART-A:3"),
            ("scan CMD:CONFIRM", SUCCESS, {A3: ON}, None),
        ],
    )
    with kiosk_db.read() as conn:
        done = conn.execute("SELECT count(*) FROM events WHERE actor = 'kiosk'").fetchone()[0]
    assert done == 1


def test_confirm_and_cancel_say_what_they_did(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(script, [("confirm", IDLE, {}, None), ("cancel", IDLE, {}, None)])
    assert script.machine.view.screen.title == "Nothing to cancel"
    play(script, [("scan LT-0103", PREVIEW, {A3: BLINK}, None), ("cancel", IDLE, {}, None)])
    assert script.machine.view.screen.title == "Cancelled"
    assert script.machine.view.screen.lines[0] == "nothing changed"


@pytest.mark.parametrize(
    ("actions", "hint"),
    [
        (["scan LT-0101"], "Scan your badge first"),
        (["scan LT-0999"], "Scan its slot label"),
        (["scan LT-0101", "scan LT-0103"], "Rescan it, or Cancel"),
    ],
)
def test_a_confirm_with_nothing_to_confirm_says_what_is_awaited_and_keeps_the_step(
    actions, hint, kiosk_db, other_db
):
    script = Script(kiosk_db, other_db, rules=Rules(intake="slot"))
    for action in actions:
        script.step(action)
    waiting = script.machine.view
    script.step("wait 20")
    script.step("confirm")
    view = script.machine.view
    assert view.screen.action == hint
    assert dataclasses.replace(view, screen=waiting.screen) == waiting
    # The press counts as the person still being there: the idle timeout starts again.
    play(script, [("wait 20", waiting.state, None, None), ("wait 10", IDLE, {}, None)])


# -- exact words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("SLOT:CART-A:1", "That is a slot label; scan an asset tag first"),
        ("BADGE:0042", "That is a badge; scan an asset tag first"),
    ],
)
def test_a_label_at_idle_says_which_label_it_was(code, message, kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    view = play(script, [(f"scan {code}", ERROR, {}, None)])
    assert view.screen.kind == "error"
    assert view.screen.title == "Not understood"
    assert body(view) == message
    assert view.screen.action == "Scan an asset tag"
    assert (view.ready, view.conflict) == ("off", "on")


def test_a_bad_label_asks_for_a_reprint(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    view = play(script, [("scan SLOT:CART-A:0", ERROR, {}, None)])
    assert (view.screen.kind, view.screen.title, view.screen.action) == (
        "error",
        "Bad label",
        "Reprint the label",
    )
    assert body(view).startswith("bad slot label SLOT:CART-A:0")


def test_the_switch_screen_names_both_tags_and_keeps_the_step_on_stray_labels(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(script, [("scan LT-0103", PREVIEW, {A3: BLINK}, None)])
    asked = play(script, [("scan LT-0201", REPLACE, {}, None)])
    assert asked.screen == Screen(
        "preview",
        "Switch to LT-0201?",
        asked.screen.lines,
        "Rescan it, or Cancel",
    )
    assert body(asked) == "LT-0103 stock-in is not done. Scan LT-0201 again to switch"
    for stray in ("SLOT:CART-A:4", "BADGE:0042", "CMD:CONFIRM"):
        assert play(script, [(f"scan {stray}", REPLACE, {}, None)]) == asked
    play(script, [("refresh", REPLACE, {}, None)])
    assert script.machine.view == asked


@pytest.mark.parametrize("again", ["LT-0201", "LT-0103", "LT-0102"])
def test_on_the_switch_screen_any_tag_starts_its_step(again, kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(script, [("scan LT-0103", PREVIEW, None, None), ("scan LT-0201", REPLACE, {}, None)])
    script.step(f"scan {again}")
    view = script.machine.view
    assert view.state in (AWAIT_BADGE, PREVIEW)
    assert again in text(view)
    assert script.machine.intent.tag == again


@pytest.mark.parametrize(
    ("actions", "stray", "hint"),
    [
        (["scan LT-0101"], "SLOT:CART-A:4", "Scan your badge first"),
        (["scan LT-0101", "scan BADGE:0043"], "SLOT:CART-A:4", "Confirm or Cancel?"),
        (["scan LT-0103"], "BADGE:0042", "Confirm or Cancel?"),
    ],
)
def test_a_stray_label_keeps_the_step_and_says_what_is_expected(
    actions, stray, hint, kiosk_db, other_db
):
    script = Script(kiosk_db, other_db)
    for action in actions:
        script.step(action)
    before = script.machine.view
    script.step(f"scan {stray}")
    view = script.machine.view
    assert view.screen.action == hint
    assert dataclasses.replace(view, screen=before.screen) == before
    assert (view.screen.title, view.screen.lines) == (before.screen.title, before.screen.lines)


def test_stray_labels_while_a_slot_label_is_awaited(kiosk_db, other_db):
    script = Script(kiosk_db, other_db, rules=Rules(intake="slot"))
    view = play(script, [("scan LT-0999", AWAIT_SLOT, {A4: BLINK}, None)])
    assert view.screen.title == "New asset"
    assert view.screen.lines == ("LT-0999", "e.g. CART-A:4 (lit)")
    for stray in ("BADGE:0042", "CMD:CONFIRM"):
        stayed = play(script, [(f"scan {stray}", AWAIT_SLOT, {A4: BLINK}, None)])
        assert stayed.screen.action == "Scan its slot label"
        assert stayed.screen.lines == view.screen.lines


def test_intake_by_slot_label_with_no_free_slot_lights_nothing(kiosk_db, other_db):
    for i, slot in enumerate(FREE):
        cli(other_db, "add", f"LT-05{i:02d}", f"into={slot}")
    script = Script(kiosk_db, other_db, rules=Rules(intake="slot"))
    view = play(script, [("scan LT-0999", AWAIT_SLOT, {}, None)])
    assert view.screen.lines == ("LT-0999", "no free slot now")
    # The one empty slot left is kept for LT-0103, out on loan; a label may still choose it.
    play(script, [("scan SLOT:CART-A:3", PREVIEW, {A3: BLINK}, "into CART-A:3")])


def test_intake_off_names_the_tag_and_the_way_to_add_it(kiosk_db, other_db):
    script = Script(kiosk_db, other_db, rules=Rules(intake="off"))
    view = play(script, [("scan LT-0999", ERROR, {}, None)])
    assert view.screen.title == "Unknown tag"
    assert body(view) == "LT-0999 is not registered; staff add assets with the CLI"
    assert view.screen.action == "Scan tag, or Cancel"


def test_a_plan_refused_at_preview_is_titled_blocked(kiosk_db, other_db):
    cli(other_db, "retire", "LT-0102")
    script = Script(kiosk_db, other_db)
    view = play(script, [("scan LT-0102", CONFLICT, {}, "RETIRED")])
    assert view.screen.title == "Blocked"
    assert (view.ready, view.conflict) == ("off", "on")


@pytest.mark.parametrize(
    ("lenient", "typed"),
    [(False, "lt-0101"), (True, "lt-0101"), (False, " Lt-0101 ")],
)
def test_a_case_twin_is_refused_by_name(lenient, typed, kiosk_db, other_db):
    from kiosk.flow.barcodes import Classifier

    options = {"classifier": Classifier(tag=r"^[A-Za-z]+-[0-9]+$")} if lenient else {}
    script = Script(kiosk_db, other_db, **options)
    script.step(f"scan {typed}")
    view = script.machine.view
    assert view.state == ERROR
    assert view.screen.title == "Check the tag"
    assert body(view) == f"{typed.strip()} is not LT-0101: tags differ in letter case"


# -- Snipe-IT labels -----------------------------------------------------------


def test_a_snipeit_hardware_label_is_the_asset_with_that_id(kiosk_db, other_db):
    execute(other_db, UpdateAsset(tag="LT-0101", snipeit_id=44), actor="cli")
    script = Script(kiosk_db, other_db)
    play(
        script,
        [
            ("scan https://snipe.example.org/hardware/44", AWAIT_BADGE, {A1: BLINK}, "LT-0101"),
            ("cancel", IDLE, {}, None),
            ("scan https://snipe.example.org/ht/LT-0103", PREVIEW, {A3: BLINK}, "LT-0103"),
        ],
    )
    view = play(script, [("scan https://snipe.example.org/hardware/45", ERROR, {}, None)])
    assert body(view) == "Snipe-IT id 45 unknown: import with the ID column"


# -- nothing to confirm --------------------------------------------------------


@pytest.mark.parametrize(
    "actions",
    [
        [],
        ["scan LT-0101"],  # waiting for a badge
        ["scan LT-0101", "scan BADGE:0043", "scan LT-0103"],  # asked to switch
        ["scan LT-0102", "scan LT-0101"],  # switch from a waiting stock-out
        ["cli retire LT-0102", "scan LT-0102"],  # blocked at preview
        ["scan LT-0101", "scan BADGE:9999"],  # unknown badge
        ["scan LT-0103", "cli stock_in LT-0103 slot=CART-B:3", "confirm"],  # refused commit
        ["scan LT-0103", "cli add LT-0950 into=CART-A:3", "refresh"],  # blocked meanwhile
        ["scan SLOT:CART-A:1"],  # error
        ["scan LT-0103", "cancel"],
    ],
)
def test_where_the_screen_offers_no_confirm_there_is_no_plan_to_commit(actions, kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    for action in actions:
        script.step(action)
    assert script.machine.view.screen.action != "Confirm / Cancel"
    assert script.machine.plan is None
    assert script.machine.confirm(script.now) is None


def test_an_overdue_block_leaves_no_plan_to_commit(kiosk_db, other_db):
    make_overdue(other_db, "LT-0103", 1)
    script = Script(kiosk_db, other_db, rules=Rules(block_overdue=True))
    script.step("scan LT-0101")
    play(script, [("scan BADGE:0042", CONFLICT, {}, "overdue 1 d")])
    assert script.machine.plan is None
