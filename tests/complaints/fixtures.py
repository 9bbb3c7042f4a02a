"""A small, clearly separable history: four units, each with its own matters, worded in several ways
and set in several places. `held_out()` is the same matters in places the history never names."""

MATTERS = {
    "东兴市城市管理综合执法局": ["{p}有流动摊贩占道经营", "{p}的烧烤店油烟直排扰民", "{p}垃圾堆积没人清运",
                                "{p}有人违章搭建铁皮房", "{p}路边乱摆卖堵塞人行道"],
    "市场监督管理局": ["在{p}超市买到过期食品", "{p}水果店缺斤短两", "{p}的电梯经常困人",
                       "{p}商家拒绝退款", "{p}饭店后厨卫生很差"],
    "东兴市人力资源和社会保障局": ["在{p}的公司上班被拖欠工资", "{p}某公司不签劳动合同", "社保卡在{p}办理激活不了",
                                  "{p}工厂辞退员工不给补偿", "{p}的企业拖欠加班费"],
    "江平镇人民政府": ["{p}村道坑坑洼洼下雨没法走", "{p}村干部不公开村务", "{p}饮用水井干了吃水困难",
                       "{p}宅基地纠纷协调不了", "{p}的排水沟堵塞内涝"],
}
PLACES = ["中山路", "北仑大道", "建设路", "万尾村"]
OTHER_PLACES = ["兴东路", "解放路"]


def history() -> list[tuple[str, str]]:
    return [(f"市民反映，{m.format(p=p)}，请尽快处理。", unit) for unit, ms in MATTERS.items() for m in ms for p in PLACES]


def held_out() -> list[tuple[str, str]]:
    return [(f"来电人称{m.format(p=p)}，希望解决。", unit) for unit, ms in MATTERS.items() for m in ms
            for p in OTHER_PLACES]


def csv_bytes(rows, header="text,unit") -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
