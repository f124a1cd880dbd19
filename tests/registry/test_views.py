"""Staff pages of the roster: import through the browser, succession, invitations."""

import io
import re
from datetime import date, timedelta

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from lms.core.clock import local_today
from lms.extensions import db
from lms.registry.models import Filing
from tests.conftest import login, make_uscc
from tests.registry.roster_files import HEADER, as_csv, as_xlsx, row


def upload(client, data: bytes, name: str):
    return client.post("/staff/registry/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_upload_preview_then_confirm_imports(as_staff, factory):
    factory.town("相南街道")
    r = upload(as_staff, as_xlsx([row(make_uscc(), "相南街道", "王明"), row(make_uscc(), "相南街道", "李强")]),
               "roster.xlsx")
    assert r.status_code == 302
    preview = as_staff.get(r.location).get_data(as_text=True)
    assert "确认导入" in preview and "王明" in preview
    assert db.session.scalar(select(func.count(Filing.id))) == 0
    form = dict(re.findall(r'name="(token|fingerprint)" type="hidden" value="([^"]*)"', preview))
    done = as_staff.post(r.location, data=form, follow_redirects=True).get_data(as_text=True)
    assert "导入完成" in done and "新增备案 2" in done
    # the next step, named where staff are: the new officers need codes to register
    assert '新增的 2 份备案还没有邀请码，首席质量官要凭它注册：请<a href="/staff/registry/invitations">' in done
    assert db.session.scalar(select(func.count(Filing.id))) == 2
    from lms.core.audit import AuditEntry

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "roster.imported"))
    assert entry.target == "roster.xlsx" and entry.details["filing_added"] == 2
    again = as_staff.get(r.location, follow_redirects=True)  # the back button, after importing
    assert again.request.path == "/staff/registry/import" and "已经导入或已过期" in again.get_data(as_text=True)

    twice = as_staff.post(r.location, data=form)
    assert twice.status_code == 302 and db.session.scalar(select(func.count(Filing.id))) == 2


def test_preview_with_errors_offers_no_confirm_and_commit_is_refused(as_staff, factory):
    factory.town("相南街道")
    r = upload(as_staff, as_csv([row("91340603MA2U0A1B10", "相南街道")]), "bad.csv")
    preview = as_staff.get(r.location).get_data(as_text=True)
    assert "确认导入" not in preview and "校验位不正确" in preview
    token = r.location.rsplit("/", 1)[1]
    as_staff.post(r.location, data={"token": token, "fingerprint": "x"})
    assert db.session.scalar(select(func.count(Filing.id))) == 0


def test_one_mistake_down_a_whole_column_is_summed_up_above_the_list(as_staff, factory):
    factory.town("相南街道")
    rows = [row(make_uscc(500 + n), "相南街道", 聘任日期="2023年13月1日", 手机号码=f"139{n:08d}")
            for n in range(12)]
    rows[5]["手机号码"] = "1391234"
    page = as_staff.get(upload(as_staff, as_csv(rows), "dates.csv").location).get_data(as_text=True)
    summary = page[page.index("错误集中在这些列"):page.index("<table")]
    assert "<strong>聘任日期</strong>：12 处（第 4、5、6、7、8 行等）" in summary
    assert "手机号码" not in summary  # a single mistake is only in the list below


def test_every_error_of_a_preview_downloads_as_a_spreadsheet(as_staff, factory):
    factory.town("相南街道")
    rows = ([row(make_uscc(), "相南街道", 手机号码=f"1234{i}") for i in range(1001)]
            + [row(make_uscc(), "火星", officer="赵　六")])
    r = upload(as_staff, as_csv(rows), "名册.csv")
    page = as_staff.get(r.location).get_data(as_text=True)
    assert page.count('class="row-error"') == 1000 and "下载错误清单" in page
    assert f"{rows[0]['企业名称']} · 王明" in page  # which enterprise's row, beside its number
    response = as_staff.get(f"{r.location}/errors.xlsx")
    assert response.status_code == 200 and "errors.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == ("行号", "企业名称", "首席质量官姓名", "列", "问题") and len(lines) == 1 + 1002
    # A row refused as it was read (a bad mobile) and one refused against the stored roster
    # (an unknown town) both name the enterprise and the officer as the file writes them.
    assert lines[1][:4] == (4, rows[0]["企业名称"], "王明", "手机号码") and "12340" in lines[1][4]
    assert lines[-1][:4] == (1005, rows[-1]["企业名称"], "赵六", "所在镇街") and "火星" in lines[-1][4]


