// Client-side search of the static site: MiniSearch over the index in search-index.js.
// Results are built with textContent only, so card text can never become markup.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = (script && script.getAttribute("data-root")) || "";
  var docs = window.TECHWATCH_INDEX || [];
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var category = document.getElementById("category");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var engine = new MiniSearch({
    fields: ["t", "k", "s"],
    storeFields: ["t", "d", "c", "s"],
    searchOptions: { boost: { t: 3, k: 2 }, prefix: true, fuzzy: 0.15 }
  });
  engine.addAll(docs);

  function render() {
    var q = input.value.trim();
    var cat = category.value;
    list.textContent = "";
    if (!q) {
      status.textContent = "Type a word to search " + docs.length + " cards.";
      return;
    }
    var hits = engine.search(q, cat ? { filter: function (r) { return r.c === cat; } } : {});
    status.textContent = hits.length
      ? hits.length + " cards match \u201c" + q + "\u201d."
      : "No card matches \u201c" + q + "\u201d. Try a shorter word or another category.";
    hits.slice(0, 50).forEach(function (hit) {
      var li = document.createElement("li");
      li.className = "card-item";
      var a = document.createElement("a");
      a.className = "card-title";
      a.href = root + "cards/" + encodeURIComponent(hit.id) + ".html";
      a.textContent = hit.t;
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = [hit.d, hit.c].filter(Boolean).join(" \u00b7 ");
      var p = document.createElement("p");
      p.className = "summary";
      p.textContent = hit.s || "";
      li.appendChild(a);
      li.appendChild(meta);
      li.appendChild(p);
      list.appendChild(li);
    });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); render(); });
  input.addEventListener("input", render);
  category.addEventListener("change", render);
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); render(); }
})();
