"""The law's deadlines as rule rows: the seed of the ``deadline_rules`` table.

Every row comes from the "Deadline table" of domain.md with its legal basis and how sure the source
is (C confirmed, S one secondary source, U uncertain). An administrator corrects the rows in the
application; this list is only what a new installation starts with, and a seed never overwrites
a row already in the table. Codes are stable: ``kind.step[.variant].year-in-force``.

Conditions: ``complex`` / ``remote_area`` / ``second_instance`` of None match any case; among the
rows in force on the start day that match, the one with the most conditions set wins.
"""
from __future__ import annotations

from datetime import date

from tracker.rules.deadlines import DeadlineRule

LV, CD = "working", "calendar"

D_TCD = date(2014, 7, 1)  # Luật Tiếp công dân 42/2013/QH13 in force
D_KN = date(2012, 7, 1)  # Luật Khiếu nại 02/2011/QH13 in force
D_TT07 = date(2013, 12, 16)  # TT 07/2013/TT-TTCP in force (date from memory: U)
D_TC = date(2019, 1, 1)  # Luật Tố cáo 25/2018/QH14 in force
D_HGOCS = date(2014, 1, 1)  # Luật Hòa giải ở cơ sở 35/2013/QH13 in force
D_DD2013 = date(2014, 7, 1)  # Luật Đất đai 45/2013/QH13 in force
D_DD2024 = date(2024, 8, 1)  # Luật Đất đai 31/2024/QH15 in force
D_2025 = date(2025, 7, 1)  # two-tier local government; NĐ 151/2025/NĐ-CP in force
D_2026 = date(2026, 7, 1)  # Luật 136/2025/QH15 and NĐ 154, 155, 156/2026 in force


def _before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def _complaint_resolve(year_from: date, year_to: date | None, pause: str | None, certainty: str,
                       suffix: str, extra_basis: str) -> list[DeadlineRule]:
    """Luật KN Điều 28 (first instance) and Điều 37 (second instance): 30/45/45/60 and 45/60/60/70."""
    rows = []
    table = {False: ("first", "Điều 28", (30, 45, 45, 60)), True: ("second", "Điều 37", (45, 60, 60, 70))}
    for second, (name, article, days) in table.items():
        variants = ((False, False, ""), (True, False, ".complex"), (False, True, ".remote"),
                    (True, True, ".remote_complex"))
        for (cx, remote, variant), n in zip(variants, days, strict=True):
            rows.append(DeadlineRule(
                f"complaint.resolve.{name}{variant}.{suffix}", "complaint", "resolve", n, CD, year_from,
                f"Luật Khiếu nại 2011 {article}{extra_basis}", certainty, complex=cx, remote_area=remote,
                second_instance=second, pause_rule=pause, effective_to=year_to))
    return rows


