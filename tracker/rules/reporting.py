"""The period report's citizen-reception and petition section written in Vietnamese, from its numbers.

Pure: the input is the report document (tracker.services.reports.periodic) and the unit's style; the output
is the narrative. The wording is the report's own language (like an official form), kept here as
templates in the register of the example reports (../shared/examples): "Trong năm 2023 UBND phường
đã tiếp 08 lượt người đến trình bày, kết quả đã kịp thời xử lý đúng thẩm quyền, đạt 100%."

Also the counting rules the statistics need: which clock of a case is its resolution deadline, and
when a resolution counts as early, on time or late.
"""
from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.rules.report_document import CaseFigures
from tracker.rules.report_document import KindSection
from tracker.rules.report_document import ReportDocument
from tracker.rules.report_document import Sections
from tracker.rules.report_document import TransferredSection

# -- counting rules ---------------------------------------------------------------------------------

# The clock whose due date a case's resolution is measured against. Grassroots mediation has no
# resolution deadline (only a 3-day start, Luật HGOCS Điều 20): its resolutions are "no deadline".
RESOLUTION_CLOCKS: dict[str, str] = {
    "complaint": "complaint.resolve",
    "denunciation": "denunciation.resolve",
    "petition": "petition.resolve",
    "feedback": "feedback.resolve",
    "land_mediation": "land_mediation.resolve",
    "land_dispute": "land_dispute.resolve",
}


@dataclass(frozen=True)
class Timeliness:
    """Early / on time / late, as the one-stop result tables count them (example 002: "Sớm hạn, Đúng
    hạn, Trễ hạn"): closed at least ``early_margin_days`` before the due date = early; after that and
    up to the due date itself = on time; after the due date = late. With the margin 1, "early" is
    "before the due date" and "on time" is "on the due date", the reading of the one-stop statistics
    (trước hạn / đúng hạn / quá hạn)."""

    early_margin_days: int
    legal_basis: str
    certainty: str


TIMELINESS = Timeliness(1, "Cách thống kê kết quả giải quyết hồ sơ một cửa (trước hạn / đúng hạn / quá hạn); "
                           "TT 06/2025/TT-TTCP chưa định nghĩa", "U")

def handled_correctly(handling: str | None, within_competence: bool) -> bool:
    """Whether a visit counts as "kịp thời xử lý đúng thẩm quyền" (handled correctly according to
    competence, domain.md §1.7 and §7): the visit was dealt with as its competence requires — within the
    commune's competence it was taken in for acceptance (``letter_received``), answered on the spot or
    guided (not admissible: what to supplement); outside it the citizen was guided to, or the matter
    transferred to, the competent body (``guided``, ``referred``). A matter correctly guided or
    transferred elsewhere is therefore a success, not a failure; a refusal or an unrecorded handling
    is not counted. Before 12/2026 the report counted only visits within competence (final reports
    built then keep that figure)."""
    if within_competence:
        return handling in ("letter_received", "answered", "guided")
    return handling in ("guided", "referred")


# -- formatting -------------------------------------------------------------------------------------

WEEKDAYS = {1: "thứ Hai", 2: "thứ Ba", 3: "thứ Tư", 4: "thứ Năm", 5: "thứ Sáu", 6: "thứ Bảy", 7: "Chủ nhật"}
UNIT_TYPES = ("thị trấn", "thị xã", "thành phố", "đặc khu", "phường", "xã", "quận", "huyện", "tỉnh")


@dataclass(frozen=True)
class Style:
    unit_name: str  # "UBND phường Bình Minh"
    leading_zero: bool = True  # "02 đơn" rather than "2 đơn"
    reception_weekday: int | None = None  # ISO weekday of the chairperson's scheduled reception
    sentences: tuple[str, ...] = ()  # the unit's enabled assessment sentences (assessment_sentences())


def count(n: int, leading_zero: bool) -> str:
    """Numbers as reports write them: 1.234 with a dot; under ten with a leading zero if the unit does."""
    if leading_zero and 0 < n < 10:
        return f"{n:02d}"
    return f"{n:,}".replace(",", ".")


def percent(value: float) -> str:
    """100%, 87,5% (one decimal, a decimal comma)."""
    text = f"{round(value, 1):.1f}".replace(".", ",")
    return (text[:-2] if text.endswith(",0") else text) + "%"


def unit_title(name: str) -> str:
    """"UBND phường Bình Minh" → "UBND phường": the short form the examples use for the unit itself."""
    folded = name.strip()
    lower = folded.lower()
    for prefix in ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd "):
        if lower.startswith(prefix):
            lower = lower[len(prefix):]
            break
    for word in UNIT_TYPES:
        if lower == word or lower.startswith(word + " "):
            return f"UBND {word}"
    return folded


# -- the unit's assessment sentences and the opening line -----------------------------------------------

