"""Tables behind the demo data: Vietnamese names, places, and what citizens come about.

Weights are rough shares seen in commune reception reports: land matters dominate, most visits are
petitions, feedback and requests for mediation; complaints are fewer and denunciations rare.
"""
from __future__ import annotations

# Family names with approximate national shares (percent).
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 31), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 3), ("Huỳnh", 2.5), ("Phan", 4.5),
    ("Vũ", 2.5), ("Võ", 2.5), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1), ("Lý", 0.5), ("Trương", 1), ("Đinh", 1), ("Mai", 0.6), ("Lương", 0.5), ("Cao", 0.5),
    ("Đoàn", 0.5), ("Lâm", 0.4), ("Tạ", 0.3), ("Châu", 0.3),
)
MIDDLE_MALE = ("Văn", "Văn", "Văn", "Hữu", "Minh", "Đức", "Quang", "Công", "Thanh", "Xuân", "Ngọc", "Đình", "Quốc")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Bích", "Hồng", "Mỹ", "Thùy")
GIVEN_MALE = (
    "An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Hiếu", "Hoàng", "Huy", "Khánh", "Long", "Lâm", "Minh", "Nam",
    "Phong", "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Đạt",
    "Đông", "Hưng", "Lộc", "Tâm", "Thịnh", "Khoa", "Nghĩa", "Tùng", "Bảo",
)
GIVEN_FEMALE = (
    "Anh", "Bích", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Hương", "Lan",
    "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thu",
    "Trang", "Tuyết", "Vân", "Xuân", "Yến", "Đào", "Lụa", "Huệ",
)

# Province codes of birth registration (first three CCCD digits): mostly the home province.
HOME_PROVINCE = "038"  # Thanh Hóa
OTHER_PROVINCES = ("001", "040", "042", "036", "034", "079", "048", "052", "046", "092", "031", "037")

PHONE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "032", "033", "034", "035", "036", "037",
                  "038", "039", "086", "088")

NEIGHBOURHOODS = (
    "Khu phố 1", "Khu phố 2", "Khu phố 3", "Khu phố 4", "Khu phố 5", "Khu phố 6", "Khu phố 7", "Khu phố 8",
    "Thôn Đông", "Thôn Tây", "Thôn Nam", "Thôn Bắc", "Thôn Trung", "Thôn Phú Xuân", "Thôn Yên Thái",
    "Tổ dân phố Tân Lập", "Tổ dân phố Hòa Bình", "Tổ dân phố Đồng Tâm",
)
STREETS = ("Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt",
           "Phan Đình Phùng", "Nguyễn Du", "Lê Hoàn", "Bà Triệu")
HAMLET_PARTS = ("Xóm 1", "Xóm 2", "Xóm 3", "Xóm Chùa", "Xóm Giữa", "Xóm Đình")
PROJECTS = ("Đồng Mới", "Bắc Sông Chu", "Cồn Cát", "Nam Quốc lộ 47")
FACTORIES = ("tinh bột sắn", "thủy sản", "gỗ ép", "nước mắm")

DEFAULT_UNIT = ("XA-TANPHU", "UBND xã Tân Phú")

# Demo staff: username, role, full name.
STAFF = (
    ("chutich", "chair", "Lê Văn Thắng"),
    ("phochutich", "vice_chair", "Phạm Thị Hồng Nhung"),
    ("tiepdan", "receptionist", "Trần Thị Mai"),
    ("canbo", "handler", "Hoàng Minh Tuấn"),
)

