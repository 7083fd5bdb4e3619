"""The demo district's burden: an admission list of the anchors' size (12 duties and 46
assisting items, as in the design notes; 58 like Zhengzhou Erqi after its cut), the stamp lists
(4 a community may issue, 26 it may not, as in Zhongshan), and what each community carried in
the last two years: the listed ledgers, signboards, inspections and meetings, and in some
communities many more beyond the list (essay 1: up to 200 ledgers and 25 kinds of stamps).
A few applications in every state, and one department login. Written in bulk with one
summary audit row.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from shegong.burden import services
from shegong.burden.models import (
    AdmissionItem,
    Application,
    BurdenRecord,
    Category,
    Department,
    ItemKind,
    Listing,
    StampEntry,
    Status,
)
from shegong.core.actors import system_actor
from shegong.core.audit import AuditAction, audit_record
from shegong.core.models import Role
from shegong.core.services import user_create
from shegong.orgs.demo import DEMO_PASSWORD

if TYPE_CHECKING:
    from shegong.orgs.demo import DemoTree
    from shegong.orgs.models import Unit

DEPARTMENTS = [
    "区民政局", "区卫健局", "区住建局", "区城管局", "区市场监管局", "区人社局", "公安开福分局",
    "区司法局", "区应急管理局", "区教育局", "区文旅体局", "区退役军人事务局", "区医保局",
    "区残联", "区妇联", "区委组织部", "区委宣传部", "区委政法委", "区统计局", "区生态环境分局",
]  # fmt: skip
DUTIES = [
    "社区党组织建设", "居民会议和居民代表会议", "居务公开", "社区协商议事", "人民调解",
    "治安保卫", "公共卫生", "社区环境维护", "社区志愿服务", "社区社会组织培育",
    "居民公约修订", "社区服务站运行",
]  # fmt: skip
# (title, department, category, funded)
ASSISTS = [
    ("最低生活保障申请受理", "区民政局", "task", True),
    ("特困人员供养初审", "区民政局", "task", True),
    ("临时救助受理", "区民政局", "task", True),
    ("高龄津贴申报", "区民政局", "task", True),
    ("居家养老服务", "区民政局", "task", True),
    ("低保对象台账", "区民政局", "ledger", False),
    ("残疾人两项补贴初审", "区残联", "task", True),
    ("残疾人基本情况台账", "区残联", "ledger", False),
    ("城乡居民医保参保登记", "区医保局", "task", True),
    ("医保参保台账", "区医保局", "ledger", False),
    ("居民健康档案", "区卫健局", "task", True),
    ("计划生育家庭奖励扶助初审", "区卫健局", "task", True),
    ("爱国卫生运动", "区卫健局", "task", False),
    ("健康档案台账", "区卫健局", "ledger", False),
    ("就业困难人员认定初审", "区人社局", "task", True),
    ("城乡居民养老保险登记", "区人社局", "task", True),
    ("退休人员社会化管理", "区人社局", "task", True),
    ("就业失业台账", "区人社局", "ledger", False),
    ("流动人口信息采集", "公安开福分局", "task", True),
    ("出租房屋登记", "公安开福分局", "task", False),
    ("社区矫正协助", "区司法局", "task", True),
    ("法律援助受理", "区司法局", "task", False),
    ("安全隐患排查", "区应急管理局", "task", True),
    ("防汛防灾应急", "区应急管理局", "task", True),
    ("安全生产检查台账", "区应急管理局", "ledger", False),
    ("退役军人服务站", "区退役军人事务局", "task", True),
    ("退役军人信息台账", "区退役军人事务局", "ledger", False),
    ("垃圾分类宣传", "区城管局", "task", True),
    ("物业管理协调", "区住建局", "task", False),
    ("老旧小区改造意见征集", "区住建局", "task", True),
    ("食品安全宣传", "区市场监管局", "task", False),
    ("学前教育资助初审", "区教育局", "task", True),
    ("全民健身活动", "区文旅体局", "task", True),
    ("妇女儿童权益维护", "区妇联", "task", False),
    ("精神文明创建", "区委宣传部", "task", True),
    ("平安建设", "区委政法委", "task", True),
    ("经济普查和人口抽样调查", "区统计局", "task", True),
    ("综合统计报表", "区统计局", "form", False),
    ("民政业务季报", "区民政局", "form", False),
    ("就业形势月报", "区人社局", "form", False),
    ("安全生产月报", "区应急管理局", "form", False),
    ("社区服务站挂牌", "区民政局", "signboard", False),
    ("党群服务中心挂牌", "区委组织部", "signboard", False),
    ("退役军人服务站挂牌", "区退役军人事务局", "signboard", False),
    ("新时代文明实践站挂牌", "区委宣传部", "signboard", False),
    ("文明社区年度测评", "区委宣传部", "inspection", False),
]
REFUSED = [
    ("招商引资任务", "区住建局"), ("税费征收", "区统计局"), ("拆迁动员", "区住建局"),
    ("违法建设执法", "区城管局"), ("市场主体登记核查", "区市场监管局"),
    ("环保督察整改", "区生态环境分局"), ("创卫迎检", "区卫健局"),
    ("无犯罪记录证明", "公安开福分局"),
]  # fmt: skip
POSITIVE = ["居民死亡证明(非医疗机构内)", "居民身份证明(临时)", "经济困难状况说明", "居住情况说明"]
NEGATIVE = [
    "无犯罪记录证明", "亲属关系证明", "婚姻状况证明", "健在证明", "房产权属证明", "收入证明",
    "学历证明", "出生证明", "工作经历证明", "失业证明", "残疾证明", "病情证明", "贫困证明",
    "独生子女证明", "未婚证明", "房屋租赁证明", "车辆停放证明", "经营场所证明", "纳税证明",
    "社保缴纳证明", "户籍迁移证明", "遗失证明", "道路通行证明", "政审证明", "品行证明",
    "监护人证明",
]  # fmt: skip
EXTRA_LEDGERS = [
    "创文迎检台账", "创卫迎检台账", "禁毒宣传台账", "反邪教宣传台账", "消防安全巡查台账",
    "文明养犬台账", "燃气安全台账", "电动车充电巡查台账", "防诈骗宣传台账", "河长制巡河台账",
    "秸秆禁烧台账", "重点人员走访台账", "扫黄打非台账", "国防教育台账", "征兵宣传台账",
    "人口普查入户台账", "网格员日志", "志愿服务积分台账", "慈善捐赠台账", "农民工工资台账",
]  # fmt: skip
EXTRA_SIGNS = ["禁毒工作站", "科普工作室", "法律服务室", "心理咨询室", "妇女之家", "青年之家",
               "关工委工作站", "双拥工作站", "侨胞之家", "统战工作站", "家长学校"]  # fmt: skip
EVENTS = [
    ("inspection", "创文暗访检查", "区委宣传部", False),
    ("inspection", "消防安全检查", "区应急管理局", True),
    ("inspection", "创卫迎检", "区卫健局", False),
    ("appraisal", "平安建设考评", "区委政法委", False),
    ("appraisal", "文明社区年度测评", "区委宣传部", True),
    ("ranking", "垃圾分类红黑榜", "区城管局", False),
    ("ranking", "社区治理评比", "区民政局", False),
    ("meeting", "安全生产调度会", "区应急管理局", False),
    ("meeting", "创文推进会", "区委宣传部", False),
    ("meeting", "民政业务培训会", "区民政局", False),
]


def _list(district: Unit, depts: dict[str, Department], day: datetime.date) -> dict[str, Any]:
    items: list[AdmissionItem] = []
    for title in DUTIES:
        items.append(_item(district, depts["区民政局"], "task", ItemKind.DUTY, title, False, day))
    for title, dept, category, funded in ASSISTS:
        items.append(_item(district, depts[dept], category, ItemKind.ASSIST, title, funded, day))
    for title, dept in REFUSED:
        items.append(_item(district, depts[dept], "task", ItemKind.REFUSED, title, False, day))
    made = AdmissionItem.objects.bulk_create(items)
    stamps = StampEntry.objects.bulk_create(
        [StampEntry(district=district, name=n, listing=Listing.POSITIVE) for n in POSITIVE]
        + [StampEntry(district=district, name=n, listing=Listing.NEGATIVE) for n in NEGATIVE]
    )
    return {"items": made, "stamps": stamps}


def _item(
    district: Unit,
    dept: Department,
    category: str,
    kind: str,
    title: str,
    funded: bool,
    day: datetime.date,
) -> AdmissionItem:
    return AdmissionItem(
        district=district,
        department=dept,
        category=category,
        kind=kind,
        title=title,
        legal_basis="《开福区社区工作事项准入清单》" if kind != ItemKind.REFUSED else "",
        funded=funded,
        funding=Decimal(3000) if funded else Decimal(0),
        published_on=day,
    )


def _community_records(
    rng: random.Random,
    community: Unit,
    year: int,
    heavy: bool,
    lists: dict[str, Any],
    depts: dict[str, Department],
) -> list[BurdenRecord]:
    by_title = {i.title: i for i in lists["items"]}
    out: list[BurdenRecord] = []

    def add(kind: str, title: str, dept: str, **more: Any) -> None:
        out.append(
            BurdenRecord(community=community, kind=kind, title=title, year=year,
                         department=depts[dept], **more)
        )  # fmt: skip

    for item in lists["items"]:
        if item.kind == ItemKind.ASSIST and item.category in ("ledger", "signboard"):
            kind = item.category
            add(kind, item.title, item.department.name, item=item,
                frequency="monthly" if kind == "ledger" else "")  # fmt: skip
    extra = rng.randint(12, len(EXTRA_LEDGERS)) if heavy else rng.randint(0, 4)
    for title in rng.sample(EXTRA_LEDGERS, extra):
        add(
            "ledger",
            title,
            rng.choice(DEPARTMENTS),
            frequency=rng.choice(["weekly", "monthly", "ad_hoc"]),
        )
    for title in rng.sample(EXTRA_SIGNS, rng.randint(4, 11) if heavy else rng.randint(0, 2)):
        add("signboard", title, rng.choice(DEPARTMENTS))
    for entry in lists["stamps"]:
        issued = entry.listing == Listing.POSITIVE or rng.random() < (0.5 if heavy else 0.05)
        if issued:
            add(
                "stamp",
                entry.name,
                "公安开福分局" if "犯罪" in entry.name else "区民政局",
                stamp=entry,
            )
    for kind, title, dept, listed in EVENTS:
        times = rng.randint(2, 8) if heavy else rng.randint(0, 3)
        for _n in range(times):
            day = datetime.date(year, rng.randint(1, 11), rng.randint(1, 28))
            hours = Decimal(rng.choice([2, 3, 4, 6, 8, 12]))
            add(kind, title, dept, day=day, hours=hours, staff=rng.randint(1, 6),
                item=by_title.get(title) if listed else None)  # fmt: skip
    return out


def _applications(depts: dict[str, Department], as_of: datetime.date) -> None:
    system = system_actor()
    start = as_of + datetime.timedelta(days=90)
    rows = [
        ("区卫健局", "居民健康素养监测", Status.FILED, ""),
        ("区城管局", "门前三包巡查台账", Status.REFUSED, "属于部门自身执法职责,不得转嫁社区"),
        ("区统计局", "住户收支调查", Status.APPROVED, ""),
        ("区委宣传部", "文明实践积分台账", Status.LAPSED, str(services.LAPSE_REASON)),
    ]
    made = []
    for dept, title, status, reason in rows:
        filed = as_of - datetime.timedelta(days=40 if status == Status.LAPSED else 5)
        made.append(
            Application(
                department=depts[dept], category=Category.TASK, kind=ItemKind.ASSIST, title=title,
                legal_basis="部门文件", starts_on=start, filed_on=filed,
                due_on=filed + datetime.timedelta(days=21), filed_by=system, status=status,
                decided_on=None if status == Status.FILED else as_of,
                decided_by=None if status == Status.FILED else system, reason=reason,
            )
        )  # fmt: skip
    Application.objects.bulk_create(made)


# Three departments' forms (一表通), each field mapped to data held or asked of the community.
FORMS = [
    ("区民政局", "社区工作者队伍基本情况季报", [
        ("社区工作者总数", "roster.total"), ("其中女性", "roster.female"),
        ("大专及以上学历", "roster.college"), ("中共党员", "roster.party_member"),
        ("选举产生", "roster.elected"), ("聘用", "roster.hired"),
        ("网格数", "asked:grid.count"),
    ]),
    ("区卫健局", "社区基本公共卫生服务情况表", [
        ("户数", "profile.households"), ("常住人口", "profile.residents"),
        ("社区工作者总数", "roster.total"), ("家庭医生签约户数", "asked:health.signed_households"),
    ]),
    ("区统计局", "社区综合统计年报", [
        ("社区数", "org.communities"), ("户数", "profile.households"),
        ("常住人口", "profile.residents"), ("办公用房面积(㎡)", "profile.office_area"),
        ("活动用房面积(㎡)", "profile.activity_area"), ("社区工作者总数", "roster.total"),
        ("网格数", "asked:grid.count"),
    ]),
]  # fmt: skip


def _forms(depts: dict[str, Department]) -> int:
    import tempfile
    from pathlib import Path

    from openpyxl import Workbook

    made = 0
    for dept, title, fields in FORMS:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "报表"
        sheet["A1"], sheet["A2"], sheet["B2"] = title, "指标", "数值"
        for row, (label, _source) in enumerate(fields, start=3):
            sheet.cell(row=row, column=1, value=label)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "layout.xlsx"
            book.save(path)
            form = services.form_create(
                department=depts[dept], title=title, path=path, filename="layout.xlsx",
                acting_user=system_actor(),
            )  # fmt: skip
        for row, (label, source) in enumerate(fields, start=3):
            asked = source.startswith("asked:")
            values = {"cell": f"B{row}", "label": label, "source": "asked" if asked else source}
            values["key"] = source.removeprefix("asked:") if asked else ""
            services.form_field_add(form=form, values=values, acting_user=system_actor())
            made += 1
    return made


def _questionnaire(rng: random.Random, district: Unit, as_of: datetime.date) -> int:
    """Essay 5's questionnaire again: most workers answer, most report heavy pressure."""
    survey = services.worker_survey_create(
        unit=district, title=f"{as_of.year}年社区工作者负担与待遇问卷", acting_user=system_actor()
    )
    issued = services.worker_codes_issue(survey=survey, acting_user=system_actor(), on=as_of)
    services.worker_survey_set_status(survey=survey, status="open", acting_user=system_actor())
    answered = 0
    for _worker, code in issued:
        if rng.random() > 0.85:
            continue
        pressure = rng.choices(range(5), weights=[45, 38, 12, 4, 1])[0]
        pay = rng.choices(range(5), weights=[5, 20, 40, 25, 10])[0]
        heaviest = rng.choices(range(6), weights=[40, 30, 12, 8, 6, 4])[0]
        text = rng.choice(["", "", "台账太多,希望一表通", "检查考评太频繁", "会议太多"])
        services.answer_submit(
            code=code, answers={"1": pressure, "2": pay, "3": heaviest, "4": text}
        )
        answered += 1
    services.worker_survey_set_status(survey=survey, status="closed", acting_user=system_actor())
    return answered


