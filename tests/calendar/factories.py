"""Small helpers for calendar tests."""

from datetime import date

from onewindow.orgs.models import Region, ServiceCentre

# An EXAMPLE 2027 schedule (not the official one), as in src/onewindow/calendar/examples/2027.yaml.
EXAMPLE_2027 = [
    (date(2027, 1, 1), "holiday", "元旦"),
    (date(2027, 1, 2), "holiday", "元旦"),
    (date(2027, 1, 3), "holiday", "元旦"),
    (date(2027, 10, 1), "holiday", "国庆节"),
    (date(2027, 10, 4), "holiday", "国庆节"),
    (date(2027, 10, 9), "makeup_workday", "国庆节"),
]


def make_centre(code="DX01", *, weekend_service=True) -> ServiceCentre:
    region, _ = Region.objects.get_or_create(code="450681000000", defaults={"name": "东兴市", "level": 3})
    return ServiceCentre.objects.create(code=code, name="东兴市政务服务中心", level=3, region=region,
                                        weekend_service=weekend_service)
