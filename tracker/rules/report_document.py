"""The report document, typed: what a period report says, from the statistics to the narrative, the Word
and Excel files, the web page and the API (interfaces.md "The report document (JSON)").

One model per part. A new figure goes in three places: the query that counts it
(tracker.services.reports.report_stats), its field here, and what shows it (the narrative or a table in
tracker.rules.reporting, which the page and both files draw).

Documents are stored as JSON and a final report is frozen, so every field has a default (a report built
before the field existed still loads, and shows what it said then) and unknown keys are kept (``extra``).
Counts keyed by a vocabulary of the rules (visit hosts, letter kinds, case kinds…) are plain
``dict[str, int]``: the vocabulary lives in one place, the rules, not twice.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

Counts = dict[str, int]


class Part(BaseModel):
    """A part of the document: attribute access, unknown keys of older documents kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def figure(self, key: str) -> int:
        """A count by name (declared field or a counted outcome kept as an extra); 0 when absent."""
        return int(getattr(self, key, None) or 0)


class Cutoff(Part):
    rule: str = ""
    legal_basis: str = ""
    certainty: str = ""


class TimelinessRule(Part):
    early_margin_days: int = 1
    basis: str = ""
    certainty: str = ""


class Visits(Part):
    total: int = 0
    people: int = 0
    group_visits: int = 0
    group_people: int = 0
    within_competence: int = 0
    # None in reports built before the count existed: they show the visits within competence instead.
    handled_correctly: int | None = None
    by_host: Counts = Field(default_factory=dict)
    by_kind: Counts = Field(default_factory=dict)
    by_handling: Counts = Field(default_factory=dict)
    by_classification: Counts = Field(default_factory=dict)
    share_within_competence: float | None = None
    share_handled_correctly: float | None = None

    @property
    def counted_correct(self) -> int:
        """Visits handled correctly as the report of its time counted them."""
        return self.within_competence if self.handled_correctly is None else self.handled_correctly


class Sessions(Part):
    """Leaders' reception sessions held, by kind (rules.reception.SESSION_KINDS)."""

    scheduled: int = 0
    adhoc: int = 0
    total: int = 0


class Letters(Part):
    received: int = 0
    transferred_in: int = 0
    eligible: int = 0
    within_competence: int = 0
    multi_signature: int = 0
    duplicates: int = 0
    by_kind: Counts = Field(default_factory=dict)
    by_channel: Counts = Field(default_factory=dict)
    by_subject: Counts = Field(default_factory=dict)
    by_handling: Counts = Field(default_factory=dict)
    by_mediation_type: Counts = Field(default_factory=dict)
    carried_over: int = 0
    carried_over_by_kind: Counts = Field(default_factory=dict)
    pending_at_end: int = 0


class CaseFigures(Part):
    """One row of the results table (report_stats.CASE_COLUMNS)."""

    received: int = 0
    carried_over: int = 0
    resolved: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    resolved_no_deadline: int = 0
    open: int = 0
    open_overdue: int = 0


class Cases(Part):
    total: CaseFigures = Field(default_factory=CaseFigures)
    by_kind: dict[str, CaseFigures] = Field(default_factory=dict)
    transferred_in: CaseFigures = Field(default_factory=CaseFigures)
    received_online: Counts = Field(default_factory=dict)


class MediationResults(Part):
    succeeded: int = 0
    failed: int = 0
    failed_sent_up: int = 0
    failed_to_court: int = 0
    sent_up_before_result: int = 0  # sent up from the commune before it concluded (no result of its own)


class PetitionResults(Part):
    answered: int = 0
    answered_after_mediation: int = 0
    sent_up: int = 0
    sent_up_after_mediation: int = 0


class Outcomes(Part):
    """Outcomes of the cases resolved in the period; complaint, denunciation and land-dispute outcomes are
    keyed by the outcome vocabularies of rules.lifecycle.OUTCOMES."""

    complaints: Counts = Field(default_factory=dict)
    denunciations: Counts = Field(default_factory=dict)
    mediations: MediationResults = Field(default_factory=MediationResults)
    petitions: PetitionResults = Field(default_factory=PetitionResults)
    land_disputes: Counts = Field(default_factory=dict)
    withdrawn: int = 0
    terminated: int = 0
    withdrawn_by_kind: Counts = Field(default_factory=dict)  # by case kind (rules.lifecycle.CASE_KINDS)
    terminated_by_kind: Counts = Field(default_factory=dict)


class MediationByType(Part):
    grassroots: MediationResults = Field(default_factory=MediationResults)
    land: MediationResults = Field(default_factory=MediationResults)


class Mediation(MediationResults):
    received: int = 0
    total: int = 0
    open: int = 0
    by_type: MediationByType = Field(default_factory=MediationByType)


