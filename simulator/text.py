"""Vietnamese text generation: phrase banks, slugs, entity encoding. Pure functions, no I/O."""

from __future__ import annotations

import random
import unicodedata
from html.entities import html5 as _HTML5

# ---------------------------------------------------------------- slugs / accents

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def unaccent(text: str) -> str:
    """'Đảng ủy phường' -> 'Dang uy phuong'."""
    text = text.translate(_D_MAP)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def slugify(text: str, max_len: int = 100) -> str:
    out = []
    prev_dash = False
    for ch in unaccent(text).lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            prev_dash = False
        elif not prev_dash:
            out.append("-")
            prev_dash = True
    slug = "".join(out).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len]  # real Liferay slugs are cut mid-word
    return slug


def title_slug(text: str, max_len: int = 90) -> str:
    """SharePoint/DNN style: 'Hoi-nghi-tong-ket-...' (first letter capitalised)."""
    slug = slugify(text, max_len).strip("-")
    return slug[:1].upper() + slug[1:]


# ---------------------------------------------------------------- entity encoding

# Liferay's editor stores Latin-1 letters as named entities and leaves the Vietnamese-only
# letters (ư, ơ, ạ, ố, đ ...) as raw UTF-8: "Th&agrave;nh phố", "đ&atilde; k&yacute;".
_LATIN1_ENTITIES = {
    ch: f"&{name};"
    for name, ch in _HTML5.items()
    if name.endswith(";") is False
    and len(ch) == 1
    and 0xC0 <= ord(ch) <= 0xFF
    and ch.isalpha()
}
_ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_ENT_TABLE = str.maketrans({**_ESC, **_LATIN1_ENTITIES, "\xa0": "&nbsp;"})


