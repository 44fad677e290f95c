"""Display labels of the English codes (translated; Vietnamese by default)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

LABELS: dict[str, dict[Any, object]] = {
    "role": {
        "admin": _l("Administrator"), "chair": _l("Chairperson"), "vice_chair": _l("Vice-chairperson"),
        "receptionist": _l("Reception officer"), "handler": _l("Case handler"), "inspector": _l("Inspector"),
        "sysadmin": _l("Installation administrator"),
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
    # Letters and cases (one table for every screen, the weekly list and the exports).
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
        "complaint.accept": _l("Acceptance of the complaint"), "complaint.resolve": _l("Resolve the complaint"),
        "complaint.dialogue_notice": _l("Notice of dialogue"), "complaint.send_decision": _l("Send the decision"),
        "complaint.appeal": _l("Second complaint or lawsuit"), "complaint.resume": _l("Resume after termination"),
        "complaint.limitation": _l("Limitation period for complaining"),
        "denunciation.initial": _l("Initial handling of the denunciation"),
        "denunciation.transfer": _l("Transfer of the denunciation"),
        "denunciation.resolve": _l("Resolve the denunciation"),
        "petition.resolve": _l("Answer the petition"), "feedback.resolve": _l("Answer the feedback"),
        "mediation.start": _l("Start the mediation"), "land_mediation.resolve": _l("Complete the land mediation"),
        "land_dispute.accept": _l("Acceptance of the land dispute"),
        "land_dispute.resolve": _l("Decide the land dispute"), "land_dispute.appeal": _l("Lawsuit or complaint"),
    },
    "clock_status": {"open": _l("Running"), "met": _l("Done"), "stopped": _l("Stopped"),
                     "cancelled": _l("Cancelled")},
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
        "guide_court": _l("Guide the parties to the court"),
        "note": _l("Add a note"), "submit": _l("Submit for decision"), "retime": _l("Due date changed"),
        "delay_reason": _l("Reason for delay"),
    },
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
    # Where a protected identity was seen (audit log): the page or path, in words.
    "read_purpose": {
        "list": _l("a list"), "show": _l("its page"), "citizen": _l("the citizen's page"), "form": _l("a form"),
        "edit": _l("the correction form"), "letter_form": _l("the letter form"), "receipt": _l("the receipt"),
        "split": _l("splitting a letter"), "suggest": _l("the suggestions"), "view": _l("a page"),
        "api": _l("the API"),
    },
    "report_convention": {
        "official": _l("Official cut-off periods (15th to 14th, TT 06/2025/TT-TTCP)"),
        "calendar": _l("Calendar periods (1st to the last day)"),
    },
    "calendar_kind": {
        "day_off": _l("Official day off"), "work_day": _l("Make-up working day"),
        "not_off": _l("Not a day off (holiday removed)"), "holiday": _l("Public holiday"),
    },
    "calendar_source": {
        "package": _l("Public holiday set by law"), "shipped": _l("Published document, shipped with the application"),
        "table": _l("Entered or corrected by the administrator"),
    },
    "rule_key": {
        "group_min_people": _l("Smallest number of people that makes a group visit"),
        "group_small_max_people": _l("Largest group that sends the smaller number of representatives"),
        "group_small_max_reps": _l("Representatives of a smaller group (at most)"),
        "group_large_max_reps": _l("Representatives of a larger group (at most)"),
        "group_report_threshold": _l("Group size counted as a crowd in the reports"),
        "multi_signature_min": _l("Signatures that make a letter signed by many"),
        "mediation_group_min_members": _l("Smallest number of mediators in a mediation group"),
        "scheduled_by_vice_chair": _l("A vice-chair may hold the scheduled reception (1 yes, 0 no)"),
    },
    "weekly_section": {
        "overdue": _l("Overdue"), "due_this_week": _l("Due this week"),
        "letters_due": _l("Letters whose handling time runs out"),
        "visits_without_letter": _l("Visits that received a letter not yet registered"),
        "awaiting_decision": _l("Waiting for the chairperson's decision"),
        "instructions": _l("Open instructions"), "new": _l("New cases since last week"),
        "new_letters": _l("New letters since last week"), "sessions": _l("This week's reception sessions"),
    },
}


LABELS["rule_kind"] = {**LABELS["case_kind"], "letter": _l("Letter (before a case)")}


def label(group: str, code: object) -> str:
    if code is None or code == "":
        return ""
    value = LABELS.get(group, {}).get(code)  # type: ignore[call-overload]
    return str(value) if value is not None else str(code)


def choices(group: str, codes: tuple[str, ...] | None = None, blank: str | None = None) -> list[tuple[str, str]]:
    items = codes if codes is not None else tuple(LABELS[group])
    result = [(str(c), label(group, c)) for c in items]
    return [("", blank)] + result if blank is not None else result
