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