# What individuals come about: classification, subject, weight, content. Placeholders are filled
# from the visitor and the visit ({kp} neighbourhood, {street}, {thua} parcel, {to} map sheet, …).
TOPICS: tuple[tuple[str, str, float, str], ...] = (
    ("petition", "land", 6, "Đề nghị xem xét cấp giấy chứng nhận quyền sử dụng đất cho thửa đất số {thua}, "
                            "tờ bản đồ số {to}"),
    ("petition", "land", 4, "Đề nghị hướng dẫn thủ tục tách thửa đất để tặng cho các con, thửa đất số {thua}, "
                            "tờ bản đồ số {to}"),
    ("petition", "land", 3, "Đề nghị điều chỉnh sai sót về diện tích trên giấy chứng nhận quyền sử dụng đất "
                            "(chênh lệch {small} m²)"),
    ("petition", "land", 3, "Đề nghị cho chuyển mục đích sử dụng {area} m² đất trồng cây lâu năm sang đất ở"),
    ("petition", "land", 2, "Đề nghị xác nhận nguồn gốc, thời điểm sử dụng đất để làm hồ sơ cấp giấy chứng nhận"),
    ("petition", "social_policy", 3, "Đề nghị xem xét cho hưởng trợ cấp xã hội hằng tháng đối với người cao tuổi"),
    ("petition", "social_policy", 2, "Đề nghị xét công nhận hộ cận nghèo năm {year}"),
    ("petition", "social_policy", 1.5, "Đề nghị giải quyết chế độ cho thân nhân người có công với cách mạng"),
    ("petition", "social_policy", 1.5, "Đề nghị hỗ trợ sửa chữa nhà ở cho hộ gia đình có hoàn cảnh khó khăn"),
    ("petition", "construction", 2, "Đề nghị hướng dẫn thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ tại {kp}"),
    ("petition", "administration", 1.5, "Đề nghị làm rõ lý do chậm trả kết quả hồ sơ đăng ký biến động đất đai "
                                        "đã nộp tại Bộ phận một cửa"),
    ("petition", "administration", 1, "Đề nghị hướng dẫn thủ tục đăng ký thường trú cho con"),
    ("feedback", "environment", 4, "Phản ánh việc đổ rác thải không đúng nơi quy định tại {kp}"),
    ("feedback", "environment", 2.5, "Phản ánh cơ sở chăn nuôi heo gây ô nhiễm mùi hôi, nước thải chảy ra "
                                     "đường tại {kp}"),
    ("feedback", "environment", 1.5, "Phản ánh xưởng cưa gỗ hoạt động vào ban đêm gây tiếng ồn tại {kp}"),
    ("feedback", "environment", 1, "Phản ánh tình trạng đốt rơm rạ, rác thải gây khói bụi ảnh hưởng khu dân cư"),
    ("feedback", "construction", 3, "Phản ánh việc xây dựng nhà không phép, lấn chiếm hành lang đường {street}"),
    ("feedback", "construction", 2.5, "Phản ánh đường giao thông tại {kp} xuống cấp, nhiều ổ gà, đề nghị sửa chữa"),
    ("feedback", "construction", 1.5, "Phản ánh công trình thoát nước tại {kp} thi công chậm, gây ngập úng khi "
                                      "trời mưa"),
    ("feedback", "land", 2.5, "Phản ánh việc lấn chiếm đất công, đất hành lang kênh mương tại {kp}"),
    ("feedback", "administration", 1, "Phản ánh thái độ tiếp dân chưa đúng mực của công chức Bộ phận một cửa"),
    ("feedback", "social_policy", 1, "Phản ánh việc bình xét hộ nghèo tại {kp} chưa công khai, minh bạch"),
    ("feedback", "other", 1, "Phản ánh tình trạng tụ tập đua xe vào ban đêm trên đường {street}"),
    ("mediation", "land", 7, "Tranh chấp ranh giới sử dụng đất với hộ liền kề"),
    ("mediation", "land", 4, "Đề nghị hòa giải tranh chấp lối đi chung với hộ ông {neighbour}"),
    ("mediation", "land", 3, "Tranh chấp quyền sử dụng đất thừa kế giữa các anh chị em trong gia đình, thửa đất "
                             "số {thua}, tờ bản đồ số {to}"),
    ("mediation", "land", 3, "Đề nghị hòa giải tranh chấp đất do hộ liền kề xây tường rào lấn sang khoảng "
                             "{small} m²"),
    ("mediation", "family", 2, "Đề nghị hòa giải mâu thuẫn gia đình về việc chia tài sản thừa kế"),
    ("mediation", "other", 1, "Đề nghị hòa giải mâu thuẫn giữa hai hộ liền kề do nước thải sinh hoạt chảy sang"),
    ("complaint", "land", 3, "Khiếu nại quyết định xử phạt vi phạm hành chính trong lĩnh vực đất đai của Chủ tịch "
                             "UBND xã"),
    ("complaint", "land", 2.5, "Khiếu nại việc UBND xã không xác nhận hồ sơ đề nghị cấp giấy chứng nhận quyền sử "
                               "dụng đất thửa số {thua}"),
    ("complaint", "site_clearance", 2.5, "Khiếu nại về mức bồi thường, hỗ trợ khi Nhà nước thu hồi đất để mở rộng "
                                         "đường {street}"),
    ("complaint", "social_policy", 1.5, "Khiếu nại việc gia đình không được đưa vào danh sách hộ nghèo năm {year}"),
    ("complaint", "administration", 1, "Khiếu nại việc công chức địa chính xã chậm giải quyết hồ sơ"),
    ("denunciation", "land", 1, "Tố cáo công chức địa chính xã có hành vi nhũng nhiễu khi giải quyết hồ sơ đất đai"),
    ("denunciation", "construction", 1, "Tố cáo hộ gia đình san lấp, xây dựng trái phép trên đất nông nghiệp tại "
                                        "{kp}"),
    ("denunciation", "environment", 0.5, "Tố cáo hành vi khai thác cát trái phép trên sông Chu đoạn qua {kp}"),
    ("other", "justice", 1.5, "Hỏi về thủ tục khởi kiện tranh chấp đất đai tại Tòa án"),
    ("other", "justice", 1, "Đề nghị hướng dẫn thủ tục chứng thực hợp đồng tặng cho quyền sử dụng đất"),
    ("other", "land", 1, "Hỏi thông tin về kế hoạch sử dụng đất năm {year} của xã"),
)

