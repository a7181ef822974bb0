"""Build ``examples/示例-彭阳县白阳镇人民政府-2023.xlsx``: the bundled example for the Quick start.

The FIGURES are those of a real published report (彭阳县白阳镇人民政府, 2023; kept in
``../shared/seed/`` beside the repository): 6 行政处罚 decisions, one application from an
organisation, refused as 其他法律行政法规禁止公开, 394 items published proactively (34 on the website,
360 on the WeChat account), no fees. Its blank table 四 is entered as 0, as ``ogi new`` prefills.
The NARRATIVE is written for this example; none of the real report's sentences are reused. The
contact telephone number is a placeholder, not the township's.

Run ``python examples/make_example.py`` to rebuild; ``ogi fill`` on the result gives the Quick
start's report. A test checks that the committed workbook equals a fresh build's values.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent / "src") not in sys.path:
    sys.path.insert(0, str(HERE.parent / "src"))

from ogi.form.report import Report  # noqa: E402
from ogi.form.spec import load_spec  # noqa: E402
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook  # noqa: E402

AGENCY = Agency("彭阳县白阳镇人民政府", "640425001", "乡镇街道")
YEAR = 2023
FILENAME = f"示例-{AGENCY.name}-{YEAR}.xlsx"

#: Non-zero input values of the seed report; every other input is 0.
FIGURES: dict[str, int] = {
    "t2.punishment.decisions": 6,
    "t3.new_received.other_org": 1,
    "t3.deny_law_forbidden.other_org": 1,
}

METADATA = {
    "address": "宁夏回族自治区固原市彭阳县白阳镇人民政府党政办公室",
    "postcode": "756500",
    "phone": "0954-0000000",
    "website": "彭阳县人民政府网站",
    "publish_date": "2024-01-25",
}

NARRATIVE = {
    "overview": (
        "2023年，白阳镇把政务公开作为转变作风、服务群众的一项日常工作来抓，围绕县里年初确定的政务公开"
        "工作要点，逐项明确责任人和完成时限，公开内容、公开渠道和审核流程都比上年更加规范。"
    ),
    "proactive": (
        "镇政府对照主动公开基本目录，重点公开了机构职能、领导分工、财政预决算、惠民补贴发放、乡村振兴"
        "项目和各类工作动态。全年通过政府网站、“和谐白阳”微信公众号和各村公示栏主动公开政府信息394条，"
        "其中政府网站34条、微信公众号360条。\n"
        "本年度镇政府没有制发规章和行政规范性文件；作出行政处罚决定6件，均按规定公开。"
    ),
    "on_request": (
        "全年共收到政府信息公开申请1件，申请人为法人或其他组织。经审查，所申请的信息属于法律、行政"
        "法规禁止公开的情形，镇政府依法作出不予公开的答复，并告知了理由和救济途径，没有结转到下一年度"
        "办理的申请。"
    ),
    "info_management": (
        "镇党政办公室统一负责信息发布前的审核，拟公开的内容先由承办人员自查，再经办公室负责人审核，"
        "涉及面广的信息报分管领导审定，做到先审后发。\n"
        "公开前逐条进行保密审查和个人信息检查，对涉及群众姓名、身份证号码、联系电话等内容一律做脱敏"
        "处理，全年未发生因信息发布引起的失泄密或侵犯个人隐私问题。"
    ),
    "platform": (
        "镇政府信息主要通过县政府网站白阳镇栏目和“和谐白阳”微信公众号发布，由专人负责日常更新和"
        "留言回复；各村村务公开栏同步张贴与群众生活密切相关的事项，方便不常上网的群众查看。"
    ),
    "supervision": (
        "镇政府调整了政务公开工作领导小组，由镇长牵头、分管领导具体负责，党政办公室配备专职和兼职"
        "工作人员各一名。政务公开工作纳入镇对各站所和村的年度考核。\n"
        "本年度未发生因政务公开工作不到位而被追究责任的情况。"
    ),
    "problems": (
        "一是部分信息发布不够及时，个别工作动态在事项完成后才集中发布。\n"
        "二是公开形式比较单一，以文字通知为主，图表、视频等群众容易看懂的形式用得较少。\n"
        "三是政策解读力度不够，有的信息只公开了结果，没有说明依据和办理过程。"
    ),
    "improvements": (
        "一是建立信息发布台账，明确每类信息的发布时限，由党政办公室每月对照检查。\n"
        "二是丰富公开形式，对惠民政策、补贴标准等内容配发简明图解，在公众号上开展问答。\n"
        "三是加强业务培训，组织各站所和村的信息员学习《中华人民共和国政府信息公开条例》，提高信息"
        "编写和审核水平。"
    ),
    "other_matters": (
        "本年度镇政府逐项落实了县政府办公室印发的政务公开工作要点，重点做好就业、教育、养老、社会救助"
        "等民生领域的信息公开，并通过各村公告栏同步公开了相关信息。"
    ),
}


def example_report() -> Report:
    spec = load_spec()
    values = {k: 0 for k in spec.input_keys}
    values.update(FIGURES)
    return Report(spec.id, spec.version, metadata=dict(METADATA), values=values,
                  narrative=dict(NARRATIVE))


def build() -> bytes:
    return build_workbook(AGENCY, WorkbookOptions(year=YEAR, prefill=example_report()))


def main() -> None:
    out = HERE / FILENAME
    out.write_bytes(build())
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
