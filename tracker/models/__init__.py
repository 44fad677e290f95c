"""SQLAlchemy models, one module per aggregate; importing this registers every table."""
from tracker.models.audit import AuditEntry
from tracker.models.citizens import Citizen
from tracker.models.reception import ReceptionSession
from tracker.models.reception import RegisterCounter
from tracker.models.reception import Visit
from tracker.models.reception import VisitCitizen
from tracker.models.rules import RuleParam
from tracker.models.units import Unit
from tracker.models.users import ApiToken
from tracker.models.users import User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Citizen",
    "ReceptionSession",
    "RegisterCounter",
    "RuleParam",
    "Unit",
    "User",
    "Visit",
    "VisitCitizen",
]
