"""The base layout's links, which are built once per mount point."""


def test_layout_links_follow_the_mount_point(client):
    here = client.get("/login").get_data(as_text=True)
    mounted = client.get("/login", base_url="http://localhost/lms/").get_data(as_text=True)
    assert 'href="/static/css/app.css"' in here and 'href="/lms/static/css/app.css"' in mounted
    assert 'href="/lms/"' in mounted and 'src="/lms/static/js/app.js"' in mounted
    assert 'href="/lms/static/css/app.css"' not in client.get("/login").get_data(as_text=True)


def test_a_visitor_finds_the_certificate_check_from_the_home_page(client):
    page = client.get("/").get_data(as_text=True)
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert 'href="/verify/"' in nav  # in the navigation, on every page
    assert page.count('href="/verify/"') >= 2  # and the home page's card opens it
    assert client.get("/verify/").status_code == 200


def test_only_the_menu_a_page_is_in_is_marked_as_the_current_one(as_staff):
    import re
    from datetime import date

    from lms.extensions import db
    from lms.programs.models import Program

    db.session.add(Program(name="p", requirements=[], starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31),
                           is_current=True))
    db.session.commit()

    page = as_staff.get("/staff/coverage/outbox").get_data(as_text=True)
    active = re.findall(r'class="nav-link(?: dropdown-toggle)? active"[^>]*>([^<]+)<', page)
    assert "名册" in active and "覆盖率" not in active  # the outbox is in the roster menu; the coverage link only shares its address's start
    assert re.findall(r'class="nav-link active"[^>]*>([^<]+)<', as_staff.get("/staff/coverage/").get_data(as_text=True)) \
        == ["覆盖率"]
