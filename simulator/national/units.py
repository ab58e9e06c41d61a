"""The country's administrative units: provinces, Hanoi's old districts, host suffix and seeded unit names."""

from __future__ import annotations

import random

from .. import text as T

SUFFIX = "sim.test"
# 6 centrally run cities + 28 provinces: (slug, name, communes, of which phường, đặc khu).
# Totals: 3,321 units = 2,621 xã + 687 phường + 13 đặc khu (../shared/portals.md).
PROVINCES: tuple[tuple[str, str, int, int, int], ...] = (
    ("hanoi", "Thành phố Hà Nội", 126, 51, 0),
    ("hochiminh", "Thành phố Hồ Chí Minh", 168, 113, 1),
    ("haiphong", "Thành phố Hải Phòng", 114, 45, 2),
    ("danang", "Thành phố Đà Nẵng", 94, 23, 1),
    ("hue", "Thành phố Huế", 40, 21, 0),
    ("cantho", "Thành phố Cần Thơ", 103, 31, 0),
    ("tuyenquang", "Tỉnh Tuyên Quang", 124, 7, 0),
    ("caobang", "Tỉnh Cao Bằng", 56, 3, 0),
    ("laichau", "Tỉnh Lai Châu", 38, 2, 0),
    ("laocai", "Tỉnh Lào Cai", 99, 10, 0),
    ("thainguyen", "Tỉnh Thái Nguyên", 92, 15, 0),
    ("dienbien", "Tỉnh Điện Biên", 45, 3, 0),
    ("langson", "Tỉnh Lạng Sơn", 65, 4, 0),
    ("sonla", "Tỉnh Sơn La", 75, 8, 0),
    ("phutho", "Tỉnh Phú Thọ", 148, 15, 0),
    ("bacninh", "Tỉnh Bắc Ninh", 99, 33, 0),
    ("quangninh", "Tỉnh Quảng Ninh", 54, 30, 2),
    ("hungyen", "Tỉnh Hưng Yên", 104, 11, 0),
    ("ninhbinh", "Tỉnh Ninh Bình", 129, 32, 0),
    ("thanhhoa", "Tỉnh Thanh Hóa", 166, 19, 0),
    ("nghean", "Tỉnh Nghệ An", 130, 11, 0),
    ("hatinh", "Tỉnh Hà Tĩnh", 69, 9, 0),
    ("quangtri", "Tỉnh Quảng Trị", 78, 8, 1),
    ("quangngai", "Tỉnh Quảng Ngãi", 96, 9, 1),
    ("gialai", "Tỉnh Gia Lai", 135, 25, 0),
    ("khanhhoa", "Tỉnh Khánh Hòa", 65, 16, 1),
    ("lamdong", "Tỉnh Lâm Đồng", 124, 20, 1),
    ("daklak", "Tỉnh Đắk Lắk", 102, 14, 0),
    ("dongnai", "Tỉnh Đồng Nai", 95, 23, 0),
    ("tayninh", "Tỉnh Tây Ninh", 96, 14, 0),
    ("vinhlong", "Tỉnh Vĩnh Long", 124, 19, 0),
    ("dongthap", "Tỉnh Đồng Tháp", 102, 20, 0),
    ("angiang", "Tỉnh An Giang", 102, 14, 3),
    ("camau", "Tỉnh Cà Mau", 64, 9, 0),
)
# Hanoi's old districts: their portals still host the new units as sub-sites (paths).
HANOI_DISTRICTS = (
    "hoankiem", "badinh", "tayho", "longbien", "caugiay", "dongda", "haibatrung", "hoangmai",
    "thanhxuan", "namtuliem", "bactuliem", "hadong", "sontay",  # urban: the phường
    "bavi", "phuctho", "danphuong", "hoaiduc", "quocoai", "thachthat", "chuongmy", "thanhoai",
    "thuongtin", "phuxuyen", "unghoa", "myduc", "thanhtri", "gialam", "donganh", "melinh", "socson",
)  # fmt: skip
_URBAN_DISTRICTS = 13
_HIGHLANDS = {"daklak", "gialai", "lamdong", "kontum"}
_SYLLABLES = (
    "An", "Bình", "Cẩm", "Châu", "Đại", "Điền", "Đông", "Đức", "Gia", "Hải", "Hà", "Hòa", "Hồng",
    "Hưng", "Hương", "Khánh", "Kim", "Lạc", "Lâm", "Liên", "Long", "Lộc", "Mỹ", "Minh", "Nam",
    "Nghĩa", "Ngọc", "Nhân", "Phong", "Phú", "Phúc", "Quang", "Quảng", "Quế", "Sơn", "Tân",
    "Thạch", "Thái", "Thanh", "Thành", "Thịnh", "Thuận", "Thượng", "Tiến", "Trung", "Trường",
    "Tường", "Văn", "Vĩnh", "Xuân", "Yên", "Vân", "Hoằng", "Thiệu", "Triệu", "Cát", "Bảo",
)  # fmt: skip
_HIGHLAND_HEADS = ("Ea", "Krông", "Cư", "Buôn", "Đắk", "Ia", "Chư", "Kon", "Dray", "Ea")
_HIGHLAND_TAILS = (
    "Kao", "Súp", "Pắc", "Bông", "Năng", "Hiao", "Drăng", "Tul", "M'gar", "Pông", "Kly", "Sê",
    "Grai", "Rông", "Pơng", "Wer", "Yang", "Bang", "Lốp", "H'leo", "Ktur", "Sin", "Tân", "Ô",
)  # fmt: skip
_KIND = {"xa": ("Xã", "commune"), "phuong": ("Phường", "ward"), "dac-khu": ("Đặc khu", "special_zone")}


def _unit_names(rng: random.Random, n: int, highland: bool, taken: set[str]) -> list[str]:
    out = []
    while len(out) < n:
        if highland and rng.random() < 0.35:
            name = f"{rng.choice(_HIGHLAND_HEADS)} {rng.choice(_HIGHLAND_TAILS)}"
        else:
            name = " ".join(rng.sample(_SYLLABLES, 2))
        key = T.slugify(name)
        if key not in taken:
            taken.add(key)
            out.append(name)
    return out