def build_burden(rng: random.Random, tree: DemoTree, as_of: datetime.date) -> dict[str, int]:
    district = tree.district
    depts = {
        d.name: d
        for d in Department.objects.bulk_create(
            [Department(district=district, name=name) for name in DEPARTMENTS]
        )
    }
    lists = _list(district, depts, datetime.date(as_of.year - 2, 6, 1))
    heavy = set(rng.sample([c.pk for c in tree.communities], max(1, len(tree.communities) // 5)))
    records: list[BurdenRecord] = []
    for year in (as_of.year - 1, as_of.year):
        for community in tree.communities:
            records += _community_records(rng, community, year, community.pk in heavy, lists, depts)
    BurdenRecord.objects.bulk_create(records, batch_size=2000)
    _applications(depts, as_of)
    fields = _forms(depts)
    answered = _questionnaire(rng, district, as_of)
    account = user_create(
        username="health_dept",
        password=DEMO_PASSWORD,
        full_name="区卫健局",
        unit=district,
        role=Role.DEPARTMENT,
        acting_user=system_actor(),
    )
    depts["区卫健局"].members.add(account)
    counts = {
        "items": len(lists["items"]),
        "stamps": len(lists["stamps"]),
        "records": len(records),
        "form_fields": fields,
        "answers": answered,
    }
    audit_record(
        acting_user=system_actor(),
        action=AuditAction.IMPORT,
        target=BurdenRecord(),
        target_repr="演示社区负担数据",
        unit_path=district.path,
        after=counts,
        note="shegong demo",
    )
    return counts