# The standard assessment sentences both example reports use, off by default; a unit turns them on
# (and may reword them) on its form, stored in units.report_sentences as JSON
# {"<key>": {"enabled": bool, "text": str}}.
ASSESSMENT_SENTENCES: dict[str, str] = {
    "routine": "Công tác tiếp công dân được duy trì nề nếp; việc tiếp nhận, xử lý và giải quyết đơn thư đảm bảo "
               "đúng theo quy định của Luật Khiếu nại, Luật Tố cáo.",
    "no_hot_spots": "Giải quyết kịp thời các vụ việc gây mâu thuẫn trong nhân dân từ cơ sở, không để bức xúc trở "
                    "thành điểm nóng.",
    "no_beyond_level": "Không có đơn thư khiếu nại, tố cáo kéo dài, vượt cấp.",
}


def sentence_settings(raw: str | Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Every assessment sentence with the unit's choice: {"key": {"enabled", "text", "default"}}; a
    malformed or missing setting is the shipped default (off, the default wording)."""
    import json
    data: Any = raw
    if isinstance(raw, str):
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            data = {}
    if not isinstance(data, Mapping):
        data = {}
    out: dict[str, dict[str, Any]] = {}
    for key, default in ASSESSMENT_SENTENCES.items():
        item = data.get(key) if isinstance(data.get(key), Mapping) else {}
        text = str(item.get("text") or "").strip() or default
        out[key] = {"enabled": bool(item.get("enabled")), "text": text, "default": default}
    return out


def assessment_sentences(raw: str | Mapping[str, Any] | None) -> tuple[str, ...]:
    """The enabled sentences, in the shipped order."""
    return tuple(v["text"] for v in sentence_settings(raw).values() if v["enabled"])


REPORT_SUBJECT = "kết quả công tác tiếp công dân, xử lý đơn thư, giải quyết khiếu nại, tố cáo"


def opening_line(basis: str | None, unit_name: str, period_label: str, subject: str = REPORT_SUBJECT) -> str:
    """The line before section I (NĐ 30/2020 layout, as example 002): "Thực hiện <basis>, UBND thị trấn
    Bình Dương báo cáo <subject> <period> như sau:"; without a basis the line starts at the unit."""
    name = unit_name.strip()
    if name.lower().startswith(("ủy ban nhân dân ", "uỷ ban nhân dân ")):
        name = "UBND " + name.split(" ", 4)[4] if len(name.split(" ", 4)) > 4 else name
    elif not name.lower().startswith("ubnd "):
        name = "UBND " + name
    text = (basis or "").strip().rstrip(".,;")
    if text.lower().startswith("thực hiện "):
        text = text[len("thực hiện "):]
    body = f"{name} báo cáo {subject} {period_label} như sau:"
    return f"Thực hiện {text}, {body}" if text else body


# -- templates --------------------------------------------------------------------------------------

T: dict[str, str] = {
    # Reception (tiếp công dân).
    "visits_all": "Trong {period} {unit} đã tiếp {visits} lượt người đến trình bày, kết quả đã kịp thời xử lý "
                  "đúng thẩm quyền, đạt {share}.",
    "visits_some": "Trong {period} {unit} đã tiếp {visits} lượt người đến trình bày, kết quả đã kịp thời xử lý "
                   "đúng thẩm quyền {within} lượt, đạt {share}.",
    "visits_none": "Trong {period} {unit} không có lượt công dân đến trình bày.",
    "schedule": "Chủ tịch {unit} tiếp công dân định kỳ vào {weekday} hàng tuần",
    "schedule_plain": "Chủ tịch {unit} trực tiếp tiếp công dân theo lịch tiếp công dân định kỳ và đột xuất",
    "sessions_scheduled": "đã tổ chức {n} buổi tiếp công dân định kỳ",
    "sessions_adhoc": "{n} buổi tiếp công dân đột xuất",
    "groups": "Có {n} lượt đoàn đông người với {people} người.",
    # Petitions and feedback (kiến nghị, phản ánh).
    "petition_received": "Trong {period} đã tiếp nhận {n} đơn thư kiến nghị của công dân.",
    "petition_carried": "Trong {period} đã giải quyết {n} đơn thư kiến nghị kỳ trước chuyển sang.",
    "petition_received_next": "Tiếp nhận {n} đơn thư kiến nghị của công dân.",
    "feedback_received": "Trong {period} đã tiếp nhận {n} đơn phản ánh của công dân.",
    "feedback_carried": "Trong {period} đã giải quyết {n} đơn phản ánh kỳ trước chuyển sang.",
    "feedback_received_next": "Tiếp nhận {n} đơn phản ánh của công dân.",
    "answered_mediated": "hòa giải thành và trả lời bằng văn bản {n} đơn",
    "answered": "trả lời bằng văn bản {n} đơn",
    "sent_up_mediated": "{n} đơn hòa giải không thành chuyển lên cấp trên",
    "sent_up": "{n} đơn chuyển lên cấp trên",
    "other_closed": "{n} đơn đã đình chỉ, rút đơn",
    "pending": "{n} đơn đang giải quyết",
    "pending_overdue": "{n} đơn đang giải quyết (trong đó {m} đơn quá hạn)",
    "letters_total": "Tổng số đơn thư tiếp nhận trong {period}: {n} đơn.",
    "done_rest": "Đã {done}, còn {rest}.",
    "done_only": "Đã {done}.",
    "rest_only": "Còn {rest}.",
    # The compound sentence of example 000, clauses joined by "; ".
    "lead": "Trong {period}, {unit} {clauses}.",
    "next": "{unit} {clauses}.",
    "land": "tiếp nhận {n} đơn đề nghị về đất đai",
    "grassroots": "tiếp nhận {n} đơn đề nghị hòa giải ở cơ sở",
    "mediated": "đã tổ chức hòa giải {parts}",
    "mediated_ok": "thành {n} đơn",
    "mediated_failed": "không thành {n} đơn",
    "mediated_all_failed": "đã tổ chức hòa giải {n} đơn nhưng không thành",
    "failed_sent_up": "trong đó đã chuyển lên cấp trên {n} đơn",
    "failed_to_court": "hướng dẫn các bên khởi kiện tại Tòa án {n} đơn",
    "mediating_overdue": "{n} đơn đang hòa giải (trong đó {m} đơn quá hạn)",
    "mediating": "{n} đơn đang hòa giải",
    "transferred": "tiếp nhận {n} đơn đề nghị {body} chuyển về; trong đó: {groups}",
    "transferred_one": "tiếp nhận {n} {group} do {body} chuyển về",
    "transferred_resolved": "đã tổ chức giải quyết {n} đơn",
    "land_dispute": "thụ lý {n} đơn tranh chấp đất đai thuộc thẩm quyền giải quyết của Chủ tịch {unit}",
    "land_dispute_resolved": "đã giải quyết {n} vụ việc",
    "land_dispute_resolved_alone": "đã giải quyết {n} vụ việc tranh chấp đất đai thuộc thẩm quyền của Chủ tịch {unit}",
    "complaint": "tiếp nhận {n} đơn khiếu nại",
    "complaint_accepted": "tiếp nhận và thụ lý giải quyết {n} đơn khiếu nại",
    "complaint_carried": "có {n} vụ việc khiếu nại kỳ trước chuyển sang",
    "denunciation": "tiếp nhận {n} đơn tố cáo",
    "denunciation_accepted": "tiếp nhận và thụ lý giải quyết {n} đơn tố cáo",
    "denunciation_carried": "có {n} vụ việc tố cáo kỳ trước chuyển sang",
    "accepted_cases": "thụ lý giải quyết {n} vụ việc",
    "closed_other_cases": "{n} vụ việc đình chỉ, rút đơn",
    "sent_up_before_result": "{n} đơn chuyển lên cấp trên trước khi hòa giải",
    "mediation_closed_other": "{n} đơn đình chỉ, rút đơn",
    "resolved_cases": "đã giải quyết {n} vụ việc ({outcomes})",
    "resolved_cases_plain": "đã giải quyết {n} vụ việc",
    "open_cases": "{n} vụ việc đang giải quyết",
    "open_cases_overdue": "{n} vụ việc đang giải quyết (trong đó {m} vụ việc quá hạn)",
    "right": "{n} khiếu nại đúng",
    "partly_right": "{n} khiếu nại đúng một phần",
    "wrong": "{n} khiếu nại sai",
    "true": "{n} tố cáo đúng",
    "partly_true": "{n} tố cáo đúng một phần",
    "false": "{n} tố cáo sai",
    "no_letters": "không tiếp nhận đơn thư nào",
    "no_complaints": "không có đơn thư khiếu nại, tố cáo",
    "no_complaints_alone": "Không có đơn thư khiếu nại, tố cáo.",
}

# What a letter transferred down from the higher level is about ("01 đơn về giải phóng mặt bằng").
KIND_PHRASES = {"complaint": "đơn khiếu nại", "denunciation": "đơn tố cáo", "petition": "đơn", "feedback": "đơn",
                "mediation": "đơn đề nghị hòa giải"}
SUBJECT_PHRASES = {
    "land": "về đất đai", "site_clearance": "về giải phóng mặt bằng", "construction": "về trật tự xây dựng",
    "environment": "về môi trường", "social_policy": "về chế độ, chính sách", "administration": "về thủ tục hành chính",
    "justice": "về tư pháp", "family": "về hôn nhân và gia đình", "other": "",
}
LAND_DISPUTE_PHRASE = "đơn đề nghị hòa giải tranh chấp đất đai"


def group_phrase(kind: str, mediation_type: str | None, subject: str) -> str:
    if kind == "mediation" and mediation_type == "land_dispute":
        return LAND_DISPUTE_PHRASE
    return " ".join(p for p in (KIND_PHRASES.get(kind, "đơn"), SUBJECT_PHRASES.get(subject, "")) if p)


# -- the narrative ----------------------------------------------------------------------------------


def _n(counts: Mapping[str, int], key: str) -> int:
    return int(counts.get(key) or 0)


class _Writer:
    def __init__(self, doc: ReportDocument, style: Style, period_label: str):
        self.doc, self.style, self.period = doc, style, period_label
        self.unit = unit_title(style.unit_name)

    def c(self, n: int) -> str:
        return count(n, self.style.leading_zero)

    def t(self, key: str, **values: object) -> str:
        return T[key].format(**values)

    def reception(self) -> list[str]:
        v = self.doc.visits
        total, within = v.total, v.counted_correct
        out: list[str] = []
        if total == 0:
            out.append(self.t("visits_none", period=self.period, unit=self.unit))
        else:
            share = percent(100.0 * within / total)
            key = "visits_all" if within == total else "visits_some"
            out.append(self.t(key, period=self.period, unit=self.unit, visits=self.c(total), within=self.c(within),
                              share=share))
        if v.group_visits:
            out.append(self.t("groups", n=self.c(v.group_visits), people=self.c(v.group_people)))
        sessions = self.doc.sessions
        day = WEEKDAYS.get(self.style.reception_weekday or 0)
        held = []
        if sessions.scheduled:
            held.append(self.t("sessions_scheduled", n=self.c(sessions.scheduled)))
        if sessions.adhoc:
            adhoc = self.t("sessions_adhoc", n=self.c(sessions.adhoc))
            held.append(adhoc if held else "đã tổ chức " + adhoc)
        # The weekday of the scheduled reception only when the unit set it (units.reception_weekday may be
        # NULL); without it the plain sentence of example 000, which names no day.
        head = self.t("schedule", unit=self.unit, weekday=day) if day else self.t("schedule_plain", unit=self.unit)
        out.append(head + ("; " + " và ".join(held) if held else "") + ".")
        return out

    def _outcome_sentence(self, s: KindSection) -> str | None:
        done = [self.t(k, n=self.c(s.figure(k))) for k in ("answered_mediated", "answered") if s.figure(k)]
        rest = [self.t(k, n=self.c(s.figure(k))) for k in ("sent_up_mediated", "sent_up", "other_closed")
                if s.figure(k)]
        if s.pending:
            overdue = min(s.open_overdue, s.pending)
            rest.append(self.t("pending_overdue", n=self.c(s.pending), m=self.c(overdue)) if overdue
                        else self.t("pending", n=self.c(s.pending)))
        if done and rest:
            return self.t("done_rest", done=", ".join(done), rest=", ".join(rest))
        if done:
            return self.t("done_only", done=", ".join(done))
        if rest:
            return self.t("rest_only", rest=", ".join(rest))
        return None

    def petitions(self, sections: Sections) -> list[str]:
        out: list[str] = []
        for kind in ("petition", "feedback"):
            s = sections.of(kind)
            received = s.received
            closed = sum(s.figure(k) for k in ("answered_mediated", "answered", "sent_up_mediated", "sent_up",
                                            "other_closed"))
            if received:
                key = f"{kind}_received" if not out else f"{kind}_received_next"
                out.append(self.t(key, period=self.period, n=self.c(received)))
            elif closed:
                out.append(self.t(f"{kind}_carried", period=self.period, n=self.c(closed)))
            if received or closed:
                sentence = self._outcome_sentence(s)
                if sentence:
                    out.append(sentence)
        return out

    def _mediation_clause(self, key: str, s: KindSection) -> str | None:
        received = s.received
        ok, failed, open_ = s.figure("succeeded"), s.figure("failed"), s.open
        early, other = s.figure("sent_up"), s.figure("other_closed")  # sent up before a result; withdrawn…
        if not (received or ok or failed or early or other):
            return None
        parts = [self.t(key, n=self.c(received))] if received else []
        if ok:
            results = [self.t(k, n=self.c(n)) for k, n in (("mediated_ok", ok), ("mediated_failed", failed)) if n]
            parts.append(self.t("mediated", parts=", ".join(results)))
        elif failed:  # nothing succeeded: no "hòa giải không thành 01 đơn"
            parts.append(self.t("mediated_all_failed", n=self.c(failed)))
        if failed:
            sent_up = min(s.failed_sent_up, failed)
            nxt = []
            if sent_up:
                nxt.append(self.t("failed_sent_up", n=self.c(sent_up)))
            to_court = min(s.failed_to_court, failed - sent_up)
            if to_court:
                nxt.append(self.t("failed_to_court", n=self.c(to_court)))
            if nxt:  # what happened next, when the book records it (sent up, or the parties guided to court)
                parts.append(", ".join(nxt))
        if early:
            parts.append(self.t("sent_up_before_result", n=self.c(early)))
        if other:
            parts.append(self.t("mediation_closed_other", n=self.c(other)))
        if open_:
            overdue = min(s.open_overdue, open_)
            parts.append(self.t("mediating_overdue", n=self.c(open_), m=self.c(overdue)) if overdue
                         else self.t("mediating", n=self.c(open_)))
        return ", ".join(parts)

    def _kind_clause(self, kind: str, s: KindSection, outcomes: Sequence[str]) -> str | None:
        received, carried, resolved, open_ = s.received, s.carried_over, s.resolved, s.open
        if not (received or carried or resolved or open_):
            return None
        parts = []
        if received and s.accepted == received:
            parts.append(self.t(f"{kind}_accepted", n=self.c(received)))
        else:
            if received:
                parts.append(self.t(kind, n=self.c(received)))
            if s.accepted:  # the cases table's "received": a letter of an earlier period may be accepted now
                parts.append(self.t("accepted_cases", n=self.c(s.accepted)))
        if carried:
            parts.append(self.t(f"{kind}_carried", n=self.c(carried)))
        if resolved:
            # Every closing is a resolution (the cases and outcomes tables): withdrawn and terminated too.
            listed = [self.t(k, n=self.c(s.figure(k))) for k in outcomes if s.figure(k)]
            if s.figure("other_closed"):
                listed.append(self.t("closed_other_cases", n=self.c(s.figure("other_closed"))))
            parts.append(self.t("resolved_cases", n=self.c(resolved), outcomes=", ".join(listed)) if listed
                         else self.t("resolved_cases_plain", n=self.c(resolved)))
        if open_:
            overdue = min(s.open_overdue, open_)
            parts.append(self.t("open_cases_overdue", n=self.c(open_), m=self.c(overdue)) if overdue
                         else self.t("open_cases", n=self.c(open_)))
        return ", ".join(parts)

    def _transferred_clause(self, s: TransferredSection) -> str | None:
        received = s.received
        if not received:
            return None
        merged: dict[str, int] = {}
        for g in s.groups:
            phrase = group_phrase(g.kind, g.mediation_type, g.subject)
            merged[phrase] = merged.get(phrase, 0) + g.count
        bodies = [b for b in s.from_bodies if b]
        body = ", ".join(bodies) if bodies else "cấp trên"
        if len(merged) == 1:
            clause = self.t("transferred_one", n=self.c(received), group=next(iter(merged)), body=body)
        else:
            groups = ", ".join(f"{self.c(n)} {phrase}" for phrase, n in merged.items())
            clause = self.t("transferred", n=self.c(received), groups=groups, body=body)
        if s.resolved:
            clause += "; " + self.t("transferred_resolved", n=self.c(s.resolved))
        return clause

    def letters(self, lead: bool) -> list[str]:
        sections = self.doc.sections
        out = self.petitions(sections)
        clauses = [c for c in (
            self._mediation_clause("land", sections.land_mediation),
            self._mediation_clause("grassroots", sections.mediation),
            self._land_dispute_clause(sections.land_dispute),
            self._transferred_clause(sections.transferred_in),
            self._kind_clause("complaint", sections.complaint, ("right", "partly_right", "wrong")),
            self._kind_clause("denunciation", sections.denunciation, ("true", "partly_true", "false")),
        ) if c]
        none = not any(s.figure(k) for s in (sections.complaint, sections.denunciation)
                       for k in ("received", "received_transferred", "carried_over", "resolved", "open"))
        if not out and not clauses:
            clauses.append(T["no_letters"])
        if none:
            clauses.append(T["no_complaints"])
        if out and clauses == [T["no_complaints"]]:
            out.append(T["no_complaints_alone"])
        elif clauses:
            key = "lead" if not out and lead else "next"
            out.append(self.t(key, period=self.period, unit=self.unit, clauses="; ".join(clauses)))
        # The total of letters received, unless one sentence already said it (example 002: only petitions).
        total = self.doc.letters.received
        said = [sections.of(k).received for k in ("petition", "feedback") if sections.of(k).received]
        if total and said != [total]:
            out.append(self.t("letters_total", period=self.period, n=self.c(total)))
        return list(self.style.sentences) + out

    def _land_dispute_clause(self, s: KindSection) -> str | None:
        received, resolved = s.received, s.resolved
        if not (received or resolved):
            return None
        parts = [self.t("land_dispute", n=self.c(received), unit=self.unit)] if received else []
        if resolved:  # its subject named when no "thụ lý … tranh chấp đất đai" clause came before it
            parts.append(self.t("land_dispute_resolved", n=self.c(resolved)) if received else
                         self.t("land_dispute_resolved_alone", n=self.c(resolved), unit=self.unit))
        return ", ".join(parts)


def narrative(doc: ReportDocument, style: Style, period_label: str) -> str:
    """Two paragraphs: reception (visits, the chairperson's schedule) and letters (petitions,
    mediation, letters transferred down, complaints and denunciations, or their absence)."""
    w = _Writer(doc, style, period_label)
    return "\n".join((" ".join(w.reception()), " ".join(w.letters(lead=True))))


# -- the document and its tables ------------------------------------------------------------------
# The wording of the Word and Excel exports (Decree 30/2020/NĐ-CP layout) and of the statistical tables,
# in the report's own language. Tables are pure data: the exports and the web page draw them, and each
# figure carries a reference (``ref``) to what it counts, so that the page can link to the list behind it.

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT_MARK = "DỰ THẢO"
DOC_TITLE = "BÁO CÁO"
DOC_SUBTITLE = "Kết quả công tác tiếp công dân, xử lý đơn thư, giải quyết khiếu nại, tố cáo {period}"
DOC_NUMBER = "Số:        /BC-UBND"
DOC_COVERS = "(Số liệu tính từ ngày {date_from} đến ngày {date_to})"
SECTION_NARRATIVE = "I. TÌNH HÌNH, KẾT QUẢ CÔNG TÁC"
SECTION_TABLES = "II. SỐ LIỆU THỐNG KÊ"
RECIPIENTS_LABEL = "Nơi nhận:"
RECIPIENTS = ("- UBND tỉnh (b/c);", "- Thanh tra tỉnh;", "- Lưu: VT.")
SIGN_FOR = "TM. ỦY BAN NHÂN DÂN"
SIGNER = "CHỦ TỊCH"
TOTAL_ROW = "Tổng số"
FORMULA_NOTE = "Ghi chú: {formulas}"
XLSX_PREPARED = "Ngày lập: {date}"
XLSX_SOURCE = "Nguồn: Sổ tiếp dân, báo cáo {status}, lần {revision}, lập lúc {built_at}"
STATUS_WORDS = {"draft": "dự thảo", "final": "chính thức"}

CASE_KIND_LABELS = {
    "complaint": "Khiếu nại", "denunciation": "Tố cáo", "petition": "Kiến nghị", "feedback": "Phản ánh",
    "mediation": "Hòa giải ở cơ sở", "land_mediation": "Hòa giải tranh chấp đất đai",
    "land_dispute": "Giải quyết tranh chấp đất đai",
}
VISIT_HOST_LABELS = {"chair": "Chủ tịch UBND tiếp", "vice_chair": "Phó Chủ tịch UBND tiếp",
                     "officer": "Công chức tiếp thường xuyên"}
VISIT_KIND_LABELS = {"regular": "Tiếp thường xuyên", "scheduled": "Tiếp định kỳ", "adhoc": "Tiếp đột xuất"}


def place_name(name: str) -> str:
    """"UBND phường Bình Minh" → "Bình Minh": the place of the date line."""
    short = unit_title(name)
    rest = name.strip()
    lower = rest.lower()
    for prefix in ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd "):
        if lower.startswith(prefix):
            rest, lower = rest[len(prefix):], lower[len(prefix):]
            break
    word = short[len("UBND "):] if short.startswith("UBND ") else ""
    if word and lower.startswith(word + " "):
        rest = rest[len(word) + 1:]
    return rest.strip() or name.strip()


def full_unit_name(name: str) -> str:
    """"UBND phường Bình Minh" → "ỦY BAN NHÂN DÂN PHƯỜNG BÌNH MINH" (the heading's own-unit line)."""
    text = name.strip()
    if text.lower().startswith("ubnd "):
        text = "Ủy ban nhân dân " + text[5:]
    return text.upper()


def short_unit_name(name: str) -> str:
    """"Ủy ban nhân dân tỉnh Bình Dương" → "UBND TỈNH BÌNH DƯƠNG" (the parent's line of the heading)."""
    text = name.strip()
    lower = text.lower()
    for prefix in ("ủy ban nhân dân ", "uỷ ban nhân dân "):
        if lower.startswith(prefix):
            text = "UBND " + text[len(prefix):]
            break
    return text.upper()


def heading_lines(name: str) -> list[str]:
    """The unit's own lines of the heading: "ỦY BAN NHÂN DÂN" / "THỊ TRẤN BÌNH DƯƠNG"."""
    full = full_unit_name(name)
    head = "ỦY BAN NHÂN DÂN"
    if full.startswith(head + " "):
        return [head, full[len(head) + 1:]]
    return [full]


def date_line(place: str, day: Any) -> str:
    """"Bình Minh, ngày 05 tháng 07 năm 2024" (days and months under 10 with a leading zero; NĐ 30/2020
    writes 01, 02 for January and February only, but the examples use dd/mm throughout)."""
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


@dataclass(frozen=True)
class Cell:
    value: int
    ref: tuple[str, ...] | None = None  # ("case", kind|"", column) / ("letter", field, value) / ("visit", field, value)


@dataclass(frozen=True)
class Row:
    number: str  # "1", "1.1", "*" for the total row
    label: str
    cells: tuple[Cell, ...]
    strong: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    # Column groups after "STT" and the label column: (group label or None, (sub-column labels …)).
    groups: tuple[tuple[str | None, tuple[str, ...]], ...]
    label_header: str
    rows: tuple[Row, ...]
    formulas: str = ""  # "(3) = (4) + (5) + (6)" … as printed on the forms

    @property
    def grouped(self) -> bool:
        """Two header rows (groups over their sub-columns)."""
        return any(group is not None for group, _ in self.groups)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for _, subs in self.groups for c in subs)

    @property
    def numbers(self) -> tuple[str, ...]:
        """The "(1) (2) …" row: STT, the label, then every figure column."""
        return tuple(f"({i})" for i in range(1, len(self.columns) + 3))


