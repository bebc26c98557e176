// The editor's live check: the ruleset text goes to POST /api/check a moment
// after typing stops, and the problems come back with line, column and the
// suggestion. Text is put on the page with textContent only (never as HTML).
(function () {
  "use strict";
  var source = document.getElementById("source");
  var list = document.getElementById("diagnostics");
  var status = document.getElementById("status");
  if (!source || !list) { return; }
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var lang = document.documentElement.getAttribute("lang") || "vi";
  var timer = null;
  var sent = 0;

  function where(line, column) {
    return source.dataset.where.replace("{line}", line).replace("{column}", column);
  }

  function show(diagnostics) {
    list.textContent = "";
    if (!diagnostics.length) {
      var ok = document.createElement("li");
      ok.className = "ok";
      ok.textContent = source.dataset.none;
      list.appendChild(ok);
      return;
    }
    diagnostics.forEach(function (d) {
      var item = document.createElement("li");
      item.className = d.severity;
      if (d.line) {
        var place = document.createElement("b");
        place.textContent = where(d.line, d.column) + (d.file ? " (" + d.file + ")" : "") + ": ";
        item.appendChild(place);
        item.dataset.line = d.line;
        item.dataset.column = d.column;
      }
      item.appendChild(document.createTextNode(d.message));
      (d.help || []).forEach(function (h) {
        var help = document.createElement("div");
        help.className = "help";
        help.textContent = source.dataset.help + ": " + h;
        item.appendChild(help);
      });
      list.appendChild(item);
    });
  }

  function check() {
    var mine = ++sent;
    var body = new FormData();
    body.append("ruleset_text", source.value);
    body.append("lang", lang);
    var key = document.querySelector('#editor-form input[name="ruleset"]');
    if (key && key.value) { body.append("ruleset", key.value); }
    status.textContent = source.dataset.checking;
    fetch("/api/check", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": token }
    }).then(function (response) { return response.json(); }).then(function (answer) {
      if (mine !== sent) { return; }  // a newer check is on its way
      status.textContent = "";
      if (answer.error) { show(answer.error.diagnostics || []); } else { show(answer.diagnostics); }
    }).catch(function () { status.textContent = ""; });
  }

  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });

  // A problem clicked: the caret goes to its line and column.
  list.addEventListener("click", function (event) {
    var item = event.target.closest("li[data-line]");
    if (!item || !item.dataset.line) { return; }
    var lines = source.value.split("\n");
    var line = Math.min(parseInt(item.dataset.line, 10), lines.length);
    var offset = 0;
    for (var i = 0; i < line - 1; i++) { offset += lines[i].length + 1; }
    offset += Math.max(0, parseInt(item.dataset.column, 10) - 1);
    source.focus();
    source.setSelectionRange(offset, offset + 1);
  });
}());
