// Card check: scan with the camera where the browser has BarcodeDetector; otherwise the code is typed
// or pasted into the form. Nothing is loaded from elsewhere.
(function () {
  "use strict";
  var button = document.getElementById("scan");
  if (!button || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    var video = document.getElementById("camera");
    document.getElementById("scanner").hidden = false;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        return video.play().then(function () {
          var look = function () {
            detector.detect(video).then(function (codes) {
              if (codes.length) {
                stream.getTracks().forEach(function (track) { track.stop(); });
                document.getElementById("code").value = codes[0].rawValue;
                document.getElementById("check-form").submit();
              } else {
                window.requestAnimationFrame(look);
              }
            }, function () { window.requestAnimationFrame(look); });
          };
          look();
        });
      })
      .catch(function () { document.getElementById("scanner").hidden = true; });
  });
})();