DEADLINE_SEED: tuple[DeadlineRule, ...] = (
    # -- letters (đơn) ------------------------------------------------------------------------------
    DeadlineRule("letter.notify.2014", "letter", "notify", 10, LV, D_TCD,
                 "Luật Tiếp công dân 2013 Điều 28.1", "C",
                 note="Thông báo cho người gửi đơn kết quả xử lý (thụ lý, chuyển, trả lại)"),
    DeadlineRule("letter.backstop.2026", "letter", "backstop", 45, CD, D_2026,
                 "NĐ 154/2026/NĐ-CP Điều 41.3.b", "S",
                 note="Mốc cảnh báo đỏ: đơn không được xử lý 45 ngày là căn cứ kỷ luật"),
    # -- complaints (khiếu nại) --------------------------------------------------------------------
    DeadlineRule("complaint.accept.2012", "complaint", "accept", 10, CD, D_KN,
                 "Luật Khiếu nại 2011 Điều 27, 36", "U", effective_to=_before(D_TT07),
                 note="Luật ghi \"10 ngày\"; TT 07/2013 ghi 10 ngày làm việc — nguồn mâu thuẫn"),
    DeadlineRule("complaint.accept.2013", "complaint", "accept", 10, LV, D_TT07,
                 "Luật Khiếu nại 2011 Điều 27, 36; TT 07/2013/TT-TTCP Điều 5", "U", effective_to=_before(D_2026),
                 note="Chọn theo TT 07/2013 (ngày làm việc); ngày hiệu lực TT 07/2013 cần kiểm tra"),
    DeadlineRule("complaint.accept.2026", "complaint", "accept", 7, LV, D_2026,
                 "NĐ 124/2020/NĐ-CP Điều 16.1 (sửa đổi bởi NĐ 155/2026/NĐ-CP)", "U",
                 note="Chưa đọc văn bản Luật 136/2025 sửa Điều 27, 36 Luật KN"),
    *_complaint_resolve(D_KN, _before(D_2026), None, "C", "2012", ""),
    *_complaint_resolve(D_2026, None, "restart", "S", "2026",
                        "; tạm đình chỉ: NĐ 124/2020 Điều 28a–28b (NĐ 155/2026)"),
    DeadlineRule("complaint.appeal.2012", "complaint", "appeal", 30, CD, D_KN,
                 "Luật Khiếu nại 2011 Điều 33", "C", remote_area=False,
                 note="Thời hạn khiếu nại lần hai hoặc khởi kiện kể từ khi nhận quyết định lần đầu"),
    DeadlineRule("complaint.appeal.remote.2012", "complaint", "appeal", 45, CD, D_KN,
                 "Luật Khiếu nại 2011 Điều 33", "C", remote_area=True),
    DeadlineRule("complaint.limitation.2012", "complaint", "limitation", 90, CD, D_KN,
                 "Luật Khiếu nại 2011 Điều 9", "C", note="Thời gian trở ngại khách quan không tính"),
    DeadlineRule("complaint.resume.2012", "complaint", "resume", 30, CD, D_KN,
                 "Luật Khiếu nại 2011 Điều 11.8", "C",
                 note="Sau thông báo đình chỉ, không tiếp tục khiếu nại trong 30 ngày thì không thụ lý"),
    DeadlineRule("complaint.dialogue_notice.2026", "complaint", "dialogue_notice", 5, CD, D_2026,
                 "NĐ 124/2020/NĐ-CP Điều 28.1 (sửa đổi bởi NĐ 155/2026/NĐ-CP)", "S",
                 note="Thông báo đối thoại ít nhất 5 ngày trước: tính từ ngày thông báo, ngày sớm nhất được đối thoại"),
    DeadlineRule("complaint.send_decision.2026", "complaint", "send_decision", 3, LV, D_2026,
                 "NĐ 124/2020/NĐ-CP Điều 28b (sửa đổi bởi NĐ 155/2026/NĐ-CP)", "S",
                 note="Gửi quyết định tạm đình chỉ, đình chỉ, tiếp tục giải quyết (Mẫu 14a, 14b)"),
    # -- denunciations (tố cáo) --------------------------------------------------------------------
    DeadlineRule("denunciation.initial.2019", "denunciation", "initial", 7, LV, D_TC,
                 "Luật Tố cáo 2018 Điều 24.1", "C"),
    DeadlineRule("denunciation.initial.complex.2019", "denunciation", "initial", 10, LV, D_TC,
                 "Luật Tố cáo 2018 Điều 24.1", "C", complex=True,
                 note="Cần xác minh ở nhiều địa điểm hoặc phải ủy quyền xác minh"),
    DeadlineRule("denunciation.transfer.2019", "denunciation", "transfer", 5, LV, D_TC,
                 "Luật Tố cáo 2018 Điều 24.2; TT 05/2021/TT-TTCP Điều 14", "C"),
    DeadlineRule("denunciation.resolve.2019", "denunciation", "resolve", 30, CD, D_TC,
                 "Luật Tố cáo 2018 Điều 30, 34.2; NĐ 31/2019/NĐ-CP Điều 3", "C",
                 max_extensions=2, extension_days=30, pause_rule="extend",
                 note="Phức tạp: gia hạn 1 lần; đặc biệt phức tạp: 2 lần, mỗi lần ≤30 ngày; thời gian tạm "
                      "đình chỉ không tính"),
    # -- petitions and feedback (kiến nghị, phản ánh) ------------------------------------------------
    DeadlineRule("petition.resolve.target", "petition", "resolve", 30, CD, D_TCD,
                 "Luật Tiếp công dân 2013 Điều 26.2, 28 — không có thời hạn chung; mục tiêu của xã", "U",
                 note="Không tìm thấy thời hạn giải quyết chung theo luật; xã tự đặt mục tiêu"),
    DeadlineRule("feedback.resolve.target", "feedback", "resolve", 30, CD, D_TCD,
                 "Luật Tiếp công dân 2013 Điều 26.2, 28 — không có thời hạn chung; mục tiêu của xã", "U",
                 note="Không tìm thấy thời hạn giải quyết chung theo luật; xã tự đặt mục tiêu"),
    # -- mediation (hòa giải) -------------------------------------------------------------------------
    DeadlineRule("mediation.start.2014", "mediation", "start", 3, CD, D_HGOCS,
                 "Luật Hòa giải ở cơ sở 2013 Điều 20.2", "C",
                 note="Sớm hơn nếu cần; các bên có thể thỏa thuận thời điểm khác"),
    DeadlineRule("land_mediation.resolve.2014", "land_mediation", "resolve", 45, CD, D_DD2013,
                 "Luật Đất đai 2013 Điều 202", "U", effective_to=_before(D_DD2024)),
    DeadlineRule("land_mediation.resolve.2024", "land_mediation", "resolve", 30, CD, D_DD2024,
                 "Luật Đất đai 2024 Điều 235.2.c", "C", note="Tính từ ngày nhận đơn yêu cầu hợp lệ"),
    DeadlineRule("land_dispute.accept.2025", "land_dispute", "accept", 5, LV, D_2025,
                 "NĐ 151/2025/NĐ-CP Phụ lục phần VIII", "S"),
    DeadlineRule("land_dispute.resolve.2025", "land_dispute", "resolve", 45, CD, D_2025,
                 "NĐ 151/2025/NĐ-CP Phụ lục phần VIII; Luật Đất đai 2024 Điều 236", "S", remote_area=False),
    DeadlineRule("land_dispute.resolve.remote.2025", "land_dispute", "resolve", 55, CD, D_2025,
                 "NĐ 151/2025/NĐ-CP Phụ lục phần VIII; Luật Đất đai 2024 Điều 236", "S", remote_area=True,
                 note="Xã miền núi, biên giới, hải đảo, vùng có điều kiện kinh tế - xã hội khó khăn: thêm 10 ngày"),
    DeadlineRule("land_dispute.appeal.2025", "land_dispute", "appeal", 30, CD, D_2025,
                 "Luật Đất đai 2024 Điều 236.3 (áp dụng sau 01/7/2025)", "S",
                 note="Khởi kiện hoặc khiếu nại lên Chủ tịch UBND tỉnh kể từ khi nhận quyết định"),
)
