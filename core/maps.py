"""Data for the station maps (templates/core/_map.html + static/js/stations_map.js).

Points are kept in WGS-84 everywhere; the map draws in the system its tiles use
(settings.MAP_TILE_SYSTEM: wgs84 for OpenStreetMap-style tiles, gcj02 for 高德 / 腾讯 tiles),
so every coordinate is converted here, on the server, before it reaches the page.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from core import geo


def tile_system() -> str:
    system = getattr(settings, "MAP_TILE_SYSTEM", geo.WGS84) or geo.WGS84
    return system if system in geo.SYSTEMS else geo.WGS84


def _convert(lat, lon, system: str) -> tuple[float, float]:
    lat, lon = geo.from_wgs84(geo.Point(float(lat), float(lon)), system)
    return round(lat, 6), round(lon, 6)


def map_data(points=(), circles=(), centre=None, zoom=None) -> dict:
    """The JSON island for one map.

    points: dicts with lat, lon (WGS-84) and optional label, url, kind ("here" draws the
    viewer's own position), open (False greys the marker), note.
    circles: dicts with lat, lon (WGS-84), radius_m and optional label.
    centre: (lat, lon) in WGS-84, used when there is nothing to fit the view to.
    """
    system = tile_system()
    out_points = []
    for p in points:
        lat, lon = _convert(p["lat"], p["lon"], system)
        item = {"lat": lat, "lon": lon}
        for key in ("label", "url", "kind", "open", "note"):
            if p.get(key) is not None:
                item[key] = str(p[key]) if key in ("label", "url", "kind", "note") else p[key]
        out_points.append(item)
    out_circles = []
    for c in circles:
        lat, lon = _convert(c["lat"], c["lon"], system)
        item = {"lat": lat, "lon": lon, "radius_m": float(c["radius_m"])}
        if c.get("label") is not None:
            item["label"] = str(c["label"])
        out_circles.append(item)
    data = {
        "tile_url": settings.MAP_TILE_URL or "",
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        "system": system,
        "points": out_points,
        "circles": out_circles,
        # Leaflet's zoom buttons say "Zoom in" to a screen reader and in their tooltip otherwise.
        "zoom_in": str(_("放大")),
        "zoom_out": str(_("缩小")),
    }
    if centre is not None:
        data["centre"] = list(_convert(centre[0], centre[1], system))
    if zoom:
        data["zoom"] = int(zoom)
    return data
