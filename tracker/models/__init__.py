"""SQLAlchemy models, one module per aggregate; importing this registers every table."""
from tracker.models.audit import AuditEntry
from tracker.models.cases import Case
from tracker.models.cases import CaseEvent
from tracker.models.cases import CasePause
from tracker.models.cases import Clock
from tracker.models.cases import MediationGroup
from tracker.models.cases import Mediator
from tracker.models.citizens import Citizen
from tracker.models.grants import IdentityGrant
from tracker.models.letters import Attachment
from tracker.models.letters import Letter
from tracker.models.letters import LetterSender
from tracker.models.reception import ReceptionSession
from tracker.models.reception import RegisterCounter
from tracker.models.reception import SessionBooking
from tracker.models.reception import Visit
from tracker.models.reception import VisitCitizen
from tracker.models.reports import Report
from tracker.models.rules import CalendarDay
from tracker.models.rules import DeadlineRuleRow
from tracker.models.rules import RuleParam
from tracker.models.units import Unit
from tracker.models.users import ApiToken
from tracker.models.users import User
from tracker.models.weekly import Instruction
from tracker.models.weekly import JobRun
from tracker.models.weekly import Notification
from tracker.models.weekly import WeeklySnapshot

__all__ = [
    "Instruction",
    "JobRun",
    "Notification",
    "Report",
    "WeeklySnapshot",
    "Attachment",
    "Case",
    "CaseEvent",
    "CasePause",
    "Clock",
    "Letter",
    "LetterSender",
    "MediationGroup",
    "Mediator",
    "ApiToken",
    "CalendarDay",
    "DeadlineRuleRow",
    "AuditEntry",
    "Citizen",
    "IdentityGrant",
    "ReceptionSession",
    "RegisterCounter",
    "RuleParam",
    "SessionBooking",
    "Unit",
    "User",
    "Visit",
    "VisitCitizen",
]
