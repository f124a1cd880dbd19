"""English is a complete translation: every message in the code has an English text."""

from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                                "-k", "lazy_gettext", "-o", str(pot), str(ROOT)])
    wanted = {m.id for m in read_po(pot.open("rb")) if m.id}
    assert len(wanted) > 400  # the extraction really read the templates and the code
    catalog = read_po((ROOT / "lms/translations/en/LC_MESSAGES/messages.po").open("rb"))
    translated = {m.id for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(wanted - translated)
    assert not missing, f"{len(missing)} messages without English: {missing[:10]}"


def test_pages_switch_language_both_ways(client):
    client.get("/lang/en")
    assert "Register with an invitation code" in client.get("/").get_data(as_text=True)
    client.get("/lang/zh_CN")
    assert "用邀请码注册" in client.get("/").get_data(as_text=True)


def test_the_language_link_comes_back_to_the_same_page(as_officer):
    import re
    from urllib.parse import parse_qs, urlsplit

    for page in ("/courses/", "/courses/search?q=%E8%AE%A1%E9%87%8F"):
        html = as_officer.get(page).get_data(as_text=True)
        link = re.search(r'href="(/lang/(?:en|zh_CN)\?[^"]+)"', html).group(1)
        assert parse_qs(urlsplit(link).query)["next"] == [page]  # the query kept, no stray "?"
        assert as_officer.get(link).headers["Location"] == page


def test_the_english_menu_names_list_pages_in_the_plural(as_staff):
    as_staff.get("/lang/en")
    page = as_staff.get("/staff/registry/filings").get_data(as_text=True)
    menu = page.split('class="dropdown-menu"', 1)[1].split("</ul>", 1)[0]
    assert all(f">{name}</a>" in menu for name in ("Enterprises", "Invitation codes", "Towns")), menu


def test_a_signed_in_choice_of_language_follows_the_account_to_its_next_sign_in(app, client, factory):
    from tests.conftest import login

    user = factory.user("officer")
    login(client, user)
    client.get("/lang/en")
    client.post("/logout")
    other = app.test_client()  # another browser, another device: a session of its own
    login(other, user)
    assert "Sign out" in other.get("/dashboard", follow_redirects=True).get_data(as_text=True)


def test_a_language_picked_before_signing_in_is_kept_and_the_next_person_gets_their_own(app, client, factory):
    from tests.conftest import login

    picks_english, never_chose = factory.user("officer"), factory.user("officer")
    client.get("/lang/en")  # on the sign-in page
    login(client, picks_english)
    client.post("/logout")
    login(client, never_chose)  # the same office PC, the next person
    assert "退出" in client.get("/dashboard", follow_redirects=True).get_data(as_text=True)
    other = app.test_client()
    login(other, picks_english)
    assert "Sign out" in other.get("/dashboard", follow_redirects=True).get_data(as_text=True)


def test_english_counts_say_one_day_and_many_days(app):
    from datetime import date

    from flask import session
    from flask_babel import refresh

    from lms.coverage.service import Outlook

    def days(n: int) -> str:
        return Outlook(target=100, filed=10, needed=5, days_left=n, since=None, projected=None,
                       deadline=date(2026, 12, 31)).days_text()

    with app.test_request_context():
        session["lang"] = "en"
        refresh()  # the language is read once a request
        assert (days(1), days(2), days(-1)) == (" (1 day left)", " (2 days left)", " (1 day past)")
        session["lang"] = "zh_CN"
        refresh()
        assert days(1) == "（剩余 1 天）"
