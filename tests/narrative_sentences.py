"""The narrative checker's sentence table: sentences as published reports write them, each with the
findings it must give (or explicitly none), all against ONE set of tables (:data:`BASE_INPUTS`).

Written before the patterns, as the issue asks: the table is the specification. Every sentence is our
own wording in the style of county and township reports. An expected finding is ``(code, marked)``:
the finding's stable code and the text the finding marks in the sentence (the stated number as
written, or the words of a claim such as ``没有`` / ``均维持``).

The tables (every input not listed is 0):

- 表三: 本年新收 12 (自然人 10, 商业企业 2); 上年结转 1 (自然人); 予以公开 6 (自然人 5, 商业企业 1);
  部分公开 2 (自然人); 不予公开 1 (保护第三方合法权益, 自然人); 无法提供 2 (本机关不掌握, 自然人 1,
  商业企业 1); 不予处理 1 (信访举报投诉类, 自然人); 办理结果总计 12; 结转下年度 1 (自然人).
- 表二: 行政规范性文件 制发 3, 废止 1, 现行有效 15; 规章 0/0/0; 行政许可 120; 行政处罚 6;
  行政强制 0; 行政事业性收费 1.25 万元.
- 表四: 行政复议 2 (维持 1, 纠正 1); 未经复议直接起诉 1 (维持 1); 复议后起诉 0.
- 信息处理费: all 0.
"""

from __future__ import annotations

from decimal import Decimal

#: Non-zero inputs of the tables every sentence is checked against.
BASE_INPUTS: dict[str, int | Decimal] = {
    "t3.new_received.natural_person": 10,
    "t3.new_received.commercial": 2,
    "t3.carried_over.natural_person": 1,
    "t3.granted.natural_person": 5,
    "t3.granted.commercial": 1,
    "t3.partial.natural_person": 2,
    "t3.deny_third_party.natural_person": 1,
    "t3.unable_not_held.natural_person": 1,
    "t3.unable_not_held.commercial": 1,
    "t3.np_petition.natural_person": 1,
    "t3.carry_forward.natural_person": 1,
    "t2.normative_docs.made": 3,
    "t2.normative_docs.repealed": 1,
    "t2.normative_docs.valid": 15,
    "t2.licensing.decisions": 120,
    "t2.punishment.decisions": 6,
    "t2.admin_fees.amount_wan_yuan": Decimal("1.25"),
    "t4.cases.review_maintained": 1,
    "t4.cases.review_corrected": 1,
    "t4.cases.lit_direct_maintained": 1,
}

N = "NARRATIVE-NUMBER"  # a stated number differs from the table value it denotes
NONE = "NARRATIVE-NONE"  # "none / did not happen" while the table has some
ALL = "NARRATIVE-ALL-UPHELD"  # "all upheld" while the table has other outcomes
SUM = "NARRATIVE-SUM"  # a stated total differs from the sum of the parts it lists
PCT = "NARRATIVE-PERCENT"  # a stated percentage does not match its count and total

