"""Lifecycles of letters and cases: the codes, the legal steps of each kind of case, and which
action may move a case from which status. Pure data and functions.

Legal grounds: complaints — Luật Khiếu nại 2011 Điều 10, 11a (2026), 27–31, 36–40; denunciations —
Luật Tố cáo 2018 Điều 24, 29, 30, 33–35; petitions and feedback — Luật TCD Điều 26.2; grassroots
mediation — Luật HGOCS 2013 Điều 20–27; land-dispute mediation — Luật Đất đai 2024 Điều 235;
land disputes decided by the commune chair — NĐ 151/2025/NĐ-CP (from 1 Jul 2025).
"""
from __future__ import annotations

from dataclasses import dataclass

LETTER_CHANNELS = ("visit", "post", "transferred_in", "mailbox", "online", "email")
LETTER_KINDS = ("complaint", "denunciation", "petition", "feedback", "mediation")
MEDIATION_TYPES = ("grassroots", "land_dispute")
HANDLING_DECISIONS = ("accept", "transfer", "guide", "return", "archive")
LETTER_STATUSES = ("registered", "handled")

CASE_KINDS = ("complaint", "denunciation", "petition", "feedback", "mediation", "land_mediation", "land_dispute")
OPEN_STATUSES = ("accepted", "verifying", "mediating", "suspended")
CLOSED_STATUSES = ("concluded", "terminated", "sent_up")
CASE_STATUSES = OPEN_STATUSES + CLOSED_STATUSES
OUTCOMES: dict[str, tuple[str, ...]] = {
    "complaint": ("right", "wrong", "partly_right"),
    "denunciation": ("true", "false", "partly_true"),
    "petition": ("answered",),
    "feedback": ("answered",),
    "mediation": ("succeeded", "failed"),
    "land_mediation": ("succeeded", "failed"),
    "land_dispute": ("decided", "recognised"),
}
ALL_OUTCOMES = tuple(sorted({o for v in OUTCOMES.values() for o in v} | {"withdrawn", "terminated", "sent_up"}))
ACTIONS = ("assign", "verify", "dialogue", "mediate", "extend", "suspend", "resume", "conclude", "withdraw",
           "terminate", "send_up", "open_dispute", "note", "submit", "guide_court")
DELAY_REASONS = ("waiting_other_body", "citizen_unreachable", "site_verification", "expert_assessment",
                 "complex_matter", "workload", "other")

# Documents the law requires with each action (number, date and signer on the timeline).
DOCUMENT_REQUIRED = {"conclude", "extend", "suspend", "resume", "withdraw", "terminate"}

_WORKING = OPEN_STATUSES[:3]  # accepted, verifying, mediating


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the status does not change (a note, a dialogue, an extension)


def _common(extra: tuple[Transition, ...]) -> dict[str, Transition]:
    base = (
        Transition("assign", _WORKING + ("suspended",), None),
        Transition("note", CASE_STATUSES, None),
        # The handler submits a draft decision, conclusion or answer for the chairperson's signature.
        Transition("submit", _WORKING, None),
        Transition("suspend", _WORKING, "suspended"),
        Transition("resume", ("suspended",), None),  # back to the status before the suspension
        Transition("withdraw", _WORKING + ("suspended",), "terminated"),
        Transition("terminate", _WORKING + ("suspended",), "terminated"),
    )
    return {t.action: t for t in base + extra}


TRANSITIONS: dict[str, dict[str, Transition]] = {
    "complaint": _common((
        Transition("verify", ("accepted",), "verifying"),
        Transition("dialogue", ("accepted", "verifying"), "verifying"),
        Transition("conclude", ("accepted", "verifying"), "concluded"),
    )),
    "denunciation": _common((
        Transition("verify", ("accepted",), "verifying"),
        Transition("extend", ("accepted", "verifying"), None),
        Transition("conclude", ("accepted", "verifying"), "concluded"),
    )),
    "petition": _common((
        Transition("verify", ("accepted",), "verifying"),
        Transition("mediate", ("accepted", "verifying", "mediating"), "mediating"),
        Transition("conclude", _WORKING, "concluded"),
        Transition("send_up", _WORKING, "sent_up"),
    )),
    "mediation": _common((
        Transition("mediate", ("accepted", "mediating"), "mediating"),
        Transition("conclude", ("accepted", "mediating"), "concluded"),
        Transition("send_up", ("accepted", "mediating", "concluded"), "sent_up"),
        # After a failed grassroots mediation the parties may go to court (Luật HGCS 2013 Điều 27 and the
        # civil procedure): recorded so the report can say what happened next; the status stays.
        Transition("guide_court", ("concluded",), None),
    )),
    "land_mediation": _common((
        Transition("mediate", ("accepted", "mediating"), "mediating"),
        Transition("conclude", ("accepted", "mediating"), "concluded"),
        Transition("send_up", ("concluded",), "sent_up"),
        Transition("open_dispute", ("concluded", "sent_up"), None),
        # Luật Đất đai 2024 Điều 236: after a failed mediation at the commune the parties may sue in court.
        Transition("guide_court", ("concluded",), None),
    )),
    "land_dispute": _common((
        Transition("verify", ("accepted",), "verifying"),
        Transition("conclude", ("accepted", "verifying"), "concluded"),
    )),
}
TRANSITIONS["feedback"] = TRANSITIONS["petition"]

