"""User-facing messages for error codes, translated at the edge (Vietnamese by default)."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "invalid": _l("Some information is not valid. Please check the fields marked below."),
    "required": _l("This field is required."),
    "too_long": _l("This text is too long."),
    "choice_invalid": _l("Please choose one of the listed values."),
    "number_min": _l("The number must be at least 1."),
    "number_invalid": _l("Please enter a whole number."),
    "date_invalid": _l("Please enter a date as dd/mm/yyyy."),
    "date_not_in_calendar": _l("This date does not exist: check the day and the month."),
    "year_out_of_range": _l("Please enter a year between %(first)s and %(last)s."),
    "time_invalid": _l("Please enter a time as hh:mm."),
    "date_in_future": _l("The date cannot be in the future."),
    "date_order": _l("The end date cannot be before the start date."),
    "document_after_receipt": _l("The sending document cannot be dated after the letter was received."),
    "id_number_digits": _l("The ID number may contain digits only."),
    "id_number_length": _l("The ID number (CCCD) must have exactly 12 digits."),
    "id_number_taken": _l("Another citizen already has this ID number."),
    "birth_year_mismatch_id": _l("The birth year does not match the ID number."),
    "gender_mismatch_id": _l("The gender does not match the ID number."),
    "birth_year_range": _l("The birth year is not plausible."),
    "phone_invalid": _l("The phone number is not valid."),
    "people_count_min": _l("A visit has at least one person."),
    "fewer_people_than_visitors": _l("The number of people is smaller than the number of visitors listed."),
    "too_many_representatives": _l("Too many representatives for a group of this size (Law on Citizen "
                                   "Reception, Article 29)."),
    "decline_ground_required": _l("Choose the legal ground for refusing reception."),
    "decline_ground_not_in_force": _l("This ground for refusal was not in force on the date of the visit."),
    "session_needs_leader": _l("A scheduled or ad hoc reception is held by the chairperson or a vice-chair."),
    "scheduled_by_chair_only": _l("Under the rules in force on this date the chairperson holds the scheduled "
                                  "reception in person; it cannot be delegated to a vice-chair."),
    "visitor_required": _l("Enter the visitor or choose an earlier visitor."),
    "visitor_repeated": _l("The same citizen is listed twice."),
    "register_no_taken": _l("Register number %(register_no)s is already used this year."),
    "visit_year_change": _l("A visit cannot be moved to another year: its register number belongs to its year."),
    "not_found": _l("Not found."),
    "forbidden": _l("You do not have permission to do this."),
    "stale": _l("Someone else changed this record in the meantime. Reload it and try again."),
    "bad_credentials": _l("Wrong username or password."),
    "rate_limited": _l("Too many attempts. Please wait a minute and try again."),
    "username_invalid": _l("A username uses letters, digits, dots and underscores only."),
    "username_taken": _l("This username is already taken."),
    "role_invalid": _l("Unknown role."),
    "unit_not_found": _l("Unknown administrative unit."),
    "user_not_found": _l("Unknown user."),
    "unit_code_invalid": _l("A unit code uses letters, digits, hyphens and underscores only."),
    "unit_code_taken": _l("This unit code is already used."),
    "unit_level_invalid": _l("Unknown level: use province, district or commune."),
    "unit_parent_level": _l("This level cannot sit under that parent unit."),
    "weekday_invalid": _l("Choose a weekday."),
    "password_too_short": _l("The password must have at least 10 characters."),
    "password_mismatch": _l("The two passwords differ."),
    "wrong_password": _l("Wrong password."),
    "import_no_file": _l("Choose an Excel file (.xlsx)."),
    "import_not_xlsx": _l("The file is not a valid Excel workbook (.xlsx)."),
    "import_too_many_rows": _l("The file has too many rows (at most %(limit)s)."),
    "import_missing_column": _l("The column “%(column)s” is missing from the header row."),
    "import_empty": _l("The file contains no visits."),
    "import_formula": _l("Formulas are not accepted; enter the value itself."),
    "import_duplicate_in_file": _l("This register number appears twice in the file."),
    "bad_json": _l("The request body is not valid JSON."),
    # Letters and cases (tracker.services.letters.register, tracker.services.cases.actions).
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
    "before_acceptance": _l("The date cannot be before the case was accepted."),
    "document_required": _l("This step needs its document (number, date and signer)."),
    "action_not_in_status": _l("This step is not possible in the case's current status."),
    "action_not_for_kind": _l("This step does not exist for this kind of case."),
    "outcome_invalid": _l("Choose an outcome allowed for this kind of case."),
    "outcome_not_expected": _l("An outcome is given only with a conclusion."),
    "extension_limit": _l("The law allows no further extension of this case."),
    "send_up_needs_failure": _l("Only a failed mediation can be sent up or become a dispute for the chairperson."),
    "dispute_before_reform": _l("The commune chairperson may decide land disputes only under the rules in "
                                "force from 1 July 2025."),
    "dispute_needs_letter": _l("This case has no letter to open the dispute from."),
    "split_needs_two_parts": _l("A letter is split into at least two parts, each with its kind and summary."),
    "split_kind_repeated": _l("Each part of a split letter has a different kind."),
    "suspension_reason_required": _l("Give the reason for the suspension."),
    "note_required": _l("Write the note."),
    "signer_required": _l("Enter who signed the document."),
    "document_date_required": _l("Enter the date of the document."),
    "unauthorized": _l("A valid bearer token is required."),
}


def message(code: str, **params: object) -> str:
    text = MESSAGES.get(code)
    if text is None:
        return gettext("Invalid value (%(code)s).", code=code)
    return str(text) % params if params else str(text)


def field_messages(fields: dict[str, str], **params: object) -> dict[str, str]:
    return {name: message(code, **params) for name, code in fields.items()}
