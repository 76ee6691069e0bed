"""附近驿站 on the worker's phone: the nearest open stations, and a station's own page.

The worker's position reaches the server only in a POST body (the browser's geolocation fills a
form), so it never appears in a URL, a referrer or the access log; it is used for the query and
neither stored nor logged. A typed place is looked up on the server and goes nowhere else.
"""

from django import forms
from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from core import access, geo, maps
from stations import hours as rules
from stations import sections
from stations.choices import StationKind
from stations.models import Amenity, Station
from stations.services import hours as hours_service
from stations.services import nearest as service

LOCATION_FIELDS = ("lat", "lon", "place")


class NearbyForm(forms.Form):
    """Where from (the phone's position, or a typed place) and which stations."""

    lat = forms.FloatField(min_value=-90, max_value=90, required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(min_value=-180, max_value=180, required=False, widget=forms.HiddenInput)
    # Browser geolocation is WGS-84; a client that knows better may say so.
    system = forms.ChoiceField(
        choices=[(s, s) for s in geo.SYSTEMS], initial=geo.WGS84, required=False, widget=forms.HiddenInput
    )
    place = forms.CharField(
        label=gettext_lazy("或输入地点"),
        max_length=50,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("驿站、网点、街道或镇名"), "autocomplete": "off"}
        ),
    )
    kind = forms.MultipleChoiceField(
        label=gettext_lazy("类型"),
        choices=StationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    amenity = forms.MultipleChoiceField(
        label=gettext_lazy("设施服务"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    open_only = forms.BooleanField(label=gettext_lazy("只看正在开放的"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amenity"].choices = list(
            Amenity.objects.filter(active=True).order_by("order", "code").values_list("code", "name")
        )

    def clean(self):
        cleaned = super().clean()
        lat, lon, text = cleaned.get("lat"), cleaned.get("lon"), cleaned.get("place")
        # A typed place wins: the script clears it when the phone's position is used, and a place
        # typed after a search by position must not be ignored for the position still in the form.
        if text:
            found = service.place(text)
            if found is None:
                message = _("没有找到“%(place)s”，换个驿站、网点、街道或镇名试试") % {"place": text}
                self.add_error("place", message)
            else:
                cleaned["point"], cleaned["from_label"] = found
                cleaned["by_position"] = False
        elif lat is not None and lon is not None:
            try:
                cleaned["point"] = geo.to_wgs84(lat, lon, cleaned.get("system") or geo.WGS84)
            except ValueError:
                raise forms.ValidationError(_("定位坐标无效，请重新定位或输入地点")) from None
            cleaned["from_label"] = _("当前位置")
            cleaned["by_position"] = True
        elif {"lat", "lon", "system"} & set(self.errors):  # hidden fields: said where the page shows it
            raise forms.ValidationError(_("定位坐标无效，请重新定位或输入地点"))
        elif not self.errors:
            raise forms.ValidationError(_("请点“用我的位置”，或输入一个地点"))
        return cleaned


def _map(found, origin: geo.Point | None) -> dict:
    points = [
        {
            "lat": f.station.latitude,
            "lon": f.station.longitude,
            "label": f.station.name,
            "url": f.station_url,
            "kind": f.station.kind,
            "open": f.open_now,
            "note": f.distance_text,
        }
        for f in found
    ]
    if origin is not None:
        points.insert(0, {"lat": origin.lat, "lon": origin.lon, "label": _("我的位置"), "kind": "here"})
    return maps.map_data(points=points)


def _rows(found) -> list:
    today = hours_service.local().weekday()
    service.prefetch([f.station for f in found])
    for f in found:
        hours = f.station.hours or []
        f.distance_text = service.distance_text(f.distance_m)
        f.hours_today = rules.format_day(hours[today]) if len(hours) == 7 else ""
        f.station_url = reverse("portal:station", args=[f.station.pk])
        f.nav = service.navigation(f.station)
    return found


@never_cache
@sensitive_post_parameters(*LOCATION_FIELDS)  # kept out of error reports
@access.requires(access.PUBLIC)
def nearby(request):
    """GET: the form. POST: the results, rendered from the POST (no redirect: a redirect would put
    the position in a URL)."""
    if request.method != "POST":
        return render(request, "portal/stations_nearby.html", {"form": NearbyForm(), "searched": False})
    form = NearbyForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/stations_nearby.html", {"form": form, "searched": False}, status=200)
    data = form.cleaned_data
    point = data["point"]
    found = _rows(
        service.nearest(
            point,
            limit=10,
            kinds=data.get("kind") or (),
            amenities=data.get("amenity") or (),
            open_only=data.get("open_only", False),
        )
    )
    origin = point if data.get("by_position") else None
    context = {
        "form": form,
        "searched": True,
        "found": found,
        "from_label": data["from_label"],
        "map": _map(found, origin) if found else None,
    }
    return render(request, "portal/stations_nearby.html", context)


@access.requires(access.PUBLIC)
def station(request, pk: int):
    """A station's page: hours for the week and closures, open now, amenities, contact, photos,
    navigation links; sections other modules add (stations.sections)."""
    item = get_object_or_404(Station.objects.select_related("partner", "union"), pk=pk, active=True)
    service.prefetch([item])
    today = timezone.localdate()
    closures = item.closures.filter(ends_on__gte=today).order_by("starts_on")[:5]
    coords = service.coordinates(item)
    context = {
        "station": item,
        "open_now": hours_service.open_now(item),
        "week": hours_service.week_table(item.hours),
        "today": today.weekday(),
        "closures": closures,
        "closed_today": any(c.starts_on <= today <= c.ends_on for c in closures),
        "photos": item.photos.all()[:6],
        "nav": service.navigation(item),
        "map": maps.map_data(
            points=[{"lat": item.latitude, "lon": item.longitude, "label": item.name, "kind": item.kind}],
            zoom=16,
        )
        # One dot on a blank background says nothing: the station's map needs tiles.
        if coords and settings.MAP_TILE_URL
        else None,
        "sections": sections.for_station(item, request),
    }
    return render(request, "portal/stations_station.html", context)
