"""Why things happen in the sample history, fitted to each item: refusals (不予受理), denials (不予许可 /
不予登记 / 不予批准), supplement defects (补正), withdrawals, special procedures and their reasons.

A reason must fit its item, its department and its applicant — a medical-insurance payment is not
denied for its fire-safety design, a funeral-fee waiver is not refused because of a planning zone.
So the reasons of an item come from, in order:
- the domain table below, matched on words of the item's name (the sample catalog of 东兴市: what each
  kind of item is really refused or denied for, from the conditions the catalog states for it);
- otherwise its own materials: "经审查，《…》不符合法定要求" names a document the item asks for;
- refusals common to every item (a duplicate application, false documents: Administrative
  Licensing Law Art. 31/32) and withdrawals by applicant kind.
Supplement defects are chosen per material by what the document is (a form lacks a signature or a
seal, a certificate has expired, a drawing lacks its scale) and by who hands it in (only an
organisation stamps its seal). Special procedures (Art. 45) are those the item's domain needs (a site
inspection for a restaurant's licence, an expert review for a fire-safety design, public notice for a
first registration) or that its stages name; an item with none never has one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from onewindow.cases.models import ProcedureKind
from onewindow.catalog.models import MaterialSource

from .people import ENTERPRISE, PERSON


class Procedure(NamedTuple):
    kind: str
    label: str
    limit_days: int
    reason: str
    outcome: str


PROCEDURES: dict[str, Procedure] = {
    ProcedureKind.SITE_INSPECTION: Procedure(ProcedureKind.SITE_INSPECTION.value, "现场核查", 5,
                                             "依法需进行现场核查", "现场核查完成，符合条件"),
    ProcedureKind.EXPERT_REVIEW: Procedure(ProcedureKind.EXPERT_REVIEW.value, "专家评审", 10,
                                           "技术性较强，依法组织专家评审", "专家评审完成，评审意见为通过"),
    ProcedureKind.HEARING: Procedure(ProcedureKind.HEARING.value, "听证", 15,
                                     "涉及他人重大利益，利害关系人申请听证", "听证完成，未发现不予许可的情形"),
    ProcedureKind.PUBLIC_NOTICE: Procedure(ProcedureKind.PUBLIC_NOTICE.value, "公示", 7,
                                           "依法需向社会公示", "公示期满，无异议"),
    ProcedureKind.APPRAISAL: Procedure(ProcedureKind.APPRAISAL.value, "鉴定", 10,
                                       "依法需组织专家鉴定", "鉴定完成，结论已送达"),
    ProcedureKind.TESTING: Procedure(ProcedureKind.TESTING.value, "检验检测", 10,
                                     "依法需委托专业机构检验检测", "检验检测合格"),
}
P = ProcedureKind


@dataclass(frozen=True)
class Domain:
    words: tuple[str, ...]  # any of them in the item's name
    denials: tuple[str, ...] = ()
    refusals: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    withdrawals: tuple[str, ...] = ()


DOMAINS: tuple[Domain, ...] = (
    Domain(("食品经营",),
           denials=("现场核查：经营场所布局和设备设施不符合食品经营许可审查要求",
                    "现场核查：食品处理区与生活区未有效分隔，存在交叉污染风险",
                    "食品安全管理人员健康证明不全，且补正期满未补齐"),
           refusals=("申请的经营场所不在东兴市辖区，已告知向经营场所所在地市场监管部门申请",),
           procedures=(P.SITE_INSPECTION,)),
    Domain(("个体工商户", "公司设立"),
           refusals=("申报的名称与已登记的同行业市场主体名称近似，已告知重新申报名称",
                     "申请登记的经营场所不在东兴市辖区，已告知向经营场所所在地登记机关申请")),
    Domain(("公章刻制",), refusals=("营业执照已被吊销，不能办理公章刻制备案",)),
    Domain(("出生登记", "户口注销"),
           refusals=("申报人户籍不在东兴市，已告知向户籍所在地公安派出所申请",)),
    Domain(("居民身份证",),
           denials=("人像比对未通过，申领人与户籍登记照片不一致，需本人到户籍地派出所核实",
                    "户籍登记项目有误，须先办理户籍信息更正后再申领"),
           refusals=("申领人户籍不在东兴市，已告知到户籍所在地或跨省通办窗口申领",)),
    Domain(("大型群众性活动",),
           denials=("场所安全查验不合格：疏散通道和安全出口不符合要求",
                    "活动安全工作方案未落实安保人员和应急救援预案",
                    "预计参加人数超过活动场所核定容量"),
           procedures=(P.SITE_INSPECTION,)),
    Domain(("转移登记", "注销登记", "抵押权"),
           denials=("不动产已被人民法院查封，暂停办理登记", "申请登记的事项与不动产登记簿记载的权利状况不一致"),
           refusals=("不动产不在东兴市辖区，已告知向不动产所在地登记机构申请",),
           procedures=(P.SITE_INSPECTION,)),
    Domain(("首次登记",),
           denials=("不动产权籍调查成果与实地状况不符", "房屋未完成竣工验收备案，不符合首次登记条件"),
           refusals=("不动产不在东兴市辖区，已告知向不动产所在地登记机构申请",),
           procedures=(P.PUBLIC_NOTICE, P.SITE_INSPECTION)),
    Domain(("网签备案",), refusals=("房屋已被查封，不能办理网签备案",)),
    Domain(("建设用地规划", "建设工程规划"),
           denials=("经审查，申请内容与国土空间规划不符",
                    "建设工程设计方案不符合规划条件确定的容积率和建筑密度要求"),
           procedures=(P.PUBLIC_NOTICE, P.EXPERT_REVIEW),
           withdrawals=("项目建设计划调整，申请人主动撤回",)),
    Domain(("消防设计",),
           denials=("专家评审意见：消防设计不符合国家工程建设消防技术标准",
                    "消防设计文件不符合特殊建设工程消防设计技术审查要求"),
           procedures=(P.EXPERT_REVIEW,),
           withdrawals=("项目建设计划调整，申请人主动撤回",)),
    Domain(("施工许可",),
           denials=("施工图设计文件审查未通过，不具备施工条件", "未落实保证工程质量和安全的具体措施"),
           procedures=(P.SITE_INSPECTION,),
           withdrawals=("项目建设计划调整，申请人主动撤回",)),
    Domain(("商品房预售",),
           denials=("投入开发建设的资金未达到工程建设总投资的25%", "工程形象进度未达到预售条件"),
           procedures=(P.SITE_INSPECTION,),
           withdrawals=("项目建设计划调整，申请人主动撤回",)),
    Domain(("经济适用住房",),
           denials=("家庭收入超过东兴市经济适用住房保障标准", "家庭在东兴市已有住房，不属于住房困难家庭"),
           procedures=(P.PUBLIC_NOTICE,)),
    Domain(("社会保障卡",), denials=("申请人已有有效社会保障卡，不得重复申领",)),
    Domain(("社会保险登记",), refusals=("该单位已办理社会保险登记，不得重复登记",)),
    Domain(("正常退休",),
           denials=("累计缴费年限不满15年，暂不符合按月领取基本养老金条件",
                    "出生时间记载与人事档案不一致，须先核定出生时间"),
           refusals=("参保关系不在东兴市，已告知向参保地社会保险经办机构申请",)),
    Domain(("失业保险金",),
           denials=("失业前用人单位和本人缴纳失业保险费不满一年", "属本人意愿中断就业，不符合领取条件"),
           refusals=("参保关系不在东兴市，已告知向参保地社会保险经办机构申请",)),
    Domain(("丧葬补助金",),
           denials=("死者生前未参加企业职工基本养老保险", "申领人与死者的直系亲属关系证明不足")),
    Domain(("就业创业证",), refusals=("申请人已在其他地区领取就业创业证，已告知办理转移",)),
    Domain(("高龄津贴",),
           denials=("经公安人口信息核验，申请人未满80周岁", "经核验，申请人户籍不在东兴市"),
           refusals=("申请人户籍不在东兴市，已告知向户籍所在地民政部门申请",)),
    Domain(("殡葬服务",),
           denials=("逝者非东兴市户籍，不属于本市减免范围", "遗体未在东兴市殡仪馆火化，不属于减免范围")),
    Domain(("养老机构",), refusals=("养老机构未依法办理登记，不能备案",)),
    Domain(("结婚登记",), refusals=("一方有配偶登记记录，不予办理结婚登记",)),
    Domain(("道路货物运输",),
           denials=("拟投入车辆技术条件不符合要求，未提供检测合格证明", "驾驶人员未取得道路货物运输从业资格",
                    "安全生产管理制度不健全"),
           procedures=(P.SITE_INSPECTION,)),
    Domain(("道路运输证",), refusals=("车辆综合性能检测不合格，不能通过年度审验",)),
    Domain(("出生医学证明",), refusals=("新生儿非在东兴市助产机构出生，已告知向出生地助产机构申请",)),
    Domain(("医疗机构",),
           denials=("现场审核：卫生技术人员配备不符合医疗机构基本标准", "医疗机构用房布局不符合医院感染控制要求"),
           procedures=(P.SITE_INSPECTION, P.EXPERT_REVIEW)),
    Domain(("公共场所卫生",),
           denials=("卫生检测报告显示集中空调通风系统卫生指标不合格", "现场审查：卫生设施布局不符合卫生规范"),
           procedures=(P.SITE_INSPECTION, P.TESTING)),
    Domain(("医疗保险参保", "异地就医"), refusals=("参保状态异常，已告知先恢复参保",)),
    Domain(("门诊特殊慢性病",),
           denials=("专家鉴定：病历资料不符合所申报病种的认定标准", "检查检验结果未达到病种认定标准")),
    Domain(("个人账户一次性支取",),
           denials=("继承关系证明不足，需提供公证书或人民法院生效文书", "参保人个人账户已无余额可支取")),
    Domain(("在职转退休",),
           denials=("未查询到退休审批信息，须先办理退休手续", "视同缴费年限认定材料不足，缴费年限未达到规定")),
    Domain(("标语", "宣传品"), refusals=("设置位置位于主干道交通路口，影响交通安全",)),
    Domain(("户外广告",),
           denials=("设置位置不符合东兴市户外广告设施设置规划", "大型户外广告设施结构安全检测不合格"),
           procedures=(P.SITE_INSPECTION,)),
    Domain(("建筑垃圾",),
           denials=("运输车辆未安装全密闭运输和定位装置", "消纳场所不具备相应消纳能力")),
    Domain(("占用、挖掘",),
           denials=("交通组织方案不能保障通行安全，公安交通管理部门不同意", "占道施工期限与道路交通高峰冲突，且未提出替代方案"),
           procedures=(P.SITE_INSPECTION,)),
    Domain(("娱乐场所",),
           denials=("实地检查：场所边界与中小学校距离不符合规定", "场所消防安全条件不符合娱乐场所要求"),
           procedures=(P.SITE_INSPECTION, P.HEARING)),
    Domain(("营业性演出",),
           denials=("演出节目含有《营业性演出管理条例》禁止的内容", "演出场所未取得大型群众性活动安全许可")),
    Domain(("互联网上网",),
           denials=("营业场所距中小学校不足200米", "信息网络安全技术措施未通过公安机关审查"),
           procedures=(P.SITE_INSPECTION,)),
    Domain(("专用存款账户",), denials=("未取得财政部门同意开户的批复",)),
    Domain(("清税",), refusals=("纳税人存在未结清的税款和滞纳金，暂不能出具清税文书",)),
    Domain(("发票",), refusals=("纳税人尚未完成税务信息确认和实名采集",)),
    Domain(("契税",), refusals=("房屋买卖合同未完成网签备案，暂不能申报",)),
)

COMMON_REFUSALS = ("同一事项已在办理中，不得重复申请", "申请材料存在虚假内容，身份证明与申请人不符")
WITHDRAWALS = {
    PERSON: ("申请人主动撤回：个人原因暂不办理", "申请人撤回后补充材料重新提交"),
    ENTERPRISE: ("申请人主动撤回：经营计划调整", "申请人撤回后补充材料重新提交"),
}
EXTENSION_REASON = "情况复杂，不能在承诺时限内作出决定，经本机关负责人批准延长"
STAGE_PROCEDURES = (("现场", P.SITE_INSPECTION), ("实地", P.SITE_INSPECTION), ("查验", P.SITE_INSPECTION),
                    ("鉴定", P.APPRAISAL), ("专家", P.EXPERT_REVIEW))

# Supplement defects by what the document is (first match on its name) and who hands it in.
_FORM = ("申请书", "申请表", "登记表", "审批表", "申报表", "注册书", "自填单")
DEFECTS: tuple[tuple[tuple[str, ...], dict[str, tuple[str, ...]]], ...] = (
    (_FORM, {PERSON: ("未由申请人本人签字", "申请表填写不完整"),
             ENTERPRISE: ("未加盖单位公章", "申请表填写不完整", "缺少法定代表人签字")}),
    (("照片",), {PERSON: ("照片不符合证件照规格要求",), ENTERPRISE: ("照片不符合规格要求",)}),
    (("合同", "协议"), {PERSON: ("合同缺少双方签字页", "复印件不清晰"),
                      ENTERPRISE: ("合同缺少双方签章页", "复印件不清晰")}),
    (("图", "方案", "文本"), {PERSON: ("图纸比例或尺寸标注不全", "内容不完整"),
                           ENTERPRISE: ("图纸比例或尺寸标注不全", "未加盖编制单位公章")}),
    (("声明", "承诺书", "说明"), {PERSON: ("未由申请人签字确认",), ENTERPRISE: ("未加盖单位公章",)}),
    (("制度", "清单", "名录"), {PERSON: ("内容不完整",), ENTERPRISE: ("内容不完整", "未加盖单位公章")}),
    (("证明", "证书", "报告", "证件", "执照", "许可证", "档案", "病历", "记录"),
     {PERSON: ("证明文件已过有效期", "复印件不清晰", "复印件与原件不一致"),
      ENTERPRISE: ("证明文件已过有效期", "复印件不清晰", "复印件与原件不一致")}),
)
DEFAULT_DEFECTS: dict[str, tuple[str, ...]] = {PERSON: ("复印件不清晰", "内容不完整"), ENTERPRISE: ("复印件不清晰", "内容不完整")}
HANDED_IN = (MaterialSource.APPLICANT.value, MaterialSource.ISSUING_DEPARTMENT.value)


def defects_for(material_name: str) -> dict[str, tuple[str, ...]]:
    """Defects a clerk or reviewer may find in a document of this name, by applicant kind."""
    for words, defects in DEFECTS:
        if any(word in material_name for word in words):
            return defects
    return DEFAULT_DEFECTS


@dataclass(frozen=True)
class ItemReasons:
    """Everything the history may give as a reason on cases of one item."""

    refusals: tuple[str, ...]
    denials: tuple[str, ...]
    withdrawals: dict[str, tuple[str, ...]]
    procedures: tuple[Procedure, ...]
    extension: str = EXTENSION_REASON
    sources: tuple[str, ...] = field(default=())  # which tables the reasons came from (for the tests)


def reasons_for(*, name: str, materials, stage_names) -> ItemReasons:
    """The reasons of one item from its name, its materials ((name, source) pairs) and its stages'
    names (see the module docstring)."""
    domain = next((d for d in DOMAINS if any(word in name for word in d.words)), None)
    handed_in = [material_name for material_name, source in materials if source in HANDED_IN]
    if domain is not None and domain.denials:
        denials, sources = domain.denials, ("domain",)
    else:
        denials = tuple(f"经审查，《{material_name}》不符合法定要求" for material_name in handed_in[:3]) or \
            ("经审查，申请人不符合本事项的受理条件",)
        sources = ("materials",)
    refusals = (domain.refusals if domain else ()) + COMMON_REFUSALS
    kinds = domain.procedures if domain and domain.procedures else tuple(
        dict.fromkeys(kind for stage in stage_names for word, kind in STAGE_PROCEDURES if word in stage))
    withdrawals = {kind: (domain.withdrawals if domain else ()) + reasons for kind, reasons in WITHDRAWALS.items()}
    return ItemReasons(refusals=refusals, denials=denials, withdrawals=withdrawals,
                       procedures=tuple(PROCEDURES[kind] for kind in kinds), sources=sources)
