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