# What groups come about (same matter, several households).
GROUP_TOPICS: tuple[tuple[str, str, float, str], ...] = (
    ("complaint", "site_clearance", 3, "Khiếu nại về giá bồi thường đất nông nghiệp khi thu hồi đất thực hiện dự án "
                                       "khu dân cư {project}"),
    ("petition", "site_clearance", 3, "Đề nghị sớm chi trả tiền bồi thường, hỗ trợ tái định cư dự án mở rộng đường "
                                      "{street}"),
    ("feedback", "environment", 3, "Phản ánh nhà máy chế biến {factory} xả nước thải chưa qua xử lý ra kênh tưới "
                                   "tiêu tại {kp}"),
    ("petition", "construction", 2, "Đề nghị đầu tư nâng cấp tuyến đường liên thôn qua {kp} bị hư hỏng nặng"),
    ("petition", "land", 2, "Đề nghị cấp giấy chứng nhận quyền sử dụng đất cho các hộ dân khu tái định cư {kp}"),
)

# Where matters outside the commune's competence are sent (after the 2025 reform: no district level).
BODIES: dict[str, tuple[str, ...]] = {
    "land": ("Chi nhánh Văn phòng đăng ký đất đai khu vực", "Sở Nông nghiệp và Môi trường"),
    "site_clearance": ("Ban Quản lý dự án đầu tư xây dựng tỉnh", "Trung tâm Phát triển quỹ đất tỉnh"),
    "construction": ("Sở Xây dựng",),
    "environment": ("Sở Nông nghiệp và Môi trường", "Công an xã"),
    "social_policy": ("Bảo hiểm xã hội cơ sở", "Sở Nội vụ"),
    "administration": ("Thanh tra tỉnh",),
    "justice": ("Tòa án nhân dân khu vực", "Phòng công chứng số 2"),
    "family": ("Tòa án nhân dân khu vực",),
    "other": ("Công an xã",),
}

