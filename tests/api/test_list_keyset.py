"""Keyset continuation behind NetBox's offset (docs/api.md "Paging"): a list's `next` link
carries `cursor=` (the position after the page's last row) beside `offset=`, so following it
costs one page however deep it is, and rows inserted meanwhile before the position neither
repeat nor push rows out. Plain `offset=` still works; a cursor made for another offset or
another list is ignored (the offset decides); a malformed cursor is a 400."""

import datetime as dt
import secrets
import time
import urllib.parse

import ckapi
from conftest import CERTS

CURSOR_MAX = 2048  # STORE_QS_CURSOR_MAX


def _make(api, tag, name, days_left):
    return ckapi.create(api, f"ks-{tag}-{name}.example.com", days_left=days_left)


# Per ordering: (name, days_left) of a row that sorts before every row so far, and of one that
# sorts after them (None: no such row, e.g. a new row always has the highest id).
def _start_row(ordering, i):
    return {None: (f"a{i:02d}", 3000 + i), "common_name": (f"0{i:02d}", 40),
            "valid_to": (f"a{i:02d}", 2 + 0 * i), "-created": (f"s{i:02d}", 40),
            "-id": (f"s{i:02d}", 40)}[ordering]


def _end_row(ordering, i):
    return {None: (f"z{i:02d}", 2), "common_name": (f"z{i:02d}", 40),
            "valid_to": (f"z{i:02d}", 3000 + i), "-created": None, "-id": None}[ordering]


def _walk(api, params, between=None):
    """Follows `next` from the first page; returns (ids in walk order, next links)."""
    r = api.get(CERTS, params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    ids, links = [c["id"] for c in body["results"]], []
    for page in range(200):
        if not body["next"]:
            return ids, links
        links.append(body["next"])
        if between:
            between(page)
        r = api.get(body["next"])
        assert r.status_code == 200, r.text
        body = r.json()
        ids += [c["id"] for c in body["results"]]
    raise AssertionError("more than 200 pages")


def _offset_walk(api, params, between=None):
    """The same walk with offsets only (cursor dropped from every next link)."""
    def strip(url):
        parts = urllib.parse.urlsplit(url)
        q = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "cursor"]
        return parts._replace(query=urllib.parse.urlencode(q)).geturl()
    r = api.get(CERTS, params=params)
    body = r.json()
    ids = [c["id"] for c in body["results"]]
    for page in range(200):
        if not body["next"]:
            return ids
        if between:
            between(page)
        body = api.get(strip(body["next"])).json()
        ids += [c["id"] for c in body["results"]]
    raise AssertionError("more than 200 pages")


def test_next_links_carry_a_cursor_and_match_the_offset_walk(api):
    tag = secrets.token_hex(3)
    # ties on valid_to (7 distinct values over 17 rows) exercise the common_name and id keys
    made = [_make(api, tag, f"m{(i * 5) % 17:02d}", 30 + i % 7) for i in range(17)]
    for ordering in (None, "common_name", "valid_to", "-created", "-id"):
        params = {"q": f"ks-{tag}-", "limit": 4, **({"ordering": ordering} if ordering else {})}
        ids, links = _walk(api, params)
        assert links and all("cursor=" in link for link in links), links
        assert ids == _offset_walk(api, params), ordering
        assert sorted(ids) == sorted(c["id"] for c in made), ordering


