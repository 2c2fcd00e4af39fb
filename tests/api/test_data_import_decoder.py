"""bulk-data-import decodes each checked row with the create decoder (api/write.h), so a row
meets the same field rules as POST certificates/ — here the SAN element limit of the list
decoder (2048 characters), which the import's own checks never applied (a longer SAN was
stored)."""

import json

from test_data_import import DATA, csv_of, errors_of, row

SAN_MAX = 2048  # characters of one list element (api/write.c decode_list)


def test_san_element_at_limit_is_imported(api, uniq):
    san = "DNS:" + "a" * (SAN_MAX - 4)
    r = api.post(DATA, json={"content": json.dumps([row(f"san-max.{uniq}", sans=[san])])})
    assert r.status_code == 201, r.text
    assert r.json()["certificates"][0]["sans"] == [san]


def test_san_element_over_limit_is_a_row_error(api, uniq):
    rows = [row(f"ok.{uniq}"), row(f"san-long.{uniq}", sans=["DNS:" + "a" * (SAN_MAX - 3)])]
    errs = errors_of(api.post(DATA, json={"content": json.dumps(rows)}))
    assert errs == [{"row": 2, "field": "sans",
                     "message": f"Each item must be a string of at most {SAN_MAX} characters."}]
    assert api.count(q=uniq) == 0


def test_san_element_over_limit_in_csv_text(api, uniq):
    content = csv_of([row(f"san-csv.{uniq}", sans="a.example;" + "b" * (SAN_MAX + 1))])
    errs = errors_of(api.post(DATA, json={"content": content, "format": "csv"}))
    assert [(e["row"], e["field"]) for e in errs] == [(1, "sans")]
    assert api.count(q=uniq) == 0
