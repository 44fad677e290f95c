"""The letter register (sổ theo dõi đơn): register, list, read, handle, split, print the receipt.

Labels of the letter codes and messages of the letter services' error codes are added here at
import time, without overwriting what another module already gave.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.messages import MESSAGES
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
        "letter.notify": _l("Notice to the sender"), "letter.backstop": _l("Handling backstop (45 days)"),
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

# Same English texts as the letters API, so both share one translation.
_MESSAGES = {
    "from_body_required": _l("Name the body that transferred the letter."),
    "sender_required": _l("Give at least one sender, or mark the letter as anonymous."),
    "signer_count_low": _l("The number of signatories cannot be smaller than the number of senders listed."),
    "before_receipt": _l("The date cannot be before the letter was received."),
    "recipient_required": _l("Name the body the letter is transferred or the citizen is guided to."),
    "reason_required": _l("Give the reason for this decision."),
    "transfer_document_required": _l("A transfer needs the number of the transfer document."),
    "accept_needs_eligible": _l("Only a letter that meets the conditions for handling can be accepted."),
    "accept_needs_competence": _l("Only a letter within the unit's competence can be accepted."),
    "letter_already_handled": _l("This letter has already been handled."),
    "anonymous_denunciation": _l("An anonymous denunciation is not accepted for resolution (Law on "
                                 "Denunciations, Article 25); it may be used as information for inspection."),
    "split_needs_two_parts": _l("A letter is split into at least two parts, each with its kind and summary."),
    "split_kind_repeated": _l("Each part of a split letter has a different kind."),
}
for _code, _text in _MESSAGES.items():
    MESSAGES.setdefault(_code, _text)