@dataclass(frozen=True)
class CaseState:
    kind: str
    status: str
    outcome: str | None
    extensions: int
    max_extensions: int


def transition_problem(state: CaseState, action: str, outcome: str | None) -> str | None:
    """Why ``action`` may not be applied to a case in ``state``, as an error code; None if it may."""
    table = TRANSITIONS.get(state.kind, {})
    transition = table.get(action)
    if transition is None:
        return "action_not_for_kind"
    if state.status not in transition.sources:
        return "action_not_in_status"
    if action == "conclude":
        if outcome not in OUTCOMES[state.kind]:
            return "outcome_invalid"
    elif outcome is not None and action != "send_up":
        return "outcome_not_expected"
    if action == "extend" and state.extensions >= state.max_extensions:
        return "extension_limit"
    if action == "send_up" and state.kind in ("mediation", "land_mediation") and state.status == "concluded" \
            and state.outcome != "failed":
        return "send_up_needs_failure"
    # Whether the commune may decide the dispute at all (since 1 Jul 2025, NĐ 151/2025) is a
    # question for the deadline rules in force: the service asks them.
    if action in ("open_dispute", "guide_court") and state.outcome != "failed":
        return "send_up_needs_failure"
    return None


def target_status(kind: str, action: str, current: str, before_suspension: str | None) -> str:
    transition = TRANSITIONS[kind][action]
    if action == "resume":
        return before_suspension or "accepted"
    return transition.target or current


def outcome_after(action: str, outcome: str | None, current: str | None) -> str | None:
    if action == "withdraw":
        return "withdrawn"
    if action == "terminate":
        return "terminated"
    if action == "send_up":
        return current or "sent_up"
    if action == "conclude":
        return outcome
    return current


def allowed_actions(state: CaseState) -> list[str]:
    """Actions a user may take now (for the buttons of a case page)."""
    return [a for a in TRANSITIONS.get(state.kind, {})
            if state.status in TRANSITIONS[state.kind][a].sources
            and (a != "extend" or state.extensions < state.max_extensions)
            and (a != "send_up" or state.status != "concluded" or state.outcome == "failed")
            and (a not in ("open_dispute", "guide_court") or state.outcome == "failed")]


def case_kind_for(letter_kind: str, mediation_type: str | None) -> str:
    if letter_kind == "mediation":
        return "land_mediation" if mediation_type == "land_dispute" else "mediation"
    return letter_kind


# Clocks started when a letter is registered, per kind (domain.md "Deadline table"): the notice to
# the sender, the 45-day backstop, and the first legal step of the kind.
LETTER_CLOCKS: dict[str, tuple[str, ...]] = {
    "complaint": ("letter.notify", "letter.backstop", "complaint.accept"),
    "denunciation": ("letter.notify", "letter.backstop", "denunciation.initial"),
    "petition": ("letter.notify", "letter.backstop"),
    "feedback": ("letter.notify", "letter.backstop"),
    "mediation": ("letter.notify", "letter.backstop"),
    "land_mediation": ("letter.notify", "letter.backstop"),
    "land_dispute": ("letter.notify", "letter.backstop", "land_dispute.accept"),
}
# A transfer of a denunciation has its own, shorter clock (Luật TC Điều 24.2).
TRANSFER_CLOCK = {"denunciation": "denunciation.transfer"}

# Clocks started when a case is accepted, and from which event each counts: land-dispute
# mediation runs from the receipt of the request (Luật Đất đai 2024 Điều 235.2.c).
CASE_CLOCKS: dict[str, tuple[tuple[str, str], ...]] = {
    "complaint": (("complaint.resolve", "accepted"),),
    "denunciation": (("denunciation.resolve", "accepted"),),
    "petition": (("petition.resolve", "accepted"),),
    "feedback": (("feedback.resolve", "accepted"),),
    "mediation": (("mediation.start", "accepted"),),
    "land_mediation": (("land_mediation.resolve", "received"),),
    "land_dispute": (("land_dispute.resolve", "accepted"),),
}
# A clock that the first action of the kind satisfies (mediation must *start* within its time).
MET_BY_ACTION = {"mediation.start": "mediate"}
CLOSING_ACTIONS = ("conclude", "withdraw", "terminate", "send_up")
# Actions of the chairperson that answer a submission (the case no longer waits for a decision).
DECIDING_ACTIONS = CLOSING_ACTIONS + ("extend", "suspend", "open_dispute")
