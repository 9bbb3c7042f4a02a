"""Who applies in the sample history: residents and businesses of 东兴市 (a county-level city of
防城港 on the border with Vietnam: border trade, seafood, mahogany, tourism), with valid identity
numbers, local addresses, and businesses whose trade fits what they apply for.

A person applies for the items a person applies for, an enterprise (法人及其他组织) for the items an
organisation applies for — history/plan.py decides which from the catalog — and an enterprise's trade
fits the item: a restaurant asks for a food-business licence, a developer for a pre-sale permit, an
elderly-care home for its filing. Items for any business (company registration, tax, bank account)
take any enterprise."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import NamedTuple

from onewindow.orgs import identity
from onewindow.orgs.models import Applicant, ApplicantKind

from .rows import ApplicantRow

PERSON, ENTERPRISE = ApplicantKind.PERSON.value, ApplicantKind.ENTERPRISE.value
REGION = "450681"  # 东兴市

SURNAMES = "黄李陈梁林韦刘张王杨周吴覃莫何邓蒙潘罗谢苏冯钟廖卢裴阮武农"  # 裴、阮、武: 京族 names of the coast
GIVEN = "海明华丽强芳军燕勇娟伟敏静磊洋艳杰涛玲霞平刚桂兰文斌凤英春雪金宝福康秀珍"
# Towns of 东兴市 and streets or villages in them.
PLACES = {
    "东兴镇": ("北仑大道", "东兴大道", "兴华路", "友谊路", "民生路", "迎宾路", "中山路", "新兴街", "楠木山村"),
    "江平镇": ("江平大道", "万尾金滩路", "万尾村", "巫头村", "山心村", "交东村"),
    "马路镇": ("马路街", "平丰村", "大勉村"),
}
BRANDS = ("金滩", "京岛", "北仑", "兴边", "万尾", "竹山", "东盟", "中越", "红树林", "海韵", "鸿运", "恒盛",
          "宏达", "联兴", "嘉华", "利源", "永发", "金海湾", "海天", "桂海", "椰林", "南国", "边城", "口岸",
          "兴海", "侨兴", "江山", "白龙", "怡景", "富兴")

# Trades: the authority and type of the unified social credit code (GB 32100: 91 company, 92 individual
# business, 52 民办非企业单位) and the names such businesses carry ({brand}, {town}, {surname}).
TRADES: dict[str, tuple[str, tuple[str, ...]]] = {
    "catering": ("92", ("东兴市{town}{brand}海鲜餐馆", "东兴市{town}{surname}记米粉店", "东兴市{brand}餐饮店",
                        "东兴市{town}{brand}海鲜酒家")),
    "trade": ("91", ("东兴市{brand}边贸有限公司", "东兴市{brand}商贸有限公司", "东兴市{brand}进出口贸易有限公司",
                     "东兴市{brand}红木家具有限公司", "东兴市{brand}海产品有限公司")),
    "logistics": ("91", ("东兴市{brand}物流有限公司", "东兴市{brand}运输有限公司", "东兴市{brand}货运代理有限公司")),
    "construction": ("91", ("广西{brand}建设工程有限公司", "东兴市{brand}房地产开发有限公司",
                            "东兴市{brand}建筑工程有限公司")),
    "medical": ("91", ("东兴{brand}医院有限公司", "东兴市{brand}口腔门诊部有限公司", "东兴市{brand}中医门诊部有限公司")),
    "hospitality": ("91", ("东兴市{brand}酒店有限公司", "东兴市{town}{brand}宾馆", "东兴市{brand}美容美发店",
                           "东兴市{brand}游泳馆有限公司")),
    "culture": ("91", ("东兴市{brand}文化传媒有限公司", "东兴市{brand}娱乐有限公司", "东兴市{brand}网络会所有限公司",
                       "东兴市{brand}演艺有限公司")),
    "eldercare": ("52", ("东兴市{brand}养老服务中心", "东兴市{town}{brand}颐养院")),
}
TRADE_WEIGHTS = {"catering": 22, "trade": 30, "logistics": 12, "construction": 10, "medical": 3,
                 "hospitality": 12, "culture": 8, "eldercare": 3}
# Which businesses apply for an item: the first entry whose word is in the item's name. Items none of
# these name (company registration, tax, social insurance, bank account, seals) take any enterprise.
ITEM_TRADES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("食品",), ("catering",)),
    (("医疗机构",), ("medical",)),
    (("公共场所",), ("hospitality",)),
    (("娱乐", "演出", "互联网上网", "大型群众性活动"), ("culture",)),
    (("道路货物运输", "道路运输"), ("logistics",)),
    (("建筑垃圾",), ("construction", "logistics")),
    (("施工", "商品房", "规划", "消防", "建设用地", "首次登记", "占用、挖掘"), ("construction",)),
    (("养老机构",), ("eldercare",)),
    (("户外广告", "标语", "宣传品"), ("catering", "trade", "hospitality")),
)


def trades_for(item_name: str) -> tuple[str, ...] | None:
    """The trades whose businesses apply for an item of this name; None: any business."""
    for words, trades in ITEM_TRADES:
        if any(word in item_name for word in words):
            return trades
    return None


class ApplicantRef(NamedTuple):
    """An applicant as the cases refer to it."""

    id: int
    kind: str
    name: str
    user_id: int | None
    username: str
    bad_credit: bool
    id_number: str
    trade: str  # "" for persons and for businesses of no known trade


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def address(rng: random.Random) -> str:
    town = rng.choice(tuple(PLACES))
    return f"东兴市{town}{rng.choice(PLACES[town])}{rng.randint(1, 300)}号"


class ApplicantPool:
    """Existing applicants (the demo's) and new ones written through `writer`, drawn per kind and trade:
    a few applicants come back often (a skewed draw), most once or twice."""

    def __init__(self, *, rng: random.Random, writer, wanted: int, created_at):
        self.rng = rng
        self.persons: list[ApplicantRef] = []
        self.enterprises: list[ApplicantRef] = []
        self.by_trade: dict[str, list[ApplicantRef]] = {trade: [] for trade in TRADES}
        for row in Applicant.objects.order_by("id").values_list(
                "id", "kind", "name", "user_id", "user__username", "bad_credit", "id_number")[:1000]:
            self._keep(ApplicantRef(*row, trade=""))
        taken = set(Applicant.objects.values_list("id_number", flat=True)) \
            if Applicant.objects.count() < 100_000 else set()
        trades, cum_weights = list(TRADE_WEIGHTS), []
        total = 0
        for trade in trades:
            total += TRADE_WEIGHTS[trade]
            cum_weights.append(total)
        serial = rng.randrange(10**6)
        self.created = 0
        for n in range(wanted):
            if rng.random() < 0.3:
                trade = rng.choices(trades, cum_weights=cum_weights)[0]
                code, patterns = TRADES[trade]
                number = identity.generate_uscc(authority=code[0], type_code=code[1], region=REGION,
                                                body=f"{(serial + n * 7919) % 10**8:08d}")
                town = rng.choice(tuple(PLACES))
                name = rng.choice(patterns).format(town=town, brand=rng.choice(BRANDS), surname=rng.choice(SURNAMES))
                kind, representative = ENTERPRISE, person_name(rng)
            else:
                trade = ""
                born = date(1950, 1, 1) + timedelta(days=(serial + n * 37) % (365 * 56))
                number = identity.generate_resident_id(region=REGION, birth_date=born, sequence=(n // 20440) % 1000)
                kind, name, representative = PERSON, person_name(rng), ""
            if number in taken:
                continue
            taken.add(number)
            applicant_id = writer.new_id(Applicant)
            bad_credit = rng.random() < 0.01
            writer.add(Applicant, ApplicantRow(
                id=applicant_id, kind=kind, name=name, id_number=number,
                phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}", address=address(rng),
                legal_representative=representative, user=None, bad_credit=bad_credit, created_at=created_at))
            self._keep(ApplicantRef(applicant_id, kind, name, None, "", bad_credit, number, trade))
            self.created += 1

    def _keep(self, applicant: ApplicantRef) -> None:
        if applicant.kind == PERSON:
            self.persons.append(applicant)
        else:
            self.enterprises.append(applicant)
            if applicant.trade:
                self.by_trade[applicant.trade].append(applicant)

    def pick(self, kinds: frozenset[str], trades: tuple[str, ...] | None) -> ApplicantRef:
        """An applicant of one of `kinds` (persons about 70 % of the time when both may apply); an
        enterprise of one of `trades` when the item names them."""
        random = self.rng.random
        if PERSON in kinds and (ENTERPRISE not in kinds or random() < 0.7 or not self.enterprises):
            people = self.persons
        elif trades:
            people = self.by_trade[trades[0] if len(trades) == 1 else trades[int(random() * len(trades))]] \
                or self.enterprises
        else:
            people = self.enterprises
        if not people:
            people = self.persons or self.enterprises
        return people[int(len(people) * random() ** 1.3)]