def test_the_blank_template_imports_once_filled_in(as_staff, factory):
    factory.town("相南街道")
    response = as_staff.get("/staff/registry/import-template.xlsx")
    assert response.status_code == 200 and "roster-template.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    header = [c.value for c in book.active[1]]
    assert header[:3] == ["企业名称", "统一社会信用代码", "所在镇街"] and "备案编号" in header
    notes = {row[0]: row[1:] for row in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert set(notes) == set(header) and notes["企业规模"] == ("必填", "大型、中型、小型、微型")
    assert "GB 32100" in notes["统一社会信用代码"][1]
    assert notes["学历"][0] == "选填：留空不改已有备案的此项"  # an empty cell erases nothing
    # every column says whether it is needed, as the import reads it
    assert notes["状态"][0] == "选填：留空即“在任”" and notes["离任日期"][0] == "状态不是“在任”时必填"
    assert notes["变更原因"][0] == "选填" and all(note[0] for note in notes.values())
    drop_downs = {str(v.sqref): v.formula1 for v in book.active.data_validations.dataValidation}
    size = get_column_letter(header.index("企业规模") + 1)
    assert drop_downs[f"{size}2:{size}5000"] == '"大型,中型,小型,微型"'
    town = get_column_letter(header.index("所在镇街") + 1)
    assert drop_downs[f"{town}2:{town}5000"] == "镇街!$A$1:$A$1" and book["镇街"]["A1"].value == "相南街道"
    text = {name for i, name in enumerate(header, start=1)
            if book.active.column_dimensions[get_column_letter(i)].number_format == "@"}
    assert {"统一社会信用代码", "身份证号", "手机号码", "备案编号"} <= text and "聘任日期" not in text  # Excel keeps the digits
    page = as_staff.get("/staff/registry/import").get_data(as_text=True)
    listed = re.findall(r'<td class="text-nowrap">(.+?)</td><td><code class="text-nowrap">(\w+)</code></td>\s*<td>(.+?)</td>', page)
    assert sorted(zh for zh, _, _ in listed) == sorted(header)  # every column the template has, each with its English header
    assert ("企业名称", "enterprise_name") in {(zh, en) for zh, en, _ in listed}
    assert {zh for zh, _, req in listed if "必填" in req} == set(header[:10])  # the required ones
    filled = row(make_uscc(), "相南街道", "模板填写人")
    book.active.append([filled.get(name, "") for name in header])
    stream = io.BytesIO()
    book.save(stream)
    r = upload(as_staff, stream.getvalue(), "roster-template.xlsx")
    preview = as_staff.get(r.location).get_data(as_text=True)
    assert "确认导入" in preview and "模板填写人" in preview


def test_wrong_file_type_is_explained(as_staff):
    r = upload(as_staff, b"hello", "roster.pdf")
    assert "只接受 .xlsx、.xls 或 .csv 文件" in r.get_data(as_text=True)


def test_end_filing_and_file_successor_keep_history(as_staff, factory):
    filing = factory.filing()
    ent_id = filing.enterprise_id
    r = as_staff.post(f"/staff/registry/enterprises/{ent_id}/successor", data={
        "officer_name": "接任者", "position": "质量副总", "mobile": "13800138000",
        "appointed_on": "2025-05-01", "filed_on": "2025-05-06", "reason": "离职"})
    assert r.status_code == 302
    rows = db.session.execute(select(Filing.officer_name, Filing.status, Filing.ended_on)
                              .where(Filing.enterprise_id == ent_id).order_by(Filing.id)).all()
    assert rows == [(filing.officer_name, "replaced", date(2025, 5, 1)), ("接任者", "current", None)]
    page = as_staff.get(f"/staff/registry/enterprises/{ent_id}").get_data(as_text=True)
    assert filing.officer_name in page and "接任者" in page
    as_staff.get("/lang/en")
    assert "Left the company" in as_staff.get(f"/staff/registry/enterprises/{ent_id}").get_data(as_text=True)
    as_staff.get("/lang/zh_CN")
    current = db.session.scalar(select(Filing).where(Filing.officer_name == "接任者"))
    as_staff.post(f"/staff/registry/filings/{current.id}/end", data={"ended_on": "2026-01-31", "reason": "退出"})
    db.session.refresh(current)
    assert current.status == "removed" and current.ended_on == date(2026, 1, 31)


SUCCESSOR = {"officer_name": "接任者", "position": "质量副总", "mobile": "13800138000", "years_in_quality": "",
             "appointed_on": "2025-05-01", "filed_on": "2025-05-06", "reason": "离职"}


def test_a_successor_is_filed_without_the_optional_years_in_quality(as_staff, factory):
    filing = factory.filing()
    r = as_staff.post(f"/staff/registry/enterprises/{filing.enterprise_id}/successor", data=SUCCESSOR)
    assert r.status_code == 302, r.get_data(as_text=True)
    successor = db.session.scalar(select(Filing).where(Filing.officer_name == "接任者"))
    assert successor.is_current and successor.years_in_quality is None


def test_a_successor_refused_by_a_roster_rule_keeps_what_was_typed_and_marks_the_date(as_staff, factory):
    filing = factory.filing()
    early = {**SUCCESSOR, "appointed_on": (filing.appointed_on - timedelta(days=1)).isoformat(), "title": "高级工程师"}
    r = as_staff.post(f"/staff/registry/enterprises/{filing.enterprise_id}/successor", data=early)
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and f"接任者的聘任日期不能早于现任 {filing.officer_name} 的聘任日期" in page
    assert 'value="高级工程师"' in page and 'value="13800138000"' in page and f'value="{early["appointed_on"]}"' in page
    db.session.refresh(filing)
    assert filing.is_current


def test_a_successor_sent_twice_is_not_filed_as_succeeding_themselves(as_staff, factory):
    filing = factory.filing()
    url = f"/staff/registry/enterprises/{filing.enterprise_id}/successor"
    assert as_staff.post(url, data=SUCCESSOR).status_code == 302
    again = as_staff.post(url, data=SUCCESSOR)  # the back button and 保存 again
    assert again.status_code == 400 and "接任者 已是该企业的在任首席质量官" in again.get_data(as_text=True)
    names = db.session.scalars(select(Filing.officer_name).where(Filing.enterprise_id == filing.enterprise_id)
                               .order_by(Filing.id)).all()
    assert names == [filing.officer_name, "接任者"]


def test_an_end_date_the_rules_refuse_keeps_the_reason_chosen(as_staff, factory):
    filing = factory.filing()
    r = as_staff.post(f"/staff/registry/filings/{filing.id}/end", data={"ended_on": "2000-01-01", "reason": "调岗"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "离任日期不能早于聘任日期" in page and 'value="2000-01-01"' in page
    assert re.search(r'<option selected value="调岗">|<option value="调岗" selected', page)


def test_a_successor_that_loses_a_race_with_another_is_undone_with_a_message(as_staff, factory, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from lms.registry import service

    filing = factory.filing()

    def raced(*_args):
        raise IntegrityError("INSERT INTO filing", {}, Exception("UNIQUE constraint failed: filing.enterprise_id"))

    monkeypatch.setattr(service, "file_successor", raced)
    r = as_staff.post(f"/staff/registry/enterprises/{filing.enterprise_id}/successor", data=SUCCESSOR,
                      follow_redirects=True)
    assert r.status_code == 200 and "刚被另一操作修改，本次未保存" in r.get_data(as_text=True)


def test_an_enterprise_without_a_cqo_gets_one_filed_and_no_filing_ends_in_the_future(as_staff, factory):
    from datetime import timedelta

    filing = factory.filing()
    ent_id = filing.enterprise_id
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    r = as_staff.post(f"/staff/registry/filings/{filing.id}/end", data={"ended_on": tomorrow, "reason": "离职"},
                      follow_redirects=True)
    assert "离任日期不能晚于今天" in r.get_data(as_text=True)
    db.session.refresh(filing)
    assert filing.is_current  # still in office: still counted as filed
    as_staff.post(f"/staff/registry/filings/{filing.id}/end", data={"ended_on": "2026-01-31", "reason": "离职"})
    # Nobody to succeed now: the form asks no reason for ending a predecessor, and files the officer.
    page = as_staff.get(f"/staff/registry/enterprises/{ent_id}").get_data(as_text=True)
    assert "备案首席质量官" in page and "前任的变更原因" not in page
    new_officer = {"officer_name": "新任者", "position": "质量总监", "mobile": "13800138001",
                   "appointed_on": "2026-02-01", "filed_on": "2026-02-03"}
    r = as_staff.post(f"/staff/registry/enterprises/{ent_id}/successor", data={**new_officer, "appointed_on": tomorrow})
    assert r.status_code == 400 and "聘任日期不能晚于今天" in r.get_data(as_text=True)
    assert "备案未保存" in r.get_data(as_text=True)
    r = as_staff.post(f"/staff/registry/enterprises/{ent_id}/successor", data=new_officer)
    assert r.status_code == 302
    rows = db.session.execute(select(Filing.officer_name, Filing.status).where(Filing.enterprise_id == ent_id)
                              .order_by(Filing.id)).all()
    assert rows == [(filing.officer_name, "removed"), ("新任者", "current")]


def test_database_refuses_two_current_filings_for_one_enterprise(app, factory):
    import pytest
    from sqlalchemy.exc import IntegrityError

    filing = factory.filing()
    with pytest.raises(IntegrityError):
        factory.filing(enterprise=filing.enterprise)
    db.session.rollback()


def test_filings_list_searches_and_filters(as_staff, factory):
    town = factory.town("渠沟镇")
    factory.filing(factory.enterprise(town=town), officer_name="赵铁柱")
    factory.filing(officer_name="钱多多")
    page = as_staff.get("/staff/registry/filings?q=铁柱").get_data(as_text=True)
    assert "赵铁柱" in page and "钱多多" not in page
    page = as_staff.get(f"/staff/registry/filings?town={town.id}").get_data(as_text=True)
    assert "赵铁柱" in page and "钱多多" not in page
    factory.filing(factory.enterprise(name="淮北瑞丰乳业有限公司"), officer_name="孙涛", mobile="13169871689")
    for q in ("131 6987 1689", "+86 131-6987-1689", "瑞丰 乳业", "乳业　孙涛", "１３１６９８７１６８９"):
        page = as_staff.get("/staff/registry/filings", query_string={"q": q}).get_data(as_text=True)
        assert "孙涛" in page and "赵铁柱" not in page, q
    assert "没有符合条件的备案" in as_staff.get("/staff/registry/filings?q=瑞丰 铁柱").get_data(as_text=True)
    assert "没有符合条件的备案" in as_staff.get("/staff/registry/filings?q=%25").get_data(as_text=True)  # % is text


def test_empty_roster_says_what_to_do(as_staff, factory):
    assert "请先导入" in as_staff.get("/staff/registry/filings").get_data(as_text=True)
    factory.filing(officer_name="钱多多")
    page = as_staff.get("/staff/registry/filings?q=没有这个人").get_data(as_text=True)
    assert "没有符合条件的备案" in page and "清除筛选" in page and "请先导入" not in page


def invite_codes(client, town_id=0, reissue=False) -> list[list]:
    data = {"town_id": town_id, **({"reissue": "y"} if reissue else {})}
    r = client.post("/staff/registry/invitations", data=data)
    assert r.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(r.data)).active
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_invitation_code_claims_a_filing_once(app, factory):
    filing = factory.filing(officer_name="孙悦")
    staff = app.test_client()
    from tests.conftest import login

    login(staff, factory.user("staff"))
    rows = invite_codes(staff)
    assert [r[3] for r in rows] == ["孙悦"]
    code = rows[0][5]
    officer = app.test_client()
    r = officer.post("/register", data={"code": code.lower(), "name": "孙悦", "phone": "13700001111", "phone_confirmed": "13700001111",
                                        "password": "long-enough-1", "confirm": "long-enough-1"})
    assert r.status_code == 302
    db.session.refresh(filing)
    assert filing.user is not None and filing.user.phone == "13700001111"
    assert "孙悦" in officer.get("/me").get_data(as_text=True)
    again = app.test_client().post("/register", data={
        "code": code, "name": "冒名", "phone": "13700002222", "phone_confirmed": "13700002222", "password": "long-enough-1",
        "confirm": "long-enough-1"}).get_data(as_text=True)
    assert "邀请码无效或已被使用" in again and "已经用它注册过的，请直接登录" in again  # 孙悦 on a new phone


def test_registering_takes_the_name_on_the_filing_and_tells_nobody_which_numbers_have_accounts(app, as_staff, factory):
    from lms.accounts.models import User

    filing = factory.filing(officer_name="孙悦")
    code = invite_codes(as_staff)[0][5]
    taken = factory.user("officer", phone="13700006666")

    def register(name, phone, code=code):
        return app.test_client().post("/register", data={"code": code, "name": name, "phone": phone,
                                                         "phone_confirmed": phone, "password": "long-enough-1", "confirm": "long-enough-1"})

    # Without a valid code, a number that has an account gets the same answer as any other.
    assert "邀请码无效或已被使用" in register("孙悦", taken.phone, code="ABCD-EFGH-JK").get_data(as_text=True)
    assert "姓名与这个邀请码的备案不一致" in register("孙月", "13700007777").get_data(as_text=True)
    assert "已有账号，请直接登录" in register("孙悦", taken.phone).get_data(as_text=True)
    db.session.refresh(filing)
    assert filing.user_id is None and db.session.scalar(select(func.count(User.id))) == 2  # taken + staff
    assert register(" 孙 悦 ", "13700007777").status_code == 302  # spaces typed in a name do not matter
    db.session.refresh(filing)
    assert filing.user.name == "孙悦"  # as the roster and the certificate print it


def test_wrong_code_says_the_same_as_a_used_one(client):
    page = client.post("/register", data={"code": "ABCD-EFGH-JK", "name": "某人", "phone": "13700003333", "phone_confirmed": "13700003333",
                                          "password": "long-enough-1", "confirm": "long-enough-1"})
    assert "邀请码无效或已被使用" in page.get_data(as_text=True)
    from lms.accounts.models import User

    assert db.session.scalar(select(func.count(User.id))) == 0  # no account left behind


def test_regenerated_code_voids_the_old_one(as_staff, factory, app):
    factory.filing()
    old = invite_codes(as_staff)[0][5]
    new = invite_codes(as_staff, reissue=True)[0][5]
    assert old != new
    r = app.test_client().post("/register", data={"code": old, "name": "某人", "phone": "13700004444", "phone_confirmed": "13700004444",
                                                  "password": "long-enough-1", "confirm": "long-enough-1"})
    assert "邀请码无效或已被使用" in r.get_data(as_text=True)


def test_the_code_of_an_ended_filing_says_the_filing_ended(as_staff, factory, app):
    from lms.core.clock import local_today

    filing = factory.filing(officer_name="江晓东")
    code = invite_codes(as_staff)[0][5]
    filing.status, filing.ended_on = "replaced", local_today()
    db.session.commit()
    page = app.test_client().post("/register", data={"code": code, "name": "江晓东", "phone": "13700004445", "phone_confirmed": "13700004445",
                                                     "password": "long-enough-1", "confirm": "long-enough-1"})
    assert "这个邀请码的备案已经结束" in page.get_data(as_text=True)
    db.session.refresh(filing)
    assert filing.user_id is None


def test_staff_create_an_account_for_an_officer(as_staff, factory):
    filing = factory.filing(officer_name="周全", mobile="13600001111")
    page = as_staff.post(f"/staff/registry/filings/{filing.id}/account").get_data(as_text=True)
    assert "/reset/" in page
    assert f'href="/staff/registry/enterprises/{filing.enterprise_id}"' in page and "/admin/users" not in page  # staff may not go there
    db.session.refresh(filing)
    assert filing.user.phone == "13600001111" and filing.user.role == "officer"


def test_an_upload_never_confirmed_is_deleted_after_a_day(as_staff, factory, app):
    import os
    import time
    from pathlib import Path

    factory.town("相南街道")
    folder = Path(app.config["UPLOAD_FOLDER"])
    first = upload(as_staff, as_csv([row(make_uscc(), "相南街道", "王明")]), "roster.csv")
    left = {p.name for p in folder.iterdir()}
    day_old = time.time() - 25 * 3600
    for name in left:
        os.utime(folder / name, (day_old, day_old))
    second = upload(as_staff, as_csv([row(make_uscc(), "相南街道", "李强")]), "roster.csv")
    assert not left & {p.name for p in folder.iterdir()}  # the old preview's files are gone
    assert "已经导入或已过期" in as_staff.get(first.location, follow_redirects=True).get_data(as_text=True)
    assert "李强" in as_staff.get(second.location).get_data(as_text=True)  # the new one stays


def test_new_codes_go_only_to_filings_without_one_unless_asked(as_staff, factory, app):
    first = factory.filing(officer_name="周一")
    handed_out = invite_codes(as_staff)
    assert [r[3] for r in handed_out] == ["周一"]
    roster = as_staff.get("/staff/registry/filings").get_data(as_text=True)
    assert roster.count("邀请码 ") == 1  # 周一's row says a code went out, and when
    factory.filing(officer_name="吴二")  # filed after the first batch was handed out
    assert [r[3] for r in invite_codes(as_staff)] == ["吴二"]  # 周一's code still works
    page = as_staff.post("/staff/registry/invitations", data={"town_id": 0}, follow_redirects=True)
    assert "都已有邀请码" in page.get_data(as_text=True)
    town = first.enterprise.town
    page = as_staff.post("/staff/registry/invitations", data={"town_id": town.id}).get_data(as_text=True)
    assert f"{town.name}没有需要生成邀请码的备案" in page  # said of the town chosen, which stays chosen
    assert re.search(rf'<option selected value="{town.id}">|<option value="{town.id}" selected', page)
    r = app.test_client().post("/register", data={"code": handed_out[0][5], "name": "周一", "phone": "13700005555", "phone_confirmed": "13700005555",
                                                  "password": "long-enough-1", "confirm": "long-enough-1"})
    assert r.status_code == 302
    db.session.refresh(first)
    assert first.user_id is not None


def test_a_first_code_is_not_said_to_void_an_earlier_one(as_staff, factory):
    filing = factory.filing(officer_name="郑四")
    page = as_staff.post(f"/staff/registry/filings/{filing.id}/invite", follow_redirects=True).get_data(as_text=True)
    assert "只显示这一次" in page and "之前发出的邀请码已作废" not in page


def test_one_officer_who_lost_the_code_gets_a_new_one_shown_once(as_staff, factory, app):
    filing = factory.filing(officer_name="郑三")
    old = invite_codes(as_staff)[0][5]
    assert "重新生成邀请码" in as_staff.get(f"/staff/registry/enterprises/{filing.enterprise_id}").get_data(as_text=True)
    page = as_staff.post(f"/staff/registry/filings/{filing.id}/invite", follow_redirects=True).get_data(as_text=True)
    code = re.search(r'<code class="invite">([A-Z0-9-]+)</code>', page).group(1)
    assert code != old and "只显示这一次" in page and "/register" in page and "之前发出的邀请码已作废" in page
    # Reloading the page shows the same code: it issues no other, and the one read out still works.
    reloaded = as_staff.get(f"/staff/registry/filings/{filing.id}/invite-code").get_data(as_text=True)
    assert f'<code class="invite">{code}</code>' in reloaded
    register = {"name": "郑三", "phone": "13700006666", "phone_confirmed": "13700006666",
                "password": "long-enough-1", "confirm": "long-enough-1"}
    refused = app.test_client().post("/register", data={"code": old, **register}).get_data(as_text=True)
    assert "邀请码无效或已被使用" in refused
    assert app.test_client().post("/register", data={"code": code, **register}).status_code == 302
    again = as_staff.post(f"/staff/registry/filings/{filing.id}/invite", follow_redirects=True)
    assert "该备案已有账号或已结束" in again.get_data(as_text=True)
    used = as_staff.get(f"/staff/registry/filings/{filing.id}/invite-code", follow_redirects=True).get_data(as_text=True)
    assert code not in used and "它已被使用、已重新生成或已过了显示时间" not in used  # claimed: not shown again,
    assert "该备案已认领，账号 13700006666" in used and "请重新生成" not in used  # nor a new one asked for


def test_a_shown_code_is_not_shown_to_another_browser_or_after_fifteen_minutes(as_staff, factory, app):
    from lms.registry import invitation_views

    filing = factory.filing(officer_name="郑四")
    as_staff.post(f"/staff/registry/filings/{filing.id}/invite")
    url = f"/staff/registry/filings/{filing.id}/invite-code"
    colleague = app.test_client()
    login(colleague, factory.user("staff"))
    assert '<code class="invite">' not in colleague.get(url, follow_redirects=True).get_data(as_text=True)
    with as_staff.session_transaction() as stored:
        shown = stored["invite_shown"]
        stored["invite_shown"] = {**shown, "at": shown["at"] - invitation_views.SHOWN_CODE_MINUTES * 60 - 1}
    assert '<code class="invite">' not in as_staff.get(url, follow_redirects=True).get_data(as_text=True)


def test_ending_a_filing_without_a_date_marks_the_field_and_ends_nothing(as_staff, factory):
    filing = factory.filing(officer_name="周勇")
    response = as_staff.post(f"/staff/registry/filings/{filing.id}/end", data={"reason": "resigned"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "备案未结束：请改正下面标出的内容" in page
    assert 'class="form-control is-invalid" id="ended_on"' in page  # marked on the field itself
    db.session.refresh(filing)
    assert filing.status == "current"


def test_the_english_preview_counts_errors_and_ended_filings_in_words_of_their_own(as_staff, factory):
    factory.town("相南街道")
    as_staff.get("/lang/en")
    def tiles(rows):
        page = as_staff.get(upload(as_staff, as_csv(rows), "roster.csv").location).get_data(as_text=True)
        return [t.split("</div>")[0] for t in page.split('<div class="small">')[1:]]

    assert "Errors" in tiles([row(make_uscc(), "相南街道")])
    assert "Filings ended" in tiles([row(make_uscc(), "相南街道")])  # not "False" (a true/false answer) nor "End filing"
    # a file with errors imports nothing: no counts of what it would add
    assert tiles([row("91340600MA2N0000X0", "相南街道", "王明"), row(make_uscc(), "相南街道")]) == ["Errors"]


def test_a_roster_the_platform_already_holds_offers_nothing_to_confirm(as_staff, factory):
    factory.town("相南街道")
    data = as_csv([row(make_uscc(), "相南街道")])
    first = upload(as_staff, data, "roster.csv")
    form = dict(re.findall(r'name="(token|fingerprint)" type="hidden" value="([^"]*)"',
                           as_staff.get(first.location).get_data(as_text=True)))
    as_staff.post(first.location, data=form)
    again = as_staff.get(upload(as_staff, data, "roster.csv").location).get_data(as_text=True)
    assert "名册与平台上的记录一致，没有需要导入的变更" in again and "确认导入" not in again


def test_the_english_preview_names_changed_columns_in_english(as_staff, factory):
    factory.town("相南街道")
    code = make_uscc()
    first = upload(as_staff, as_csv([row(code, "相南街道")]), "roster.csv")
    form = dict(re.findall(r'name="(token|fingerprint)" type="hidden" value="([^"]*)"',
                           as_staff.get(first.location).get_data(as_text=True)))
    as_staff.post(first.location, data=form)
    as_staff.get("/lang/en")
    changed = upload(as_staff, as_csv([row(code, "相南街道", 手机号码="13800001111", 企业规模="中型")]), "roster.csv")
    page = as_staff.get(changed.location).get_data(as_text=True)
    assert "Mobile number 13912345678 → 13800001111" in page and "Enterprise size Small → Medium" in page
    assert "手机号码" not in page.split("<main")[-1]


def test_the_english_preview_names_new_enterprises_with_ascii_brackets(as_staff, factory):
    factory.town("相南街道")
    code = make_uscc()
    as_staff.get("/lang/en")
    r = upload(as_staff, as_csv([row(code, "相南街道")]), "roster.csv")
    page = as_staff.get(r.location).get_data(as_text=True)
    assert f" ({code})" in page and f"（{code}）" not in page
    as_staff.get("/lang/zh_CN")
    assert f"（{code}）" in as_staff.get(r.location).get_data(as_text=True)


def test_the_preview_says_which_columns_the_file_lacks_and_that_they_are_kept(as_staff, factory):
    factory.town("相南街道")
    narrow = [h for h in HEADER if h not in ("性别", "行业代码")]
    r = upload(as_staff, as_csv([row(make_uscc(), "相南街道")], header=narrow), "roster.csv")
    page = as_staff.get(r.location).get_data(as_text=True)
    notice = page.split("文件中没有这些列，已有备案的这些信息保持不变：", 1)[1].split("</div>", 1)[0]
    assert "性别" in notice and "行业代码" in notice and "手机号码" not in notice


def test_disabling_a_town_asks_first_and_says_what_follows(as_staff, factory):
    town = factory.town("渠沟镇")
    page = as_staff.get("/staff/registry/towns").get_data(as_text=True)
    assert "停用“渠沟镇”后，名册中写这个镇街的行会被拒绝" in page  # the confirmation
    done = as_staff.post(f"/staff/registry/towns/{town.id}/toggle", follow_redirects=True).get_data(as_text=True)
    assert "已停用“渠沟镇”" in done
    rows = as_csv([row(make_uscc(), "渠沟镇")])
    assert "未知的镇街“渠沟镇”" in as_staff.get(upload(as_staff, rows, "r.csv").location).get_data(as_text=True)


def test_the_enterprise_page_names_its_industry_when_the_roster_gave_only_the_code(as_staff, factory):
    filing = factory.filing()
    page = as_staff.get(f"/staff/registry/enterprises/{filing.enterprise_id}").get_data(as_text=True)
    assert "C3484 通用设备制造业" in page


def test_the_import_message_counts_changed_enterprises(as_staff, factory):
    """An enterprise moved to another town is a change the confirmation names, not "0 changes"."""
    factory.town("相南街道"), factory.town("相北街道")
    code = make_uscc()
    for town in ("相南街道", "相北街道"):
        r = upload(as_staff, as_csv([row(code, town, "王明")]), "roster.csv")
        preview = as_staff.get(r.location).get_data(as_text=True)
        form = dict(re.findall(r'name="(token|fingerprint)" type="hidden" value="([^"]*)"', preview))
        done = as_staff.post(r.location, data=form, follow_redirects=True).get_data(as_text=True)
    assert "新增企业 0，变更企业 1" in done


def test_the_roster_list_says_who_counts_as_trained(as_staff, factory):
    from lms.certificates.models import Certificate
    from lms.programs.models import Program

    program = Program(name="2026 培训", requirements=[], starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31),
                      is_current=True)
    db.session.add(program)
    trained, untrained = factory.user("officer"), factory.user("officer")
    ent_a, ent_b = factory.enterprise(), factory.enterprise()
    factory.filing(ent_a, officer_name="甲培训", user_id=trained.id)
    factory.filing(ent_b, officer_name="乙未训", user_id=untrained.id)
    db.session.flush()
    db.session.add(Certificate(serial="S-1", user_id=trained.id, program_id=program.id, holder_name="甲培训",
                               issued_on=date(2026, 5, 1), expires_on=date(2099, 5, 1), status="valid"))
    db.session.commit()
    page = as_staff.get("/staff/registry/filings").get_data(as_text=True)
    rows = dict(re.findall(r'>(甲培训|乙未训)</a></td>(.*?)</tr>', page, re.S))
    assert "已培训" in rows["甲培训"] and "未培训" not in rows["甲培训"]
    assert "未开始" in rows["乙未训"]  # claimed, not begun: as the chase list says it


def test_the_code_being_shown_is_not_readable_in_the_session_cookie(as_staff, factory):
    filing = factory.filing(officer_name="钱五")
    page = as_staff.post(f"/staff/registry/filings/{filing.id}/invite", follow_redirects=True).get_data(as_text=True)
    code = re.search(r'<code class="invite">([^<]+)</code>', page).group(1)
    with as_staff.session_transaction() as stored:
        kept = str(stored["invite_shown"])
    assert code not in kept and code.replace("-", "") not in kept  # the cookie is signed, not secret
