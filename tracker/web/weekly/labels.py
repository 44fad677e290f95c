"""Labels of the case and letter codes the weekly list and dashboard show.

Registered with ``setdefault``: a group that the letters and cases screens define in
tracker/web/labels.py under the same name wins, so a code is labelled the same everywhere.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.web.labels import LABELS

WEEKLY_LABELS: dict[str, dict[str, object]] = {
    "case_kind": {
        "complaint": _l("Complaint"), "denunciation": _l("Denunciation"), "petition": _l("Petition"),
        "feedback": _l("Feedback"), "mediation": _l("Grassroots mediation"),
        "land_mediation": _l("Land-dispute mediation"), "land_dispute": _l("Land dispute"),
    },
    "letter_kind": {
        "complaint": _l("Complaint"), "denunciation": _l("Denunciation"), "petition": _l("Petition"),
        "feedback": _l("Feedback"), "mediation": _l("Mediation request"),
    },
    "case_status": {
        "accepted": _l("Accepted"), "verifying": _l("Verifying"), "mediating": _l("Mediating"),
        "suspended": _l("Suspended"), "concluded": _l("Concluded"), "terminated": _l("Terminated"),
        "sent_up": _l("Sent up"),
    },
    "letter_status": {"registered": _l("Registered, not yet handled"), "handled": _l("Handled")},
    "letter_channel": {
        "visit": _l("At a reception visit"), "post": _l("By post"), "transferred_in": _l("Transferred in"),
        "mailbox": _l("Letter box"), "online": _l("Online"), "email": _l("E-mail"),
    },
    "clock": {
        "letter.notify": _l("Notify the sender"), "letter.backstop": _l("Handle the letter"),
        "complaint.accept": _l("Decide on acceptance"), "complaint.resolve": _l("Resolve the complaint"),
        "denunciation.initial": _l("Initial handling of the denunciation"),
        "denunciation.transfer": _l("Transfer the denunciation"),
        "denunciation.resolve": _l("Resolve the denunciation"),
        "petition.resolve": _l("Answer the petition"), "feedback.resolve": _l("Answer the feedback"),
        "mediation.start": _l("Start the mediation"), "land_mediation.resolve": _l("Finish the land mediation"),
        "land_dispute.accept": _l("Accept the land dispute"), "land_dispute.resolve": _l("Decide the land dispute"),
    },
    "delay_reason": {
        "waiting_other_body": _l("Waiting for another body"), "citizen_unreachable": _l("Citizen unreachable"),
        "site_verification": _l("Site verification"), "expert_assessment": _l("Expert assessment"),
        "complex_matter": _l("Complex matter"), "workload": _l("Workload"), "other": _l("Other reason"),
    },
    "weekly_section": {
        "overdue": _l("Overdue"), "due_this_week": _l("Due this week"),
        "letters_due": _l("Letters whose handling time runs out"),
        "awaiting_decision": _l("Waiting for the chairperson's decision"),
        "instructions": _l("Open instructions"), "new": _l("New cases since last week"),
        "new_letters": _l("New letters since last week"), "sessions": _l("This week's reception sessions"),
    },
}

for _group, _labels in WEEKLY_LABELS.items():
    LABELS.setdefault(_group, _labels)
