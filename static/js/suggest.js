/* As the worker types a question, matching articles and answered questions appear under it.
   The textarea carries data-suggest; its form carries data-suggest-url (JSON: {results: [...]}).
   Without this script the form still posts, and the thread page lists the same suggestions. */
(function () {
  "use strict";
  var DELAY_MS = 200;

  function setup(field) {
    var form = field.form;
    var url = form && form.getAttribute("data-suggest-url");
    var box = document.getElementById(field.getAttribute("aria-controls") || "suggestions");
    if (!url || !box) return;
    var list = box.querySelector("ul");
    var timer = null;
    var asked = "";
    var latest = 0;

    function show(results) {
      while (list.firstChild) list.removeChild(list.firstChild);
      results.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.url;
        a.target = "_blank";
        a.rel = "noopener";
        a.textContent = item.title;
        li.appendChild(a);
        if (item.snippet) {
          var small = document.createElement("small");
          small.textContent = item.snippet;
          li.appendChild(small);
        }
        list.appendChild(li);
      });
      box.hidden = results.length === 0;
    }

    function ask() {
      var text = field.value.trim();
      if (text === asked) return;
      asked = text;
      if (text.length < 2) { show([]); return; }
      var ticket = ++latest;
      fetch(url + "?q=" + encodeURIComponent(text.slice(0, 200)), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (ticket === latest) show(data.results || []); })
        .catch(function () { /* suggestions are a help, never a blocker */ });
    }

    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    if (field.value) ask();
  }

  document.querySelectorAll("textarea[data-suggest], input[data-suggest]").forEach(setup);
})();
