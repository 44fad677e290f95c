"""Display labels of the English codes (translated; Vietnamese by default)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS: dict[str, dict[str, object]] = {
    "role": {
        "admin": _l("Administrator"), "chair": _l("Chairperson"), "vice_chair": _l("Vice-chairperson"),
        "receptionist": _l("Reception officer"), "handler": _l("Case handler"), "inspector": _l("Inspector"),
    },
    "level": {"province": _l("Province"), "district": _l("District (before 1/7/2025)"), "commune": _l("Commune")},
    "channel": {"in_person": _l("In person"), "online": _l("Online")},
    "kind": {"regular": _l("Regular"), "scheduled": _l("Scheduled (chairperson)"), "adhoc": _l("Ad hoc")},
    "host": {"chair": _l("Chairperson"), "vice_chair": _l("Vice-chairperson"), "officer": _l("Reception officer")},
    "classification": {
        "complaint": _l("Complaint"), "denunciation": _l("Denunciation"), "petition": _l("Petition"),
        "feedback": _l("Feedback"), "mediation": _l("Mediation request"), "other": _l("Other"),
    },
    "subject": {
        "land": _l("Land"), "site_clearance": _l("Site clearance"), "construction": _l("Construction"),
        "environment": _l("Environment"), "social_policy": _l("Social policy"),
        "administration": _l("Administration"), "justice": _l("Justice"), "family": _l("Marriage and family"),
        "other": _l("Other"),
    },
    "handling": {
        "letter_received": _l("Letter received for acceptance"), "guided": _l("Explained and guided"),
        "referred": _l("Transferred to the competent body"), "answered": _l("Answered on the spot"),
        "declined": _l("Reception refused"),
    },
    "gender": {"male": _l("Male"), "female": _l("Female"), "other": _l("Other")},
    "decline_ground": {
        "incapacitated": _l("Drunk, under stimulants or unable to control behaviour"),
        "abusive": _l("Threatened or insulted staff, or broke the reception rules"),
        "settled_repeat": _l("Persists with a matter already settled correctly"),
        "other_by_law": _l("Other case provided by law"),
        "weapons": _l("Carries weapons or dangerous items and refuses to deposit them"),
        "refused_security_check": _l("Refuses the security check"),
        "unauthorised_recording": _l("Records or films after being told not to"),
        "public_disorder": _l("Incites or disturbs public order"),
        "no_legal_capacity": _l("Lacks legal capacity and has no lawful representative"),
        "unproven_representative": _l("Representative cannot prove representation"),
        "out_of_scope": _l("Content outside complaints, denunciations, petitions and feedback"),
        "answered_no_new_facts": _l("Already answered properly, no new facts"),
        "final_judgment": _l("Settled by a final court judgment"),
        "handled_elsewhere": _l("Being handled by another competent body"),
    },
    "weekday": {
        1: _l("Monday"), 2: _l("Tuesday"), 3: _l("Wednesday"), 4: _l("Thursday"), 5: _l("Friday"),
        6: _l("Saturday"), 7: _l("Sunday"),
    },
    "certainty": {"C": _l("Confirmed"), "S": _l("One secondary source"), "U": _l("Uncertain")},
    "public_stage": {
        "registered": _l("Received, being examined"), "transferred": _l("Transferred to the competent body"),
        "guided": _l("You were guided to the competent body"), "returned": _l("Returned with the reasons"),
        "filed": _l("Filed"), "accepted": _l("Accepted for resolution"), "in_progress": _l("Being resolved"),
        "suspended": _l("Resolution suspended"), "answered": _l("Resolved; the answer was sent"),
    },
}


def label(group: str, code: object) -> str:
    if code is None or code == "":
        return ""
    value = LABELS.get(group, {}).get(code)  # type: ignore[call-overload]
    return str(value) if value is not None else str(code)


def choices(group: str, codes: tuple[str, ...] | None = None, blank: str | None = None) -> list[tuple[str, str]]:
    items = codes if codes is not None else tuple(LABELS[group])
    result = [(str(c), label(group, c)) for c in items]
    return [("", blank)] + result if blank is not None else result
