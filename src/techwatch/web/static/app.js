// Live app: follows a pipeline run's server-sent events and shows its progress.
// Text only (textContent), so nothing in an event can become markup.
(function () {
  "use strict";
  function follow(box) {
    if (box.dataset.following) return;
    box.dataset.following = "1";
    var id = box.id.replace("run-", "");
    var out = document.getElementById("progress-" + id);
    var result = document.getElementById("result-" + id);
    var source = new EventSource(box.getAttribute("data-events"));
    function line(text) { out.textContent += text + "\n"; }
    source.addEventListener("stage", function (e) {
      var d = JSON.parse(e.data); line(d.stage + ": " + d.total + " to do");
    });
    source.addEventListener("progress", function (e) {
      var d = JSON.parse(e.data); line(d.stage + ": " + d.done + "/" + d.total + " (" + d.status + ")");
    });
    source.addEventListener("stage_done", function (e) {
      var d = JSON.parse(e.data); line(d.stage + ": done (" + d.done + ")");
    });
    source.addEventListener("done", function (e) {
      var d = JSON.parse(e.data); source.close();
      var parts = [];
      Object.keys(d.summary || {}).forEach(function (k) {
        var counts = d.summary[k];
        parts.push(k + " " + Object.keys(counts).map(function (c) { return c + " " + counts[c]; }).join(", "));
      });
      result.textContent = "Run finished: " + parts.join("; ");
      result.className = "run-result flash";
    });
    source.addEventListener("failed", function (e) {
      var d = JSON.parse(e.data); source.close();
      result.textContent = "Run failed: " + d.reason;
      result.className = "run-result error";
    });
  }
  function scan() { document.querySelectorAll("[data-events]").forEach(follow); }
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:afterSwap", scan);
})();

// Ask: tokens stream in as text; the final answer replaces them, each claim with links to
// the cards it cites (built with textContent and encoded card ids only).
(function () {
  "use strict";
  function follow(box) {
    if (box.dataset.following) return;
    box.dataset.following = "1";
    var id = box.id.replace("ask-", "");
    var status = document.getElementById("ask-status-" + id);
    var stream = document.getElementById("ask-stream-" + id);
    var claims = document.getElementById("ask-claims-" + id);
    var source = new EventSource(box.getAttribute("data-ask-events"));
    source.addEventListener("token", function (e) {
      stream.textContent += JSON.parse(e.data).text;
    });
    source.addEventListener("answer", function (e) {
      var d = JSON.parse(e.data);
      source.close();
      stream.textContent = "";
      status.textContent = d.found ? "Answer (" + d.mode + "), with its sources:" : d.message;
      (d.notes || []).forEach(function (n) {
        var p = document.createElement("p"); p.className = "hint"; p.textContent = n;
        box.insertBefore(p, claims);
      });
      d.claims.forEach(function (c) {
        var li = document.createElement("li");
        li.appendChild(document.createTextNode(c.text + " "));
        c.citations.forEach(function (ref) {
          var a = document.createElement("a");
          a.href = "/cards/" + encodeURIComponent(ref.id);
          a.textContent = "[" + ref.title + "]";
          a.className = "cite";
          li.appendChild(a);
          li.appendChild(document.createTextNode(" "));
        });
        claims.appendChild(li);
      });
    });
    source.addEventListener("failed", function (e) {
      source.close();
      status.textContent = "No answer: " + JSON.parse(e.data).reason;
      status.className = "error";
    });
  }
  function scan() { document.querySelectorAll("[data-ask-events]").forEach(follow); }
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:afterSwap", scan);
})();
