"""The base layout's links, which are built once per mount point."""


def test_layout_links_follow_the_mount_point(client):
    here = client.get("/login").get_data(as_text=True)
    mounted = client.get("/login", base_url="http://localhost/lms/").get_data(as_text=True)
    assert 'href="/static/css/app.css"' in here and 'href="/lms/static/css/app.css"' in mounted
    assert 'href="/lms/"' in mounted and 'src="/lms/static/js/app.js"' in mounted
    assert 'href="/lms/static/css/app.css"' not in client.get("/login").get_data(as_text=True)
