"""The demo district: 长沙市 > 开福区 > 8 streets > 86 communities, from a fixed seed."""

from __future__ import annotations

import decimal
import random
from dataclasses import dataclass

from shegong.core.actors import system_actor
from shegong.core.audit import AuditAction, audit_record
from shegong.orgs import rules
from shegong.orgs.models import (
    AreaType,
    CommunityFunding,
    CommunityProfile,
    FundingSource,
    Premises,
    Unit,
    UnitKind,
)

CITY = ("430100000000", "长沙市")
DISTRICT = ("430105000000", "开福区")
STREETS = [
    ("430105001000", "东风路街道", 11),
    ("430105002000", "湘雅路街道", 11),
    ("430105003000", "望麓园街道", 11),
    ("430105004000", "清水塘街道", 11),
    ("430105005000", "伍家岭街道", 11),
    ("430105006000", "新河街道", 11),
    ("430105007000", "四方坪街道", 10),
    ("430105008000", "洪山街道", 10),
]
COMMUNITY_WORDS = [
    "东风",
    "德峰",
    "凤亭",
    "华夏",
    "鸭子铺",
    "金鹏",
    "红花坡",
    "湘雅",
    "湘春",
    "北正街",
    "麻园岭",
    "浏正街",
    "营盘",
    "望麓园",
    "经武",
    "开福寺",
    "留芳岭",
    "清水塘",
    "秀峰",
    "戥子桥",
    "芙蓉",
    "陡岭",
    "新风",
    "伍家岭",
    "丝茅冲",
    "五里牌",
    "高家坡",
    "松桂园",
    "福城",
    "江湾",
    "潘家坪",
    "新河",
    "东风桥",
    "三角塘",
    "盛世",
    "湘江",
    "四方坪",
    "马栏山",
    "月湖",
    "鸭子湖",
    "幸福桥",
    "德雅",
    "巡道",
    "竹山",
    "洪山",
    "新港",
    "金霞",
    "沙坪",
    "青竹湖",
    "捞刀河",
    "浏阳河",
    "兴联",
    "双河",
    "福元",
    "湘腾",
    "中青",
    "洪西",
    "金泰",
    "荷花",
    "绿地",
    "北辰",
    "万达",
    "湘府",
    "楠竹",
    "观音",
    "长岭",
    "松雅",
    "金龙",
    "银杏",
    "和平",
    "马厂",
    "丰泉",
    "古井",
    "龙湾",
    "新竹",
    "三一",
    "蚌塘",
    "银湖",
    "汉回",
    "鹿芝岭",
    "清湖",
    "盛华",
    "桃花",
    "金科",
    "沙河",
    "伍家",
]
DEMO_PASSWORD = "Shegong@2026"


@dataclass
class DemoTree:
    city: Unit
    district: Unit
    streets: list[Unit]
    communities: list[Unit]


def build_tree(rng: random.Random) -> DemoTree:
    city = Unit.objects.create(
        code=CITY[0], name=CITY[1], kind=UnitKind.CITY, path=rules.child_path(None, CITY[0])
    )
    district = Unit.objects.create(
        code=DISTRICT[0],
        name=DISTRICT[1],
        kind=UnitKind.DISTRICT,
        parent=city,
        path=rules.child_path(city.path, DISTRICT[0]),
    )
    streets: list[Unit] = []
    communities: list[Unit] = []
    profiles: list[CommunityProfile] = []
    fundings: list[CommunityFunding] = []
    words = iter(COMMUNITY_WORDS)
    for code, name, count in STREETS:
        street = Unit.objects.create(
            code=code,
            name=name,
            kind=UnitKind.STREET,
            parent=district,
            path=rules.child_path(district.path, code),
        )
        streets.append(street)
        for n in range(1, count + 1):
            ccode = f"{code[:9]}{n:03d}"
            community = Unit(
                code=ccode,
                name=f"{next(words)}社区",
                kind=UnitKind.COMMUNITY,
                parent=street,
                path=rules.child_path(street.path, ccode),
            )
            communities.append(community)
    Unit.objects.bulk_create(communities)
    communities = list(Unit.objects.filter(kind=UnitKind.COMMUNITY, path__startswith=district.path))
    for community in communities:
        households = rng.randint(1800, 6500)
        profiles.append(
            CommunityProfile(
                unit=community,
                households=households,
                residents=int(households * rng.uniform(2.3, 2.9)),
                area_type=AreaType.RURAL if rng.random() < 0.06 else AreaType.URBAN,
                office_area=decimal.Decimal(rng.randint(150, 650)),
                activity_area=decimal.Decimal(rng.randint(200, 1200)),
                premises=Premises.RENTED if rng.random() < 0.15 else Premises.OWNED,
            )
        )
        for year in (2025, 2026):
            fundings.append(
                CommunityFunding(
                    unit=community,
                    year=year,
                    source=FundingSource.FISCAL,
                    amount=decimal.Decimal(rng.randint(20, 40) * 10000),
                )
            )
            fundings.append(
                CommunityFunding(
                    unit=community,
                    year=year,
                    source=FundingSource.AWARD,
                    amount=decimal.Decimal(rng.randint(0, 10) * 5000),
                )
            )
    CommunityProfile.objects.bulk_create(profiles)
    CommunityFunding.objects.bulk_create(fundings)
    audit_record(
        acting_user=system_actor(), action=AuditAction.IMPORT, target=district, note="演示数据"
    )
    return DemoTree(city, district, streets, communities)