# Decline grounds a demo visit may use (each is checked against the date of the visit).
DEMO_DECLINE_GROUNDS = ("abusive", "incapacitated", "settled_repeat", "answered_no_new_facts", "out_of_scope")
DECLINE_NOTES = {
    "abusive": "Công dân có lời lẽ xúc phạm cán bộ tiếp dân, không chấp hành nội quy tiếp công dân",
    "incapacitated": "Công dân đang trong tình trạng say rượu",
    "settled_repeat": "Vụ việc đã được giải quyết đúng chính sách, pháp luật; đã được tiếp và hướng dẫn",
    "answered_no_new_facts": "Nội dung kiến nghị đã được trả lời, không có tình tiết mới",
    "out_of_scope": "Nội dung không thuộc phạm vi khiếu nại, tố cáo, kiến nghị, phản ánh",
}

# How each classification is usually handled at the desk (weights).
HANDLING_WEIGHTS: dict[str, dict[str, float]] = {
    "complaint": {"letter_received": 5, "guided": 4, "referred": 1},
    "denunciation": {"letter_received": 5, "referred": 4, "guided": 1},
    "petition": {"guided": 35, "letter_received": 35, "referred": 20, "answered": 10},
    "feedback": {"letter_received": 35, "referred": 25, "answered": 25, "guided": 15},
    "mediation": {"letter_received": 75, "guided": 25},
    "other": {"guided": 60, "answered": 40},
}

# Follow-up of the result ({d} a date, {n} a document number, {body} where the matter was sent).
FOLLOWUPS: dict[str, tuple[str, ...]] = {
    "mediation": ("Đã tổ chức hòa giải ngày {d}: hòa giải thành",
                  "Đã tổ chức hòa giải ngày {d}: hòa giải không thành, hướng dẫn các bên gửi đơn đến Tòa án nhân "
                  "dân khu vực"),
    "complaint": ("Đã thụ lý; ngày {d} Chủ tịch UBND xã ban hành Quyết định giải quyết khiếu nại lần đầu số "
                  "{n}/QĐ-UBND",),
    "denunciation": ("Đã thụ lý tố cáo ngày {d}, đang xác minh nội dung",
                     "Đã kết luận nội dung tố cáo ngày {d} (Kết luận số {n}/KL-UBND)"),
    "default": ("Đã kiểm tra, trả lời công dân bằng Văn bản số {n}/UBND ngày {d}",
                "Đã chỉ đạo xử lý; kết quả đã thông báo cho công dân ngày {d}"),
    "referred": ("{body} đã trả lời công dân ngày {d}", "Đã nhận được văn bản phản hồi của {body} ngày {d}"),
    "pending": ("Đang xem xét, giải quyết", "Đang xác minh, chưa có kết quả"),
    "answered": ("Chủ tịch UBND xã đã trả lời trực tiếp, công dân thống nhất",
                 "Đã giải thích, công dân đồng ý với nội dung trả lời"),
}

# The demo province and its three communes (code, name, reception weekday, remote area), and the
# username suffix of each commune's staff ("" for the first: chutich, tiepdan, canbo, phochutich).
PROVINCE = ("TINH-DEMO", "UBND tỉnh Thanh Hóa (demo)")
COMMUNES = (
    ("XA-TANPHU", "UBND xã Tân Phú", 4, False, ""),
    ("XA-BINHAN", "UBND xã Bình An", 3, False, "2"),
    ("XA-MUONGLY", "UBND xã Mường Lý", 4, True, "3"),
)
# Province accounts: the inspector (read-only, sees the three communes) and an administrator.
PROVINCE_STAFF = (
    ("thanhtra", "inspector", "Nguyễn Đức Hải"),
    ("quantri", "admin", "Vũ Thị Thanh Hà"),
)
# Staff names of the second and third communes (chair, vice chair, receptionist, handler).
OTHER_STAFF_NAMES = (
    ("Trịnh Văn Long", "Đỗ Thị Lan", "Ngô Thị Hạnh", "Bùi Quang Huy"),
    ("Hà Văn Sơn", "Lò Thị Xuân", "Cầm Thị Yến", "Lường Văn Toàn"),
)