def test_cursor_walk_under_concurrent_inserts_has_no_duplicates_or_misses(api):
    tag = secrets.token_hex(3)
    made = [_make(api, tag, f"m{(i * 5) % 13:02d}", 30 + i % 5) for i in range(13)]
    original = {c["id"] for c in made}
    # `created` has whole seconds and ties go by id ascending, so a row made in the same second
    # as the originals would sort after them under -created; wait for the next second so that
    # every row inserted below is newer than every original.
    newest = max(dt.datetime.strptime(c["created"], "%Y-%m-%dT%H:%M:%SZ")
                 .replace(tzinfo=dt.timezone.utc).timestamp() for c in made)
    time.sleep(max(0.0, newest + 1.05 - time.time()))
    for ordering in (None, "common_name", "valid_to", "-created", "-id"):
        params = {"q": f"ks-{tag}-", "limit": 4, **({"ordering": ordering} if ordering else {})}
        static = [i for i in _offset_walk(api, params) if i in original]
        added = []

        def insert(page, walk):
            start = _start_row(ordering, 10 * walk + page)
            added.append(_make(api, tag, *start)["id"])
            end = _end_row(ordering, 10 * walk + page)
            if end:
                added.append(_make(api, tag, *end)["id"])

        ids, _ = _walk(api, params, lambda page: insert(page, 1))
        assert len(ids) == len(set(ids)), (ordering, ids)
        # every row that was there from the start, exactly once and in the list's order
        assert [i for i in ids if i in original] == static, ordering
        # the control: the same walk by offsets sees rows shift (a row of the previous page
        # comes again once a row is inserted before it)
        off = _offset_walk(api, params, lambda page: insert(page, 2))
        assert len(off) != len(set(off)) or not original <= set(off), ordering
        for i in added:  # the next ordering starts from the original rows again
            assert api.delete(f"{CERTS}{i}/").status_code == 204


def test_cursor_row_deleted_between_pages(api):
    """The cursor names a position, not a row: the row it was made from may go."""
    tag = secrets.token_hex(3)
    made = [_make(api, tag, f"m{i:02d}", 30 + i) for i in range(9)]
    first = api.get(CERTS, params={"q": f"ks-{tag}-", "limit": 3}).json()
    assert api.delete(f"{CERTS}{first['results'][-1]['id']}/").status_code == 204
    ids, body = [c["id"] for c in first["results"]], first
    while body["next"]:
        assert "cursor=" in body["next"]
        body = api.get(body["next"]).json()
        ids += [c["id"] for c in body["results"]]
    assert ids == [c["id"] for c in sorted(made, key=lambda c: c["valid_to"], reverse=True)]


def test_stale_cursor_is_ignored_and_bad_cursor_is_400(api):
    tag = secrets.token_hex(3)
    for i in range(10):
        _make(api, tag, f"m{i:02d}", 30 + i)
    params = {"q": f"ks-{tag}-", "limit": 3}
    nxt = api.get(CERTS, params=params).json()["next"]
    cursor = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(nxt).query))["cursor"]

    def page(**over):
        r = api.get(CERTS, params={**params, **over})
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["results"]]

    # made for offset 3: at offset 6 the offset decides
    assert page(offset=6, cursor=cursor) == page(offset=6)
    # made for another list (another ordering, another filter): ignored
    assert page(offset=3, cursor=cursor, ordering="common_name") == page(offset=3, ordering="common_name")
    assert page(offset=3, cursor=cursor, status="active") == page(offset=3, status="active")
    for bad in ("x", "c1.zz.3", "c1.0000000000000000", cursor + ".i1", cursor + "x"):
        r = api.get(CERTS, params={**params, "offset": 3, "cursor": bad})
        assert r.status_code == 400, (bad, r.text)
        assert "cursor" in r.json(), r.text
    # the length limit: a well-formed cursor of CURSOR_MAX characters is read (and ignored:
    # its list hash matches nothing); one character more is refused
    at_max = "c1.0000000000000000.3.s" + "61" * 1011 + ".i1"
    over = "c1.0000000000000000.03.s" + "61" * 1011 + ".i1"
    assert (len(at_max), len(over)) == (CURSOR_MAX, CURSOR_MAX + 1)
    assert page(offset=3, cursor=at_max) == page(offset=3)
    r = api.get(CERTS, params={**params, "offset": 3, "cursor": over})
    assert r.status_code == 400 and "cursor" in r.json(), r.text


def test_ordering_without_cursor_keeps_offset_links(api):
    tag = secrets.token_hex(3)
    for i in range(5):
        _make(api, tag, f"m{i:02d}", 30 + i)
    body = api.get(CERTS, params={"q": f"ks-{tag}-", "limit": 2, "ordering": "-assignment_count"}).json()
    assert body["next"] and "cursor=" not in body["next"] and "offset=2" in body["next"]