#: (narrative field, sentence, expected findings as (code, marked text)).
SENTENCES: list[tuple[str, str, list[tuple[str, str]]]] = [
    # ---- 表三: true statements in many phrasings --------------------------------------------
    ("on_request", "2023年，本机关共收到政府信息公开申请12件。", []),
    ("on_request", "全年新收政府信息公开申请12件，上年结转1件。", []),
    ("on_request", "本年度共受理依申请公开事项十二件。", []),
    ("on_request", "全年收到政府信息公开申请１２件，均在法定期限内作出答复。", []),
    ("on_request", "2023年收到并办理依申请公开事项12项。", []),
    ("on_request", "本年度收到申请12件，其中自然人提出10件、法人或其他组织提出2件。", []),
    ("on_request", "从办理结果看，予以公开6件，部分公开2件，不予公开1件，无法提供2件，不予处理1件。", []),
    ("on_request", "本年度办结申请12件，结转下年度继续办理1件。", []),
    ("on_request", "予以公开和部分公开的申请共8件。", []),
    ("on_request", "收到商业企业申请2件，其中予以公开1件、无法提供1件。", []),
    ("on_request", "不予处理1件，系信访举报投诉类申请。", []),
    ("on_request", "因保护第三方合法权益不予公开1件。", []),
    ("on_request", "收到自然人申请10件。", []),
    ("on_request", "全年共收到申请12件，其中予以公开6件，占50%。", []),
    ("on_request", "全年共收到申请12件，其中予以公开6件，占50.0%；部分公开2件，占16.7%。", []),
    ("on_request", "全年共收到申请12件，其中部分公开2件，占比16.6%。", []),
    ("on_request", "全年共收到申请12件，其中部分公开2件，占17%。", []),
    ("on_request", "经统计，本年度两件申请部分公开。", []),
    ("on_request", "全年未发现危及“三安全一稳定”的申请。", []),
    # ---- 表三: contradictions --------------------------------------------------------------
    ("on_request", "全年共受理政府信息公开申请10件。", [(N, "10")]),
    ("on_request", "全年共收到申请十件，均已按期答复。", [(N, "十")]),
    ("overview", "2023年，我局共收到依申请公开事项一百二十三件。", [(N, "一百二十三")]),
    ("on_request", "上年结转申请3件。", [(N, "3")]),
    ("on_request", "结转下年度继续办理的申请2件。", [(N, "2")]),
    ("on_request", "予以公开5件，部分公开2件。", [(N, "5")]),
    ("on_request", "不予公开3件。", [(N, "3")]),
    ("on_request", "因属于国家秘密不予公开1件。", [(N, "1")]),
    ("on_request", "收到自然人申请11件。", [(N, "11")]),
    ("on_request", "予以公开和部分公开共9件。", [(N, "9")]),
    ("on_request", "全年未收到政府信息公开申请。", [(NONE, "未收到")]),
    ("on_request", "同比增加2件，共收到申请10件。", [(N, "10")]),
    # ---- the narrative's own arithmetic ----------------------------------------------------
    ("proactive", "全年主动公开政府信息394条，其中政府网站34条、微信公众号360条。", []),
    ("proactive", "全年主动公开政府信息400条，其中政府网站34条、微信公众号360条。", [(SUM, "400")]),
    ("proactive", "累计发布各类信息500条，其中政策文件20条、工作动态60条等。", []),
    ("on_request", "全年共收到申请13件，其中自然人申请10件、法人或其他组织申请2件。", [(N, "13"), (SUM, "13")]),
    ("on_request", "全年共收到申请12件，其中予以公开6件，占60%。", [(PCT, "60%")]),
    ("on_request", "全年共收到申请12件，其中部分公开2件，占16.5%。", [(PCT, "16.5%")]),
    ("proactive", "全年公开信息200条，其中通过微信公众号发布150条，占75%。", []),
    ("proactive", "全年公开信息200条，其中通过微信公众号发布150条，占70%。", [(PCT, "70%")]),
    # ---- 表二 --------------------------------------------------------------------------------
    ("proactive", "本年度制发行政规范性文件3件，废止1件，现行有效15件。", []),
    ("proactive", "本年度未制发规章。", []),
    ("proactive", "本年度没有制发规章和行政规范性文件。", [(NONE, "没有")]),
    ("proactive", "本年度制发行政规范性文件5件。", [(N, "5")]),
    ("proactive", "现行有效的行政规范性文件共12件。", [(N, "12")]),
    ("proactive", "作出行政许可决定120件，行政处罚决定6件，未实施行政强制。", []),
    ("proactive", "全年作出行政处罚决定8件，均已在网站公示。", [(N, "8")]),
    ("proactive", "实施行政强制2件。", [(N, "2")]),
    ("proactive", "全年行政事业性收费1.25万元。", []),
    ("proactive", "全年行政事业性收费12500元。", []),
    ("proactive", "全年行政事业性收费金额为2万元。", [(N, "2")]),
    # ---- 表四 --------------------------------------------------------------------------------
    ("on_request", "全年发生政府信息公开行政复议2件，行政诉讼1件。", []),
    ("on_request", "本年度因政府信息公开被申请行政复议3件。", [(N, "3")]),
    ("on_request", "行政复议2件，其中维持1件、纠正1件。", []),
    ("on_request", "行政复议2件，其中维持2件。", [(N, "2")]),
    ("on_request", "涉及政府信息公开的行政复议2件，均维持原行政行为。", [(ALL, "均维持")]),
    ("on_request", "被提起行政诉讼1件，法院审理后均获维持。", []),
    ("on_request", "本年度未发生政府信息公开行政诉讼案件。", [(NONE, "未发生")]),
    ("on_request", "本年度没有因政府信息公开引起的行政复议。", [(NONE, "没有")]),
    ("on_request", "行政诉讼案件0件。", [(N, "0")]),
    ("on_request", "本年度无政府信息公开行政复议、行政诉讼情况。", [(NONE, "无"), (NONE, "无")]),
    # ---- 信息处理费 ----------------------------------------------------------------------------
    ("other_matters", "本年度没有收取信息处理费。", []),
    ("other_matters", "本年度发出收费通知1件。", [(N, "1")]),
    # ---- traps: never compared ---------------------------------------------------------------
    ("on_request", "与上年相比，申请数量增加了3件。", []),
    ("on_request", "申请数量较去年同期增长20%。", []),
    ("on_request", "上一年度收到申请8件，今年有所增加。", []),
    ("on_request", "本机关2022年收到申请15件。", []),
    ("proactive", "依据《条例》第二十条第（一）项，公开规范性文件目录。", []),
    ("proactive", "按照彭政办发〔2023〕53号文件要求，做好依申请公开工作。", []),
    ("on_request", "咨询电话：0954-7012345，受理申请时间为工作日。", []),
    ("on_request", "全年收到申请近20件。", []),
    ("on_request", "全年收到群众申请十余件。", []),
    ("on_request", "全年收到申请300余件。", []),
    ("on_request", "全年收到申请约15件。", []),
    ("on_request", "全年收到申请3至5件。", []),
    ("on_request", "全年受理申请30多件。", []),
    ("on_request", "每件申请均在20个工作日内答复。", []),
    ("on_request", "全年共收到申请12件，按时办结率100%。", []),
    ("on_request", "2023年1月1日至12月31日，共收到申请12件。", []),
    ("platform", "相关文件可在 http://www.example.gov.cn/art/2023/5/12.html 查阅。", []),
    ("supervision", "一是规范办理流程，二是加强审核把关。", []),
    ("supervision", "全年召开专题会议3次，培训工作人员2次。", []),
    ("supervision", "政务公开领导小组由7人组成。", []),
    ("on_request", "全年接到群众来电咨询20次，均当场答复。", []),
    ("on_request", "同比下降2件，共收到申请12件。", []),
    ("proactive", "根据《行政许可法》第四十条，公开许可决定。", []),
]