# Letters by kind: weights of the letters a commune receives in a year.
LETTER_KINDS = (("petition", 30), ("feedback", 14), ("mediation", 18), ("complaint", 16), ("denunciation", 6))
LETTER_CHANNELS = (("visit", 45), ("post", 25), ("transferred_in", 12), ("mailbox", 6), ("online", 8),
                   ("email", 4))
TRANSFER_BODIES = ("Ban Tiếp công dân tỉnh", "Văn phòng Đoàn ĐBQH và HĐND tỉnh", "Thanh tra tỉnh",
                   "Ủy ban MTTQ Việt Nam xã")
MEDIATION_TOPICS = (
    ("family", "Đề nghị hòa giải mâu thuẫn giữa hai gia đình về lối đi chung ở {kp}"),
    ("family", "Đề nghị hòa giải tranh chấp về chia thừa kế nhà ở giữa các anh chị em"),
    ("other", "Đề nghị hòa giải việc nuôi gia súc gây ô nhiễm, ảnh hưởng đến gia đình bên cạnh"),
)
LAND_MEDIATION_TOPICS = (
    "Đề nghị hòa giải tranh chấp ranh giới thửa đất số {thua}, tờ bản đồ số {to} với hộ ông {neighbour}",
    "Đề nghị hòa giải tranh chấp quyền sử dụng {small} m² đất vườn giáp ranh với hộ ông {neighbour}",
)
DENUNCIATION_TOPICS = (
    ("administration", "Tố cáo cán bộ địa chính xã có dấu hiệu gây khó khăn, nhũng nhiễu khi làm thủ tục đất đai"),
    ("construction", "Tố cáo việc xây dựng trái phép trên đất nông nghiệp tại {kp}, chính quyền không xử lý"),
    ("social_policy", "Tố cáo việc lập danh sách hộ nghèo không đúng đối tượng tại {kp}"),
)
MEDIATORS = (
    (("Nguyễn Văn Bình", "male", True), ("Lê Thị Thu", "female", False), ("Trần Văn Nam", "male", False),
     ("Phạm Thị Loan", "female", False)),
    (("Hoàng Văn Dũng", "male", True), ("Vũ Thị Hoa", "female", False), ("Đặng Văn Tài", "male", False)),
)
INSTRUCTIONS = (
    "Khẩn trương xác minh tại thực địa, báo cáo kết quả trước hạn",
    "Phối hợp với công chức địa chính kiểm tra hồ sơ, dự thảo văn bản trả lời công dân",
    "Mời các bên đến làm việc, lập biên bản; báo cáo Chủ tịch trước khi ban hành",
)
DELAY_NOTES = {
    "waiting_other_body": "Chờ Văn phòng đăng ký đất đai cung cấp hồ sơ địa chính",
    "citizen_unreachable": "Đã mời hai lần, công dân vắng mặt",
    "site_verification": "Chờ đo đạc lại hiện trạng thửa đất",
    "complex_matter": "Nội dung phức tạp, liên quan nhiều hộ",
}
BOOKING_TOPICS = (
    ("petition", "Đề nghị giải quyết việc cấp giấy chứng nhận quyền sử dụng đất"),
    ("complaint", "Khiếu nại về việc thu hồi đất làm đường giao thông nông thôn"),
    ("feedback", "Phản ánh đường điện chiếu sáng hư hỏng kéo dài"),
    ("mediation", "Đề nghị hòa giải tranh chấp lối đi chung"),
)