def _case_row(number: str, label: str, cols: CaseFigures, online: int, kind: str,
              strong: bool = False) -> Row:
    received, carried = cols.received, cols.carried_over

    def c(value: int, column: str) -> Cell:
        return Cell(value, ("case", kind, column))
    return Row(number, label, (
        c(received + carried, "all"), c(online, "received_online"), c(received - online, "received_other"),
        c(carried, "carried_over"), c(cols.resolved, "resolved"), c(cols.resolved_early, "resolved_early"),
        c(cols.resolved_on_time, "resolved_on_time"), c(cols.resolved_late, "resolved_late"),
        c(cols.resolved_no_deadline, "resolved_no_deadline"), c(cols.open, "open"),
        c(cols.open_overdue, "open_overdue")), strong)


def results_table(doc: ReportDocument) -> Table:
    """Letters and cases by kind in the column shape of the one-stop results table (example 002):
    received in total / online / in person and other channels / carried over; resolved in total /
    early / on time / late (and without a deadline); still open, of which overdue."""
    cases = doc.cases
    online = cases.received_online
    rows = [_case_row(str(i), CASE_KIND_LABELS[k], cases.by_kind.get(k) or CaseFigures(), _n(online, k), k)
            for i, k in enumerate(CASE_KIND_LABELS, start=1)]
    rows.append(_case_row("*", TOTAL_ROW, cases.total, sum(_n(online, k) for k in CASE_KIND_LABELS),
                          "", strong=True))
    return Table(
        "results", "Kết quả tiếp nhận, giải quyết đơn thư, vụ việc",
        (("Số đơn, vụ việc nhận giải quyết", ("Tổng số", "Tiếp nhận trực tuyến", "Tiếp nhận trực tiếp và kênh khác",
                                              "Kỳ trước chuyển sang")),
         ("Đã giải quyết", ("Tổng số", "Sớm hạn", "Đúng hạn", "Trễ hạn", "Không quy định thời hạn")),
         ("Đang giải quyết", ("Tổng số", "Trong đó quá hạn"))),
        "Loại đơn, vụ việc", tuple(rows),
        "(3) = (4) + (5) + (6); (7) = (8) + (9) + (10) + (11); (3) = (7) + (12)")


