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
