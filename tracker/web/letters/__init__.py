"""The letter register (sổ theo dõi đơn): register, list, read, handle, split, print the receipt.

Labels of the letter codes and messages of the letter services' error codes are added here at
import time, without overwriting what another module already gave.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.web.labels import LABELS

_LABELS: dict[str, dict[str, object]] = {
    "letter_channel": {
        "visit": _l("Handed in at a visit"), "post": _l("Post"), "transferred_in": _l("Transferred by another body"),
        "mailbox": _l("Suggestion box"), "online": _l("Online"), "email": _l("E-mail"),
    },
    "letter_kind": {
        "complaint": _l("Complaint"), "denunciation": _l("Denunciation"), "petition": _l("Petition"),
        "feedback": _l("Feedback"), "mediation": _l("Mediation request"),
    },
    "mediation_type": {"grassroots": _l("Grassroots mediation"), "land_dispute": _l("Land-dispute mediation")},
    "letter_status": {"registered": _l("Awaiting handling"), "handled": _l("Handled")},
    "letter_decision": {
        "accept": _l("Accept for resolution"), "transfer": _l("Transfer to the competent body"),
        "guide": _l("Guide the sender"), "return": _l("Return (not accepted, with reasons)"),
        "archive": _l("File without action"),
    },
    "clock": {
        "letter.notify": _l("Notice to the sender"), "letter.backstop": _l("Handling backstop"),
        "complaint.accept": _l("Acceptance of the complaint"),
        "denunciation.initial": _l("Initial handling of the denunciation"),
        "denunciation.transfer": _l("Transfer of the denunciation"),
        "land_dispute.accept": _l("Acceptance of the land dispute"),
    },
    "clock_status": {"open": _l("Running"), "met": _l("Done"), "stopped": _l("Stopped"),
                     "cancelled": _l("Cancelled")},
}
for _group, _values in _LABELS.items():
    _target = LABELS.setdefault(_group, {})
    for _code, _text in _values.items():
        _target.setdefault(_code, _text)