def letters_table(doc: ReportDocument) -> Table:
    """Letters handled, in the layout of Biểu 01/XLD "Tổng hợp kết quả xử lý đơn" as far as known
    (domain.md §7.4): total = carried over + received; received by content; by handling decision."""
    L = doc.letters
    by_kind, by_handling = L.by_kind, L.by_handling
    received, carried = L.received, L.carried_over
    cells = (
        Cell(received + carried, ("letter", "all", "")), Cell(carried, ("letter", "carried_over", "")),
        Cell(received, ("letter", "received", "")),
        Cell(L.eligible, ("letter", "eligible", "")), Cell(L.within_competence, ("letter", "within", "")),
        *(Cell(_n(by_kind, k), ("letter", "kind", k)) for k in ("complaint", "denunciation", "petition", "feedback",
                                                                  "mediation")),
        *(Cell(_n(by_handling, k), ("letter", "decision", k)) for k in ("accept", "guide", "transfer", "return",
                                                                          "archive", "pending")),
    )
    return Table(
        "letters", "Tổng hợp kết quả xử lý đơn (theo Biểu 01/XLD)",
        (("Tổng số đơn", ("Tổng số", "Kỳ trước chuyển sang", "Tiếp nhận trong kỳ")),
         ("Đơn tiếp nhận trong kỳ", ("Đủ điều kiện xử lý", "Thuộc thẩm quyền")),
         ("Phân loại theo nội dung", ("Khiếu nại", "Tố cáo", "Kiến nghị", "Phản ánh", "Đề nghị hòa giải")),
         ("Kết quả xử lý", ("Thụ lý giải quyết", "Hướng dẫn", "Chuyển đơn", "Trả lại đơn", "Lưu đơn",
                            "Chưa xử lý"))),
        "Đơn vị", (Row("*", TOTAL_ROW, cells, strong=True),),
        "(3) = (4) + (5); (5) = (8) + (9) + (10) + (11) + (12); (5) = (13) + (14) + (15) + (16) + (17) + (18)")


