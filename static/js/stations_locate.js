/* 附近驿站: "用我的位置查找" asks the browser for the phone's position (WGS-84), fills the form's
   hidden fields and submits it by POST, so the position never appears in a URL or an access log.
   Without JavaScript or geolocation the button stays hidden and a typed place still works. */
(function () {
  "use strict";
  var form = document.getElementById("nearby-form");
  if (!form || !navigator.geolocation) return;
  var button = form.querySelector("[data-locate]");
  var status = form.querySelector("[data-locate-status]");
  if (!button) return;
  button.hidden = false;
  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }
  button.addEventListener("click", function () {
    button.disabled = true;
    say(button.getAttribute("data-wait"));
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lon.value = position.coords.longitude.toFixed(6);
        form.elements.system.value = "wgs84";
        form.elements.place.value = "";
        form.submit();
      },
      function (error) {
        button.disabled = false;
        say(button.getAttribute(error.code === 1 ? "data-denied" : "data-failed"));
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
