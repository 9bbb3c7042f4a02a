"""Check the Open311 endpoint with an existing client: the `georeport` package (PyPI, a GeoReport v2
wrapper) lists services, definitions and requests in JSON and XML; the POST goes through `requests` as
any client sends it (form-encoded, api_key). Not part of the test suite (georeport is not a dependency):

    python -m venv /tmp/o311 && /tmp/o311/bin/pip install georeport
    onewindow token create supervisor --name "Open311 client"      # prints ow_…
    /tmp/o311/bin/python scripts/open311_client_check.py http://127.0.0.1:8000/open311/v2/ ow_…
"""

import sys

import requests
from georeport import GeoReport


def main(root: str, key: str) -> None:
    for fmt in ("json", "xml"):
        response = requests.post(f"{root}requests.{fmt}", timeout=10, data={
            "api_key": key, "service_code": "complaint", "lat": "21.547", "long": "107.971",
            "description": f"({fmt}) 窗口工作人员推诿，要求到别的部门开证明", "first_name": "小明", "last_name": "黄",
            "attribute[subkind]": "passing_the_buck"})
        response.raise_for_status()
        print(fmt, "POST requests:", response.status_code, response.text[:160])
    for fmt in ("json", "xml"):
        client = GeoReport(root, jurisdiction="dongxing.gov.cn", output_format=fmt)
        services = client.get_service_list()
        print(fmt, "services:", [s["service_code"] for s in services])
        if fmt == "json":
            print(fmt, "definition:", [a["code"] for a in client.get_service_definition("complaint")["attributes"]])
        found = client.get_service_requests(status="open")
        found = found if isinstance(found, list) else [found]
        print(fmt, "requests:", len(found), found[0]["service_request_id"], found[0]["status"])
    print("one:", GeoReport(root).get_service_request(found[0]["service_request_id"]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