# Added after the first property-test run found the checker blind after a full-width comma
# (a number after "，" was taken for the tail of "1,234"): a count written before its words.
SENTENCES += [
    ("on_request", "经审查，5件申请部分公开。", [(N, "5")]),
    ("on_request", "收到申请12件,予以公开6件,部分公开2件。", []),
    ("on_request", "收到申请1,200件。", [(N, "1,200")]),
]

# More phrasings seen in published reports (added with the patterns; none changes an earlier row).
SENTENCES += [
    ("on_request", "全年未发生因政府信息公开被申请行政复议、提起行政诉讼的情况。", [(NONE, "未发生"), (NONE, "未发生")]),
    ("on_request", "收到行政复议申请2件。", []),
    ("on_request", "共收到申请12件，申请人为自然人的10件。", []),
    ("on_request", "共收到申请12件，申请人为自然人的9件。", [(N, "9")]),
    ("on_request", "其中，予以公开6件，部分公开2件。", []),
    ("proactive", "现行有效规范性文件15件，其中本年制发3件。", []),
    ("proactive", "政府网站发布信息394条。", []),
    ("on_request", "全年依申请公开办结率100%，未发生逾期答复情况。", []),
    ("on_request", "对申请内容不明确的，均一次性告知申请人补正。", []),
    ("on_request", "全年共收到政府信息公开申请12件（其中上年结转1件）。", []),
    ("on_request", "经审查，因没有现成信息需要另行制作无法提供1件。", [(N, "1")]),
]

# Rows named together (the issue's own example), with and without 共.
SENTENCES += [
    ("on_request", "公开和部分公开共8件。", []),
    ("on_request", "公开和部分公开共10件。", [(N, "10")]),
    ("on_request", "予以公开和部分公开8件，不予公开1件。", []),
    ("on_request", "予以公开、部分公开9件。", [(N, "9")]),
]
SENTENCES += [
    ("on_request", "因保护第三方合法权益、属于国家秘密不予公开1件。", []),
    ("on_request", "因保护第三方合法权益、属于国家秘密不予公开2件。", [(N, "2")]),
]

# Negations and percentages that name something else than they seem to.
SENTENCES += [
    ("on_request", "本年度未收到行政复议申请。", [(NONE, "未收到")]),
    ("on_request", "2023年度未收到行政复议和行政诉讼。", [(NONE, "未收到"), (NONE, "未收到")]),
    ("on_request", "全年共收到申请12件，予以公开6件，部分公开2件，分别占50%和16.7%。", []),
    ("proactive", "确保无一遗漏地公开行政处罚决定。", []),
    ("proactive", "在政府网站公开行政处罚信息60条。", []),
    ("proactive", "公开行政许可事项清单150项。", []),
    ("supervision", "受理群众咨询电话120次。", []),
    ("on_request", "本年度共收到依申请公开政府信息申请0件。", [(N, "0")]),
]
SENTENCES += [
    ("proactive", "全年作出行政处罚决定6件，收取行政事业性收费1.5万元。", [(N, "1.5")]),
]
