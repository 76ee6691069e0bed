/* 娘家 · station maps. No dependencies besides Leaflet (static/vendor/leaflet-1.9.4), and optional:
   without Leaflet or without JavaScript the page stays the list it already is.

   Markup (templates/core/_map.html writes it):
     <div class="map" data-map="ID" hidden></div>
     <script type="application/json" id="ID">{"tile_url": "", "attribution": "", "centre": [lat, lon],
       "zoom": 13, "points": [{"lat","lon","label","url","kind","open"}],
       "circles": [{"lat","lon","radius_m","label"}]}</script>
   Coordinates arrive in the system the tiles draw (the server converts them: core.maps).
   An empty tile_url still draws the markers and circles, on a plain background. */
(function () {
  "use strict";
  var L = window.L;
  if (!L || !document.querySelectorAll) return;

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  function popup(p) {
    var box = document.createElement("div");
    if (p.url) {
      var a = text("a", p.label || "", "map-link");
      a.href = p.url;
      box.appendChild(a);
    } else {
      box.appendChild(text("strong", p.label || ""));
    }
    if (p.note) box.appendChild(text("div", p.note, "map-note"));
    return box;
  }

  function latlng(v) {
    if (!v) return null;
    if (Array.isArray(v)) return v.length === 2 ? [+v[0], +v[1]] : null;
    return [+v.lat, +v.lon];
  }

  function draw(el) {
    var island = document.getElementById(el.getAttribute("data-map"));
    if (!island || el.getAttribute("data-map-drawn")) return;
    var data;
    try {
      data = JSON.parse(island.textContent);
    } catch (e) {
      return;
    }
    el.hidden = false;
    el.setAttribute("data-map-drawn", "1");
    var map = L.map(el, {
      scrollWheelZoom: false,
      attributionControl: !!data.tile_url,
      zoomControl: false,
      zoomSnap: 0.5
    });
    // The buttons' names in the page's language (Leaflet's own are English).
    L.control.zoom({ zoomInTitle: data.zoom_in || "+", zoomOutTitle: data.zoom_out || "-" }).addTo(map);
    if (data.tile_url) {
      L.tileLayer(data.tile_url, {
        maxZoom: data.max_zoom || 18,
        attribution: data.attribution || "",
        subdomains: data.subdomains || "abc"
      }).addTo(map);
    } else {
      el.className += " map-blank";
      el.style.background = "#eef3f7";
    }
    var bounds = [];
    (data.circles || []).forEach(function (c) {
      var at = [+c.lat, +c.lon];
      var circle = L.circle(at, {
        radius: +c.radius_m || 0,
        weight: 1,
        color: c.color || "#1a56db",
        fillOpacity: 0.08
      }).addTo(map);
      if (c.label) circle.bindTooltip(c.label);
      bounds.push(L.latLng(at).toBounds(2 * (+c.radius_m || 0)));
    });
    // The viewer's own position last, so it is drawn on top of a station next to it.
    var points = (data.points || []).filter(function (p) { return p.kind !== "here"; });
    points = points.concat((data.points || []).filter(function (p) { return p.kind === "here"; }));
    points.forEach(function (p) {
      var at = [+p.lat, +p.lon];
      var here = p.kind === "here";
      var colour = here ? "#1a56db" : p.open === false ? "#7a808a" : "#c8102e";
      var marker = L.circleMarker(at, {
        radius: here ? 7 : 9,
        weight: 2,
        color: "#fff",
        fillColor: colour,
        fillOpacity: 0.95,
        className: "map-pt map-" + String(p.kind || "pt").replace(/[^\w-]/g, "")
      }).addTo(map);
      if (p.label) {
        marker.bindPopup(popup(p));
        marker.bindTooltip(p.label);
      }
      bounds.push(L.latLngBounds([at, at]));
    });
    var centre = latlng(data.centre);
    if (bounds.length) {
      var all = L.latLngBounds(bounds[0].getSouthWest(), bounds[0].getNorthEast());
      for (var i = 1; i < bounds.length; i++) all.extend(bounds[i]);
      if (centre) all.extend(L.latLngBounds([centre, centre]));
      map.fitBounds(all.pad(0.1), { maxZoom: data.zoom || 16 });
    } else if (centre) {
      map.setView(centre, data.zoom || 13);
    } else {
      map.setView([35, 105], 4);
    }
  }

  function start() {
    var els = document.querySelectorAll("[data-map]");
    for (var i = 0; i < els.length; i++) draw(els[i]);
  }

  window.niangjiaMaps = { draw: draw, start: start };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