class KindSection(Part):
    """What the narrative says of one kind of case, the letters transferred down left out. The resolved
    cases by outcome (``right``, ``true``, ``answered_mediated``, ``other_closed``…) are extra counts."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, int] = Field(init=False)

    received: int = 0  # letters of the kind received in the period (as in the letters table)
    accepted: int = 0  # cases of the kind accepted in the period (the cases table's "received")
    carried_over: int = 0
    resolved: int = 0
    open: int = 0
    open_overdue: int = 0
    pending: int = 0  # petitions and feedback: the open ones
    failed_sent_up: int = 0  # mediation kinds
    failed_to_court: int = 0
    received_transferred: int = 0  # complaints: complaints and denunciations transferred down


class TransferredGroup(Part):
    kind: str
    mediation_type: str | None = None
    subject: str = ""
    count: int = 0


class TransferredSection(Part):
    received: int = 0
    resolved: int = 0
    from_bodies: list[str] = Field(default_factory=list)
    groups: list[TransferredGroup] = Field(default_factory=list)


class Sections(Part):
    """The narrative's sections, one per case kind (rules.lifecycle.CASE_KINDS) and the letters transferred
    down from higher levels."""

    complaint: KindSection = Field(default_factory=KindSection)
    denunciation: KindSection = Field(default_factory=KindSection)
    petition: KindSection = Field(default_factory=KindSection)
    feedback: KindSection = Field(default_factory=KindSection)
    mediation: KindSection = Field(default_factory=KindSection)
    land_mediation: KindSection = Field(default_factory=KindSection)
    land_dispute: KindSection = Field(default_factory=KindSection)
    transferred_in: TransferredSection = Field(default_factory=TransferredSection)

    def of(self, kind: str) -> KindSection:
        section = getattr(self, kind)
        assert isinstance(section, KindSection)
        return section


class Predecessor(Part):
    code: str
    name: str
    merged_on: str | None = None
    into: str | None = None
    depth: int = 0


class ReportRef(Part):
    report_id: int
    period: str
    revision: int


class CarriedCounts(Part):
    """Carried over, by case kind, and the letters still unhandled."""

    cases: Counts = Field(default_factory=dict)
    letters: int = 0


class CarriedOverCheck(Part):
    """Where "carried over" came from: the previous final report ("what was signed is what is carried") or
    a live recount, and any difference between the two ({"cases.complaint": 1, "letters": -2})."""

    source: ReportRef | str = "live"
    frozen: CarriedCounts | None = None
    live: CarriedCounts = Field(default_factory=CarriedCounts)
    difference: Counts = Field(default_factory=dict)


class DifferenceFromFinal(Part):
    revision: int
    changes: dict[str, list[int | float | None]] = Field(default_factory=dict, description="{path: [final, now]}")


class ReportDocument(Part):
    """A period report of one unit (with the units below it)."""

    unit: str
    unit_name: str = ""
    level: str = ""
    period: str
    period_label: str = ""
    convention: str = "official"
    from_: str = Field(alias="from", description="First day of data, ISO date")
    to: str = Field(description="Last day of data, ISO date")
    cutoff: Cutoff = Field(default_factory=Cutoff)
    deadline: str | None = Field(None, description="Sending deadline, ISO date")
    deadline_basis: str | None = None
    timeliness: TimelinessRule = Field(default_factory=TimelinessRule)
    visits: Visits = Field(default_factory=Visits)
    sessions: Sessions = Field(default_factory=Sessions)
    letters: Letters = Field(default_factory=Letters)
    cases: Cases = Field(default_factory=Cases)
    outcomes: Outcomes = Field(default_factory=Outcomes)
    mediation: Mediation = Field(default_factory=Mediation)
    sections: Sections = Field(default_factory=Sections)
    share_within_competence: float | None = None
    opening_line: str = ""
    predecessors: list[Predecessor] | None = Field(None, description="Merged units counted (with predecessors)")
    carried_over_check: CarriedOverCheck | None = None
    difference_from_final: DifferenceFromFinal | None = None
    narrative: str = ""
    # Set when the document is read back (services.reports.periodic.document), never stored.
    narrative_generated: str | None = None
    revision: int = 0
    status: str = Field("draft", description="draft | final")
    report_id: int | None = None
    built_at: str | None = None
    finalized_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON object of interfaces.md (``from`` under its own name; absent optional parts left out)."""
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        for key in ("predecessors", "carried_over_check", "difference_from_final"):
            if data.get(key) is None:
                data.pop(key, None)
        return data

    def stored_json(self) -> dict[str, Any]:
        """What is stored of a built report: the revision, status and times live on the report's row."""
        data = self.as_json()
        for key in READ_BACK:
            data.pop(key, None)
        return data


# Fields that document() sets from the report's row when it is read back.
READ_BACK = ("narrative_generated", "revision", "status", "report_id", "built_at", "finalized_at")