def esc(text: str) -> str:
    """Escape & < > " (str.replace: many times faster than translate on Vietnamese text)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def esc_nbsp(text: str) -> str:
    """esc(), and non-breaking spaces as &nbsp;."""
    return esc(text).replace("\xa0", "&nbsp;")


def entity_encode(text: str) -> str:
    """Escape for HTML and write Latin-1 letters as named entities (Liferay habit)."""
    return text.translate(_ENT_TABLE)


def fmt_thousands(n: int, sep: str = ".") -> str:
    return f"{n:,}".replace(",", sep)


# ---------------------------------------------------------------- phrase banks

TOPICS = [
    "phòng cháy chữa cháy",
    "cải cách hành chính",
    "chuyển đổi số",
    "vệ sinh an toàn thực phẩm",
    "phòng, chống tham nhũng",
    "trật tự đô thị",
    "an toàn giao thông",
    "xây dựng nông thôn mới",
    "bảo hiểm y tế, bảo hiểm xã hội",
    "đăng ký định danh điện tử VNeID",
    "phòng, chống dịch bệnh sốt xuất huyết",
    "bảo vệ môi trường",
    "phổ biến, giáo dục pháp luật",
    "đền ơn đáp nghĩa",
    "quản lý đất đai",
    "dân số và phát triển",
    "tuyển chọn và gọi công dân nhập ngũ",
    "phòng, chống đuối nước cho trẻ em",
    "thanh toán không dùng tiền mặt",
    "đảm bảo an ninh trật tự",
    "xây dựng Đảng và hệ thống chính trị",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "đấu tranh phòng, chống tội phạm ma túy",
    "chăm sóc sức khỏe ban đầu",
    "phát triển kinh tế - xã hội",
]

EVENTS = [
    "Hội nghị sơ kết công tác {topic} 6 tháng đầu năm {year}",
    "Hội nghị tổng kết công tác {topic} năm {year}",
    "Hội nghị triển khai nhiệm vụ {topic} năm {year}",
    "buổi tuyên truyền về {topic} cho nhân dân tổ dân phố số {n}",
    "lễ ra quân hưởng ứng tháng hành động về {topic}",
    "buổi đối thoại giữa người đứng đầu cấp ủy với nhân dân về {topic}",
    "hội thi tìm hiểu kiến thức về {topic}",
    "buổi diễn tập phương án phòng cháy chữa cháy tại khu dân cư số {n}",
    "đoàn kiểm tra liên ngành về {topic} trên địa bàn",
]

TITLES = [
    "Hội nghị sơ kết công tác {topic} 6 tháng đầu năm {year}",
    "Hội nghị tổng kết công tác {topic} năm {year}",
    "Đảng ủy {unit} tổ chức Hội nghị quán triệt Nghị quyết số {nq}-NQ/TW",
    "{Unit} tuyên truyền về {topic} đến từng hộ gia đình",
    "UBND {unit} ra quân thực hiện {topic} tháng {month}/{year}",
    "Tăng cường công tác {topic} trên địa bàn {unit}",
    "Kế hoạch triển khai công tác {topic} năm {year}",
    "Thông báo lịch tiếp công dân của Chủ tịch UBND {unit} tháng {month}/{year}",
    "Đoàn công tác quận Đống Đa thăm và trao đổi kinh nghiệm về {topic} tại {unit}",
    "{Unit} diễn tập phương án phòng cháy chữa cháy tại tổ dân phố số {n}",
    "Đại hội Đoàn TNCS Hồ Chí Minh {unit} lần thứ {roman}, nhiệm kỳ {year}-{year5}",
    "Đối thoại giữa người đứng đầu cấp ủy, chính quyền với nhân dân về {topic}",
    "Đồng chí Bí thư Đảng ủy {unit} kiểm tra công tác {topic} tại các tổ dân phố",
    "Hội Cựu chiến binh {unit} đẩy mạnh phong trào thi đua yêu nước năm {year}",
    "Ủy ban MTTQ Việt Nam {unit} tổ chức Ngày hội Đại đoàn kết toàn dân tộc năm {year}",
    "Đẩy mạnh đào tạo kỹ năng số cho người dân về {topic}",
    "Công khai kết quả giải quyết thủ tục hành chính quý {quarter}/{year}",
    "Tổ chức đợt cao điểm về {topic} dịp Tết Nguyên đán {year}",
    "Đoàn kiểm tra của Quận ủy làm việc với Đảng ủy {unit} về {topic}",
    "Hội nghị đánh giá kết quả thực hiện đề án {topic} giai đoạn {year}-{year5}",
]

PEOPLE = [
    "Nguyễn Thị Bích Hạnh",
    "Lưu Thị Thanh Huyền",
    "Trần Văn Đức",
    "Phạm Minh Đạo",
    "Lê Thị Thu Hằng",
    "Đỗ Quang Đông",
    "Hoàng Văn Định",
    "Vũ Thị Ngọc Diệp",
    "Đặng Hữu Đạt",
    "Bùi Thanh Tùng",
]

ROLES = [
    "Bí thư Đảng ủy",
    "Phó Bí thư Thường trực Đảng ủy - Chủ tịch HĐND {unit}",
    "Chủ tịch UBND {unit}",
    "Phó Chủ tịch UBND {unit}",
    "Chủ tịch Ủy ban MTTQ Việt Nam {unit}",
    "Trưởng Công an {unit}",
]

SENTENCES = [
    "Tham dự hội nghị có đồng chí {person} - {role}; đại diện lãnh đạo các ban, ngành, đoàn thể và Bí thư chi bộ, Tổ trưởng tổ dân phố.",
    "Theo báo cáo, trong thời gian qua, {unit} đã tập trung chỉ đạo thực hiện tốt công tác {topic}, đạt nhiều kết quả tích cực.",
    "Công tác tuyên truyền được triển khai bằng nhiều hình thức phong phú như hệ thống loa truyền thanh, pano, áp phích và mạng xã hội.",
    "Toàn {unit} đã tổ chức {count} buổi tuyên truyền với hơn {people} lượt người dân tham gia.",
    "Bên cạnh những kết quả đạt được, công tác {topic} vẫn còn một số tồn tại, hạn chế cần khắc phục trong thời gian tới.",
    "Phát biểu chỉ đạo, đồng chí {person} - {role} đề nghị các đơn vị tiếp tục đẩy mạnh công tác {topic}, gắn trách nhiệm người đứng đầu.",
    "Đảng ủy, UBND {unit} yêu cầu các tổ dân phố rà soát, nắm chắc tình hình, kịp thời phát hiện và xử lý dứt điểm các vi phạm.",
    "Dịp này, UBND {unit} đã khen thưởng {count} tập thể và {count2} cá nhân có thành tích xuất sắc trong công tác {topic}.",
    "Hội nghị đã nghe các ý kiến tham luận, đóng góp của đại biểu về giải pháp nâng cao hiệu quả công tác {topic}.",
    "Qua kiểm tra, đoàn đã nhắc nhở {count} cơ sở, lập biên bản xử lý {count2} trường hợp vi phạm theo quy định.",
    "Mục tiêu đến hết năm {year}, 100% hồ sơ thủ tục hành chính được tiếp nhận và giải quyết đúng hạn, tỷ lệ hài lòng của người dân đạt trên 95%.",
    "Đây là hoạt động thiết thực nhằm nâng cao nhận thức, ý thức trách nhiệm của cán bộ, đảng viên và nhân dân trên địa bàn.",
    "Đồng chí {person} đánh giá cao sự vào cuộc của cả hệ thống chính trị và sự đồng thuận của nhân dân {unit}.",
    "Các lực lượng chức năng đã phối hợp chặt chẽ, duy trì nghiêm chế độ trực, sẵn sàng xử lý các tình huống phát sinh.",
    "Người dân có nhu cầu tìm hiểu thêm thông tin xin liên hệ Bộ phận tiếp nhận và trả kết quả của UBND {unit} để được hướng dẫn.",
    "Hội nghị thống nhất các nhiệm vụ, giải pháp trọng tâm trong thời gian tới, phấn đấu hoàn thành thắng lợi các chỉ tiêu đề ra.",
]

ROMAN = ["XX", "XXI", "XXII", "XXIII", "XXIV", "XXV", "XXVI"]
AUTHORS = ["Ban biên tập", "Văn phòng HĐND - UBND", "Tổ thông tin", "Đài truyền thanh", "BBT"]

PLACE_WORDS = [
    "Tân", "Phú", "Đông", "Hòa", "An", "Bình", "Thịnh", "Lộc", "Định", "Quảng", "Hưng",
    "Thành", "Đức", "Minh", "Xuân", "Thiệu", "Hoằng", "Yên", "Vĩnh", "Đại", "Nghĩa", "Trung",
]


def _fill(tpl: str, rng: random.Random, unit: str, year: int) -> str:
    unit_cap = unit[:1].upper() + unit[1:]
    return tpl.format(
        topic=rng.choice(TOPICS),
        unit=unit,
        Unit=unit_cap,
        year=year,
        year5=year + 5,
        month=rng.randint(1, 12),
        quarter=rng.choice(["I", "II", "III", "IV"]),
        n=rng.randint(1, 48),
        nq=rng.randint(10, 60),
        roman=rng.choice(ROMAN),
        person=rng.choice(PEOPLE),
        role=rng.choice(ROLES).format(unit=unit),
        count=rng.randint(3, 60),
        count2=rng.randint(2, 30),
        people=rng.randint(2, 40) * 100,
    )


def make_title(rng: random.Random, unit: str, year: int) -> str:
    return _fill(rng.choice(TITLES), rng, unit, year)


def make_lead(rng: random.Random, unit: str, day: int, month: int, year: int) -> str:
    event = _fill(rng.choice(EVENTS), rng, unit, year)
    return f"Ngày {day}/{month}/{year}, UBND {unit} đã tổ chức {event}."


def make_paragraphs(rng: random.Random, unit: str, year: int) -> list[str]:
    paras = []
    for _ in range(rng.randint(3, 6)):
        sents = [_fill(t, rng, unit, year) for t in rng.sample(SENTENCES, rng.randint(2, 4))]
        paras.append(" ".join(sents))
    return paras


def place_name(rng: random.Random) -> str:
    a, b = rng.sample(PLACE_WORDS, 2)
    return f"{a} {b}"
