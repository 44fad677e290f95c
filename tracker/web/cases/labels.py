"""Labels of the case codes and the Vietnamese messages of the case services' error codes.

Registered into the shared tables at import time (tracker.web.labels.LABELS)
without overwriting what another module already gave.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.web.labels import LABELS

_LABELS: dict[str, dict[str, object]] = {
    "case_kind": {
        "complaint": _l("Complaint"), "denunciation": _l("Denunciation"), "petition": _l("Petition"),
        "feedback": _l("Feedback"), "mediation": _l("Grassroots mediation"),
        "land_mediation": _l("Land-dispute mediation"), "land_dispute": _l("Land dispute (chairperson's decision)"),
    },
    "case_status": {
        "accepted": _l("Accepted"), "verifying": _l("Verifying"), "mediating": _l("Mediating"),
        "suspended": _l("Suspended"), "concluded": _l("Concluded"), "terminated": _l("Terminated"),
        "sent_up": _l("Sent up"),
    },
    "case_outcome": {
        "right": _l("Right"), "wrong": _l("Wrong"), "partly_right": _l("Partly right"),
        "true": _l("True"), "false": _l("Untrue"), "partly_true": _l("Partly true"),
        "answered": _l("Answered in writing"), "succeeded": _l("Mediation succeeded"),
        "failed": _l("Mediation failed"), "decided": _l("Dispute decided"),
        "recognised": _l("Successful mediation recognised"), "withdrawn": _l("Withdrawn"),
        "terminated": _l("Terminated"), "sent_up": _l("Sent up"),
    },
    "case_action": {
        "accept": _l("Accepted for resolution"), "assign": _l("Assign"), "verify": _l("Start verification"),
        "dialogue": _l("Record a dialogue"), "mediate": _l("Record a mediation session"),
        "extend": _l("Extend the period"), "suspend": _l("Suspend"), "resume": _l("Resume"),
        "conclude": _l("Conclude"), "withdraw": _l("Withdrawal"), "terminate": _l("Terminate"),
        "send_up": _l("Send up / guide to the competent body"), "open_dispute": _l("Open the land dispute case"),
        "note": _l("Add a note"), "submit": _l("Submit for decision"), "retime": _l("Due date changed"),
        "delay_reason": _l("Reason for delay"),
    },
    "clock": {
        "letter.notify": _l("Notify the sender of the handling"), "letter.backstop": _l("Handle the letter (backstop)"),
        "complaint.accept": _l("Accept the complaint"), "complaint.resolve": _l("Resolve the complaint"),
        "complaint.dialogue_notice": _l("Notice of dialogue"), "complaint.send_decision": _l("Send the decision"),
        "complaint.appeal": _l("Second complaint or lawsuit"), "complaint.resume": _l("Resume after termination"),
        "complaint.limitation": _l("Limitation period for complaining"),
        "denunciation.initial": _l("Initial handling of the denunciation"),
        "denunciation.transfer": _l("Transfer the denunciation"),
        "denunciation.resolve": _l("Resolve the denunciation"),
        "petition.resolve": _l("Answer the petition"), "feedback.resolve": _l("Answer the feedback"),
        "mediation.start": _l("Start the mediation"), "land_mediation.resolve": _l("Complete the land mediation"),
        "land_dispute.accept": _l("Notice of acceptance of the land dispute"),
        "land_dispute.resolve": _l("Decide the land dispute"), "land_dispute.appeal": _l("Lawsuit or complaint"),
    },
    "clock_status": {"open": _l("Running"), "met": _l("Met"), "stopped": _l("Stopped"),
                     "cancelled": _l("Cancelled")},
    "delay_reason": {
        "waiting_other_body": _l("Waiting for another body"), "citizen_unreachable": _l("Citizen unreachable"),
        "site_verification": _l("Site verification"), "expert_assessment": _l("Expert assessment"),
        "complex_matter": _l("Complex matter"), "workload": _l("Workload"), "other": _l("Other"),
    },
    "period_unit": {"working": _l("working days"), "calendar": _l("calendar days")},
    "skip_reason": {"weekend": _l("Weekly rest day"), "holiday": _l("Public holiday"),
                    "day_off": _l("Official day off")},
    "why_pause_rule": {"extend": _l("the suspended days are not counted"),
                   "restart": _l("the full period runs again from the resumption")},
    "complexity": {0: _l("Ordinary"), 1: _l("Complex"), 2: _l("Especially complex")},
    "instance": {1: _l("First instance"), 2: _l("Second instance")},
}
for _group, _items in _LABELS.items():
    _target = LABELS.setdefault(_group, {})
    for _code, _text in _items.items():
        _target.setdefault(_code, _text)

