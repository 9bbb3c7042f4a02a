"""Sample hotline history for 东兴市: synthetic closed work orders (`text,unit`) to learn from, evaluate
on and benchmark with, since no real centre's orders can be shipped.

How it is made, so that what it measures is understood: each unit of a 12345-style hotline has topics
(the matters it answers for, after the 12345 "归口" practice of dispatching by the unit's duties); a
topic has several phrasings of the complaint's core, filled with places, shops, durations, how the
caller feels and what they ask for, the way operators write orders (诉求人反映…, 来电人称…). Confusable
matters are on purpose: the same night-time noise goes to the police (neighbours), city management
(shops) or housing (building sites); a house built on farmland goes to natural resources, in a village
to the township; social-insurance fees are collected by the tax bureau, pensions paid by human
resources, medical claims by the medical-insurance bureau. Labels are noisy as in real archives: a
share of orders went to a plausible neighbouring unit. Towns, utilities and bodies that are not
departments of the sample catalog appear as unit names only.

`phrasing="seen"|"unseen"|"all"` picks the core phrasings: "unseen" holds back one phrasing in four of
every topic, so an evaluation on it measures orders worded in a way the model never saw — closer to a
new centre than an evaluation on the same phrasings, but still our own words, not the public's."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass

CITY_PLACES = ("北仑大道", "中山路", "兴东路", "东兴大道", "建设路", "新华路", "解放路", "民生路", "口岸路",
               "金海湾小区", "阳光花园小区", "怡和苑", "东盟商贸城", "红木城", "边贸市场", "幸福里小区",
               "北仑河畔", "滨江公园", "万众国际", "华侨新村", "东兴一中附近", "汽车站旁边", "人民医院对面")
VILLAGES = {"东兴镇": ("竹山村", "江那村", "河洲村", "松柏村"),
            "江平镇": ("万尾村", "巫头村", "山心村", "交东村", "江龙村"),
            "马路镇": ("马路村", "北仑村", "大勉村", "冲皇村")}
SHOPS = ("烧烤店", "大排档", "奶茶店", "超市", "便利店", "五金店", "海鲜店", "饭店", "KTV", "足浴店", "药店",
         "服装店", "红木家具店", "水果店", "粉店", "快餐店")
COMPANIES = ("某建筑公司", "某劳务公司", "某贸易公司", "某物业公司", "某电子厂", "某食品厂", "某海产品加工厂",
             "某装修公司", "某物流公司", "某房地产开发公司", "某培训机构")
DURATIONS = ("一个多月", "半年", "两个星期", "三个月", "很久", "一年多", "好几天", "十多天", "两年", "一周")
OPENERS = ("市民来电反映：", "来电人反映，", "诉求人称，", "网民留言：", "市民通过12345热线反映，", "",
           "群众来电：", "来电人称：", "诉求人反映：", "市民在网上留言，")
FEELINGS = ("严重影响正常生活", "影响很大", "群众意见很大", "存在安全隐患", "多次反映没有结果", "非常气愤",
            "周边居民苦不堪言", "希望引起重视", "至今没有解决", "给出行带来不便", "")
REQUESTS = ("请相关部门尽快处理。", "要求尽快解决。", "希望有关部门核实处理。", "请给予答复。",
            "要求给个说法。", "请协调解决。", "希望尽快派人查看。", "请督促整改。", "")

# unit key → (name as the centre's archive writes it, other names the archive also uses, weight)
UNITS = {
    "cgj": ("东兴市城市管理综合执法局", ("市城管局", "城管局"), 14),
    "zjj": ("东兴市住房和城乡建设局", ("市住建局",), 9),
    "scjg": ("东兴市市场监督管理局", ("市市场监管局", "市场监管局"), 10),
    "gaj": ("东兴市公安局", ("市公安局",), 7),
    "zrzy": ("东兴市自然资源局", ("市自然资源局",), 4),
    "rsj": ("东兴市人力资源和社会保障局", ("市人社局",), 7),
    "swj": ("国家税务总局东兴市税务局", ("东兴市税务局",), 3),
    "mzj": ("东兴市民政局", (), 3),
    "jtj": ("东兴市交通运输局", ("市交通运输局",), 4),
    "wjj": ("东兴市卫生健康局", ("市卫健局",), 4),
    "ybj": ("东兴市医疗保障局", ("市医保局",), 3),
    "whl": ("东兴市文化广电体育和旅游局", ("市文广体旅局",), 2),
    "rmyh": ("中国人民银行东兴市支行", (), 1),
    "zwb": ("东兴市政务服务和大数据管理局", ("市政务服务局",), 2),
    "dxz": ("东兴镇人民政府", (), 5),
    "jpz": ("江平镇人民政府", (), 5),
    "mlz": ("马路镇人民政府", (), 4),
    "sthj": ("防城港市生态环境局东兴分局", (), 3),
    "jyj": ("东兴市教育局", (), 4),
    "nync": ("东兴市农业农村局", (), 2),
    "gdj": ("广西电网东兴供电局", (), 4),
    "zls": ("东兴市自来水公司", (), 3),
    "slj": ("东兴市水利局", (), 1),
    "kaj": ("东兴市商务和口岸管理局", (), 2),
    "xf": ("东兴市消防救援大队", (), 1),
}
TOWNS = {"东兴镇": "dxz", "江平镇": "jpz", "马路镇": "mlz"}


@dataclass(frozen=True)
class Topic:
    unit: str           # unit key, or "town": the township of the village named in the order
    weight: int
    phrasings: tuple[str, ...]
    others: tuple[str, ...] = ()  # units the archive sometimes sent this matter to instead
    place: str = "city"  # city | village | any


def _t(unit, weight, phrasings, others="", place="city"):
    return Topic(unit, weight, tuple(p.strip() for p in phrasings.split("|")), tuple(others.split()), place)


TOPICS = (
    _t("cgj", 5, "{place}有流动摊贩占道经营，堵塞人行道|{place}路边乱摆卖，水果摊、小吃摊把路都占了|{place}门口"
       "{shop}把桌椅摆到人行道上，行人只能走机动车道|早市的菜贩在{place}马路上摆摊，一地垃圾|夜市摊点占道，"
       "{place}一到晚上就堵死", "gaj"),
    _t("cgj", 4, "{place}{shop}油烟直排，熏得楼上住户不敢开窗|{place}的{shop}在露天烧烤，烟雾很大|楼下{shop}"
       "没有安装油烟净化器，油烟扰民|{place}商铺排油烟管道对着居民楼", "sthj"),
    _t("cgj", 4, "{place}有人私自加建铁皮房|{place}小区楼顶有人违章搭建阳光房|{place}一楼住户私自扩建围墙"
       "占用公共绿地|有人在{place}空地上违法搭建棚子|{place}商铺违规搭建雨棚，侵占公共通道", "zjj zrzy"),
    _t("cgj", 3, "{place}的垃圾桶满了没人清运，臭气熏天|{place}垃圾堆积好几天没人拉走|环卫工人不按时"
       "清扫{place}，路面很脏|{place}垃圾中转站污水横流", "dxz"),
    _t("cgj", 2, "{place}的路灯坏了，晚上一片漆黑|{place}一排路灯都不亮|{place}的路灯白天亮晚上不亮|"
       "{place}路灯杆倾斜快倒了", "gdj"),
    _t("cgj", 2, "{place}的井盖缺失，很容易掉进去|{place}下水道井盖破损，车辆经过哐当响|{place}有个"
       "窨井盖塌陷|{place}雨水篦子被偷了", "zjj"),
    _t("cgj", 2, "渣土车在{place}沿路撒漏泥土|{place}有渣土车夜间偷倒建筑垃圾|{place}有人乱倒装修垃圾|"
       "{place}的户外广告牌松动，台风天很危险", "jtj"),
    _t("zjj", 4, "{place}物业公司乱收费，服务差|{place}物业不作为，电梯坏了也不修|{place}物业擅自涨物业费|"
       "{place}业主委员会选举有问题，物业阻挠|{place}物业把公共车位拿去出租", "scjg"),
    _t("zjj", 3, "{place}工地夜间施工，噪音吵得睡不着|{place}的工地晚上十二点还在打桩|{place}工地凌晨还在"
       "浇筑混凝土|{place}施工扬尘很大，没有围挡洒水", "cgj sthj"),
    _t("zjj", 3, "买的{place}商品房逾期交房|开发商延期交房，{place}楼盘停工|{place}新房墙体开裂，开发商"
       "不维修|{place}新交的房子渗水漏水严重|{place}楼盘网签备案办不下来", "zrzy scjg"),
    _t("zjj", 2, "在{company}承建的{place}项目干活，工程款和工资被拖欠|{place}工地包工头拖欠农民工工资|"
       "{place}建筑工地的工人工资{duration}没发", "rsj"),
    _t("zjj", 1, "{place}申请公租房迟迟没有结果|想申请经济适用房，不知道条件|{place}老旧小区改造进度太慢，"
       "楼道破烂", "mzj"),
    _t("scjg", 4, "在{place}{shop}买到过期食品|{place}{shop}卖的食品有异物|在{place}{shop}吃饭后腹泻，"
       "怀疑食品不卫生|{place}{shop}后厨卫生很差，有老鼠|{place}{shop}销售三无产品", "wjj"),
    _t("scjg", 3, "{place}{shop}缺斤短两，称不准|{place}{shop}明码标价和结账价格不一样|{place}{shop}价格欺诈|"
       "在{place}{shop}买东西被多收钱", ""),
    _t("scjg", 3, "在{place}{shop}办了会员卡，现在店关门了不退钱|在{company}预付了费用，对方拒绝退款|网购的"
       "商品有质量问题，商家不给退换|在{place}买的家电坏了，商家不保修|{place}{shop}卖假冒名牌", "gaj"),
    _t("scjg", 2, "{place}电梯经常困人|{place}电梯年检过期还在使用|{place}的电梯运行异响，很不安全",
       "zjj"),
    _t("scjg", 1, "{place}有{shop}无证无照经营|{place}{shop}没有营业执照|个体户营业执照办理很慢", "zwb"),
    _t("gaj", 3, "{place}楼上邻居半夜吵闹，音响开很大|{place}有人半夜喝酒划拳|{place}广场舞音响太吵|"
       "{place}有人深夜飙车炸街，轰鸣声很吓人", "cgj"),
    _t("gaj", 3, "{place}车辆乱停乱放，堵住小区出口|{place}经常有车违停占用消防通道|{place}路口红绿灯时间"
       "设置不合理，经常堵车|{place}电动车逆行很多，很危险", "jtj xf"),
    _t("gaj", 2, "接到诈骗电话，被骗了钱|有人冒充客服骗我转账|{place}有人聚众赌博|{place}有人打架斗殴",
       ""),
    _t("gaj", 2, "孩子上户口手续太麻烦|身份证补办要跑好几次|迁户口被要求开各种证明|{place}派出所办户口"
       "态度不好", "zwb"),
    _t("zrzy", 3, "{village}有人占用耕地建房|{village}有人在农田里挖塘|{village}基本农田被人推平建厂房|"
       "有人在{village}山上乱砍林木", "town", "village"),
    _t("zrzy", 2, "不动产权证办了{duration}还没拿到|二手房过户登记太慢|抵押登记注销要跑好几个窗口|"
       "办房产证被要求补交材料", "zwb"),
    _t("zrzy", 1, "{village}有人在河里非法采砂|{village}附近有人偷采矿石", "slj", "village"),
    _t("rsj", 4, "在{company}上班，公司拖欠工资{duration}|{company}辞退员工不给经济补偿|{company}不签劳动"
       "合同|{company}拖欠加班费|被{company}无故辞退，工资没结清", "zjj"),
    _t("rsj", 2, "社保卡丢了怎么补办|社保卡激活不了|退休金{duration}没到账|办理退休手续，工龄认定有"
       "争议|企业养老金待遇计算有误", "swj"),
    _t("rsj", 2, "申请失业保险金一直审核不通过|就业创业证办不下来|创业补贴申请了{duration}还没发|"
       "职业技能培训补贴没有发放", ""),
    _t("swj", 3, "灵活就业人员社保费怎么缴纳|城乡居民医保费缴费系统打不开|社保费扣款失败|"
       "个人所得税汇算退税{duration}没到账", "rsj ybj"),
    _t("swj", 2, "申请领用发票太慢|电子税务局登录不上|办理税务注销跑了好几次|买房缴契税排队太久|"
       "税务窗口办理业务态度差", "zwb"),
    _t("mzj", 3, "家里老人的高龄津贴{duration}没有发放|申请低保被拒，不知道原因|{place}低保户认定不公平|"
       "残疾人两项补贴没有到账|特困人员救助申请没有回音", "town"),
    _t("mzj", 2, "{place}养老院收费高服务差|养老院虐待老人|殡葬费用太高，要求减免|结婚登记预约不上|"
       "{place}有流浪乞讨人员", "wjj"),
    _t("jtj", 4, "{place}的公交车经常不按时发车|公交车司机态度恶劣|希望增开到{place}的公交线路|"
       "{place}公交站台破损|出租车拒载、不打表|网约车司机绕路多收费", "gaj"),
    _t("jtj", 2, "{place}到城区的客运班车太少|国道{place}段路面坑洼|{village}通往镇上的公路塌方|"
       "县道边的防护栏坏了", "zjj town"),
    _t("wjj", 3, "在市人民医院看病排队太久|医院医生态度差|医院乱收费，多开检查|{place}诊所非法行医|"
       "孩子打疫苗预约不上|出生医学证明办理很慢", "ybj"),
    _t("wjj", 1, "{place}的{shop}卫生许可证过期|{place}游泳馆水质差，公共场所卫生不达标", "scjg"),
    _t("ybj", 3, "医保报销比例不对|住院费用医保报销{duration}还没到账|异地就医备案办不了|门诊慢性病"
       "待遇认定没通过|{place}药店刷医保卡买生活用品", "wjj swj"),
    _t("ybj", 1, "医保个人账户余额不对|医保关系转移接续太慢|生育保险报销被拒", "rsj"),
    _t("whl", 2, "跟团旅游被导游强制购物|{place}景区门票乱收费|{place}网吧允许未成年人上网|{place}KTV"
       "营业到凌晨|有线电视信号不好", "gaj scjg"),
    _t("whl", 1, "{place}体育馆不对外开放|{place}篮球场灯光坏了没人管|{place}文化广场设施损坏", "cgj"),
    _t("rmyh", 1, "银行拒收现金|{place}银行开户手续太繁琐|个人征信报告有错误记录要求更正|企业开立基本"
       "存款账户太慢|银行办业务排队太久", "scjg"),
    _t("zwb", 2, "在政务服务中心办事排队{duration}|政务服务中心窗口工作人员态度差|网上办事系统经常"
       "打不开|一网通办提交材料后没有回复|办事要来回跑好几趟，一次性告知没做到", "scjg zrzy"),
    _t("town", 5, "{village}村道坑坑洼洼，下雨天没法走|{village}村里的垃圾没人清运|{village}的路灯坏了|"
       "{village}村干部不公开村务|{village}饮用水井干了，吃水困难|{village}宅基地纠纷协调不了|"
       "{village}的排水沟堵塞，雨天内涝", "cgj zls", "village"),
    _t("town", 2, "{village}有人养猪，臭味很大|{village}有人焚烧垃圾|{village}征地补偿款没有到位",
       "sthj zrzy", "village"),
    _t("sthj", 3, "{place}附近的{company}排放废水，河水发黑|{company}晚上偷排废气，气味刺鼻|{place}"
       "有工厂噪音很大|北仑河边有人倾倒垃圾，污染河水|{company}偷排污水", "cgj town"),
    _t("jyj", 3, "{place}的学校乱收费|孩子入学学位分配不公平|学校要求家长买指定教辅|{company}校外培训"
       "机构收费后跑路|校车超载|学校老师体罚学生", "scjg"),
    _t("jyj", 1, "幼儿园收费太高|{place}幼儿园伙食差|转学手续办不下来", ""),
    _t("nync", 2, "买到假种子，庄稼颗粒无收|{village}耕地地力补贴没有发|{village}有人私宰生猪|化肥质量"
       "有问题|{village}动物防疫没人管", "scjg town", "village"),
    _t("gdj", 4, "{place}经常停电，也不提前通知|{place}停电{duration}了还没来电|{place}电压不稳，电器"
       "都烧坏了|{place}电费突然很高，怀疑电表有问题|{village}的电线老化，存在安全隐患", "zjj", "any"),
    _t("zls", 4, "{place}停水了也不通知|{place}自来水发黄有异味|{place}水压太低，楼上没水|{place}水管"
       "爆裂，水流满地|水费计算有误", "zjj town", "any"),
    _t("slj", 1, "{village}的水库堤坝有裂缝|{village}河道堵塞，雨季容易发洪水|{village}灌溉水渠损坏",
       "town", "village"),
    _t("kaj", 2, "口岸通关排队时间太长|边民互市贸易点收费不合理|互市商品落地加工审批太慢|"
       "口岸货车堵塞，排队过关要好几天", "jtj"),
    _t("xf", 1, "{place}消防通道被杂物堵住|{place}的消防栓没有水|{place}{shop}消防设施不全|"
       "{place}楼道里电动车充电，有火灾隐患", "gaj"),
)
HELD_BACK_EVERY = 4  # one core phrasing in four of every topic is "unseen"


def _phrasings(topic: Topic, which: str) -> tuple[str, ...]:
    if which == "all":
        return topic.phrasings
    unseen = tuple(p for i, p in enumerate(topic.phrasings) if i % HELD_BACK_EVERY == HELD_BACK_EVERY - 1)
    if which == "unseen":
        return unseen or topic.phrasings[-1:]
    seen = tuple(p for p in topic.phrasings if p not in unseen)
    return seen or topic.phrasings


TYPOS = {"的": "得", "在": "再", "已": "以", "做": "作", "坏": "怀", "哪": "那", "吗": "嘛", "反映": "反应"}


def _noise(text: str, rng: random.Random) -> str:
    if rng.random() < 0.15:
        wrong, right = rng.choice(list(TYPOS.items()))
        text = text.replace(wrong, right, 1)
    if rng.random() < 0.1:
        text = text.replace("，", " ").replace("。", "")
    return text


def orders(count: int, *, seed: int = 17, label_noise: float = 0.08, phrasing: str = "all",
           aliases: float = 0.1) -> Iterator[tuple[str, str]]:
    """`count` (text, unit name) pairs: the same seed gives the same orders. `label_noise` is the share
    sent to one of the topic's neighbouring units, `aliases` the share written with another name of the
    unit (市城管局 for 东兴市城市管理综合执法局)."""
    rng = random.Random(seed)
    weights = [topic.weight * UNITS[topic.unit][2] if topic.unit in UNITS else topic.weight * 5 for topic in TOPICS]
    for _ in range(count):
        topic = rng.choices(TOPICS, weights)[0]
        town = rng.choice(list(VILLAGES))
        village = town + rng.choice(VILLAGES[town])
        place = village if topic.place == "village" or (topic.place == "any" and rng.random() < 0.3) \
            else rng.choice(CITY_PLACES)
        unit = TOWNS[town] if topic.unit == "town" else topic.unit
        if topic.others and rng.random() < label_noise:
            unit = rng.choice(topic.others)
            unit = TOWNS[town] if unit == "town" else unit
        core = rng.choice(_phrasings(topic, phrasing)).format(
            place=place, village=village, shop=rng.choice(SHOPS), company=rng.choice(COMPANIES),
            duration=rng.choice(DURATIONS))
        parts = [rng.choice(OPENERS), core]
        if rng.random() < 0.5:
            parts.append(f"，已经{rng.choice(DURATIONS)}了")
        feeling = rng.choice(FEELINGS)
        if feeling:
            parts.append(f"，{feeling}")
        parts.append("，" + (rng.choice(REQUESTS) or "。"))
        if rng.random() < 0.2:
            parts.append(f"联系电话138****{rng.randint(1000, 9999)}。")
        name, others, _ = UNITS[unit]
        if others and rng.random() < aliases:
            name = rng.choice(others)
        yield _noise("".join(parts).replace("，，", "，"), rng), name


def write_csv(rows, stream) -> int:
    """Write (text, unit) rows as the CSV `onewindow complaints learn` reads; returns the row count."""
    writer = csv.writer(stream)
    writer.writerow(["text", "unit"])
    n = 0
    for text, unit in rows:
        writer.writerow([text, unit])
        n += 1
    return n


def csv_text(rows) -> str:
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue()