def _list_table(key: str, title: str, label_header: str, rows: Sequence[Row]) -> Table:
    return Table(key, title, ((None, ("Số lượng",)),), label_header, tuple(rows))


def visits_table(doc: ReportDocument) -> Table:
    """Reception: visits and people, group visits, by who received and by kind, sessions held."""
    v, s = doc.visits, doc.sessions
    by_host, by_kind = v.by_host, v.by_kind
    rows = [
        Row("1", "Tổng số lượt tiếp", (Cell(v.total, ("visit", "all", "")),), True),
        *(Row(f"1.{i}", label, (Cell(_n(by_host, h), ("visit", "host", h)),))
          for i, (h, label) in enumerate(VISIT_HOST_LABELS.items(), start=1)),
        Row("2", "Phân theo hình thức tiếp", (Cell(v.total, ("visit", "all", "")),), True),
        *(Row(f"2.{i}", label, (Cell(_n(by_kind, k), ("visit", "kind", k)),))
          for i, (k, label) in enumerate(VISIT_KIND_LABELS.items(), start=1)),
        Row("3", "Số người được tiếp", (Cell(v.people, ("visit", "all", "")),), True),
        Row("4", "Đoàn đông người (lượt đoàn)", (Cell(v.group_visits, ("visit", "group", "")),), True),
        Row("4.1", "Số người trong các đoàn đông người", (Cell(v.group_people, ("visit", "group", "")),)),
        # Handled correctly according to competence (handled_correctly()); reports built before that count
        # kept only the visits within competence.
        Row("5", "Số lượt xử lý đúng thẩm quyền", (Cell(v.counted_correct, ("visit", "within", "")),), True),
        Row("6", "Buổi tiếp công dân của lãnh đạo", (Cell(s.total, ("session", "all", "")),), True),
        Row("6.1", "Định kỳ", (Cell(s.scheduled, ("session", "kind", "scheduled")),)),
        Row("6.2", "Đột xuất", (Cell(s.adhoc, ("session", "kind", "adhoc")),)),
    ]
    return _list_table("visits", "Kết quả tiếp công dân", "Nội dung", rows)


WITHDRAWN_TERMINATED = "Rút đơn, đình chỉ"
CLOSED_OTHER = "withdrawn_terminated"  # both outcomes in one figure (case_queries.OUTCOME_GROUPS)


def outcomes_table(doc: ReportDocument) -> Table:
    """Outcomes of the cases resolved in the period. A kind's total is the cases table's "resolved" of that
    kind (every closing: a decision, a withdrawal, a termination, a sending up), and its rows split it."""
    o, by_kind = doc.outcomes, doc.cases.by_kind
    comp, den, med, pet = o.complaints, o.denunciations, o.mediations, o.petitions

    def resolved(*kinds: str) -> int:
        return sum((by_kind.get(k) or CaseFigures()).resolved for k in kinds)

    def case(kind: str, column: str = "resolved") -> tuple[str, ...]:
        return ("case", kind, column)

    def outcome(kind: str, value: str) -> tuple[str, ...]:
        return ("outcome", kind, value)

    def closed_other(*kinds: str) -> int:
        return sum(_n(o.withdrawn_by_kind, k) + _n(o.terminated_by_kind, k) for k in kinds)

    rows = [
        Row("1", "Khiếu nại đã giải quyết", (Cell(resolved("complaint"), case("complaint")),), True),
        Row("1.1", "Khiếu nại đúng", (Cell(_n(comp, "right"), outcome("complaint", "right")),)),
        Row("1.2", "Khiếu nại đúng một phần", (Cell(_n(comp, "partly_right"), outcome("complaint", "partly_right")),)),
        Row("1.3", "Khiếu nại sai", (Cell(_n(comp, "wrong"), outcome("complaint", "wrong")),)),
        Row("1.4", WITHDRAWN_TERMINATED, (Cell(closed_other("complaint"), outcome("complaint", CLOSED_OTHER)),)),
        Row("2", "Tố cáo đã giải quyết", (Cell(resolved("denunciation"), case("denunciation")),), True),
        Row("2.1", "Tố cáo đúng", (Cell(_n(den, "true"), outcome("denunciation", "true")),)),
        Row("2.2", "Tố cáo đúng một phần", (Cell(_n(den, "partly_true"), outcome("denunciation", "partly_true")),)),
        Row("2.3", "Tố cáo sai", (Cell(_n(den, "false"), outcome("denunciation", "false")),)),
        Row("2.4", WITHDRAWN_TERMINATED, (Cell(closed_other("denunciation"),
                                               outcome("denunciation", CLOSED_OTHER)),)),
        Row("3", "Hòa giải đã kết thúc",
            (Cell(resolved("mediation", "land_mediation"), ("outcome", "mediations", "")),), True),
        Row("3.1", "Hòa giải thành", (Cell(med.succeeded, ("outcome", "mediations", "succeeded")),)),
        Row("3.2", "Hòa giải không thành", (Cell(med.failed, ("outcome", "mediations", "failed")),)),
        Row("3.2.1", "Trong đó: chuyển lên cấp trên", (Cell(med.failed_sent_up,
                                                          ("outcome", "mediations", "failed_sent_up")),)),
        # The rows 3.1 to 3.4 partition row 3; a mediation sent up before any result of its own is here.
        Row("3.3", "Chuyển lên cấp trên khi chưa hòa giải", (Cell(med.sent_up_before_result,
                                                                  ("outcome", "mediations", "sent_up")),)),
        Row("3.4", WITHDRAWN_TERMINATED, (Cell(closed_other("mediation", "land_mediation"),
                                               ("outcome", "mediations", CLOSED_OTHER)),)),
        Row("4", "Kiến nghị, phản ánh đã giải quyết", (Cell(resolved("petition", "feedback"),
                                                           ("outcome", "petitions", "")),), True),
        Row("4.1", "Kiến nghị, phản ánh đã trả lời bằng văn bản", (Cell(pet.answered,
                                                                    ("outcome", "petitions", "answered")),)),
        Row("4.1.1", "Trong đó: sau hòa giải", (Cell(pet.answered_after_mediation,
                                                    ("outcome", "petitions", "answered_mediated")),)),
        Row("4.2", "Kiến nghị, phản ánh chuyển lên cấp trên", (Cell(pet.sent_up,
                                                                ("outcome", "petitions", "sent_up")),)),
        Row("4.3", WITHDRAWN_TERMINATED, (Cell(closed_other("petition", "feedback"),
                                               ("outcome", "petitions", CLOSED_OTHER)),)),
        Row("5", "Tranh chấp đất đai đã giải quyết", (Cell(resolved("land_dispute"), case("land_dispute")),), True),
    ]
    return _list_table("outcomes", "Kết quả giải quyết đơn thư, vụ việc", "Nội dung", rows)


def tables(doc: ReportDocument) -> list[Table]:
    return [results_table(doc), letters_table(doc), visits_table(doc), outcomes_table(doc)]
