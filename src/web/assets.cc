#include "web/assets.h"

namespace qrt::web {

const std::string_view kStylesheet = R"css(
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;display:flex;align-items:center;gap:24px;padding:8px 20px}
header .brand{font-weight:700;font-size:16px;color:#fff;text-decoration:none}
header nav a{color:#d0d7de;text-decoration:none;margin-right:16px}
header nav a.active{color:#fff;font-weight:600;border-bottom:2px solid #fff}
header .who{margin-left:auto;display:flex;gap:12px;align-items:center;color:#d0d7de}
header .who button{background:none;border:1px solid #57606a;color:#fff;border-radius:4px;padding:2px 8px;cursor:pointer}
main{padding:16px 20px;max-width:1400px}
h1{font-size:20px;margin:8px 0 12px}
h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600;font-size:13px}
td.num,th.num{text-align:right}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
a{color:#0b5cad}
.status{font-weight:600;white-space:nowrap}
.st-Queued{color:#9a6700}.st-Running{color:#0969da}.st-Completed{color:#1a7f37}
.st-Failed{color:#cf222e}.st-Cancelled{color:#57606a}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;background:#fff;padding:10px;border:1px solid #d0d7de;margin-bottom:12px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:#57606a}
.filters input,.filters select{font-size:13px;padding:3px 5px}
button,.button{font-size:13px;padding:3px 10px;border-radius:4px;border:1px solid #8c959f;background:#fff;cursor:pointer}
button.danger{border-color:#cf222e;color:#cf222e}
.card{background:#fff;border:1px solid #d0d7de;padding:12px;margin-bottom:14px;overflow-x:auto}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:#57606a}
dl.facts dd{margin:0}
.muted{color:#57606a}
.error{background:#ffebe9;border:1px solid #cf222e;padding:8px 12px;margin:8px 0}
.notice{background:#ddf4ff;border:1px solid #54aeff;padding:8px 12px;margin:8px 0}
.login{max-width:420px;margin:60px auto;background:#fff;border:1px solid #d0d7de;padding:24px}
.login input[type=password]{width:100%;font-size:14px;padding:6px;margin:8px 0 12px}
.tag{display:inline-block;background:#ddf4ff;border-radius:10px;padding:0 8px;margin:1px 2px;font-size:12px}
.pager{margin:10px 0;display:flex;gap:12px;align-items:center}
svg.chart{background:#fff;max-width:100%;height:auto}
#jobs td:nth-child(5),td.started,td.finished,td.queue{white-space:nowrap;font-size:12.5px}
td.why{max-width:420px;font-size:12px;color:#57606a}
.grid2{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px}
)css";

const std::string_view kScript = R"js(
(function () {
  "use strict";
  var finals = {Completed: 1, Failed: 1, Cancelled: 1};
  function setText(row, cls, text) {
    var el = row.querySelector("." + cls);
    if (el && el.textContent !== text) el.textContent = text;
  }
  function update(jobs) {
    jobs.forEach(function (j) {
      var rows = document.querySelectorAll("[data-job]");
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i];
        if (row.getAttribute("data-job") !== j.id) continue;
        var st = row.querySelector(".status");
        if (st) {
          st.textContent = j.status;
          st.className = "status st-" + j.status;
        }
        setText(row, "queue", j.queue);
        setText(row, "why", j.why);
        setText(row, "started", j.started);
        setText(row, "finished", j.finished);
        if (finals[j.status]) {
          row.setAttribute("data-final", "1");
          var form = row.querySelector("form.cancel");
          if (form) form.parentNode.removeChild(form);
          if (row.getAttribute("data-reload") === "1" && row.getAttribute("data-was") !== j.status) {
            window.location.reload();
          }
        }
      }
    });
  }
  function poll() {
    var rows = document.querySelectorAll("[data-job]");
    var ids = [];
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-final") !== "1") ids.push(rows[i].getAttribute("data-job"));
    }
    if (ids.length === 0) return;
    fetch("/ui/api/jobs?ids=" + encodeURIComponent(ids.join(",")), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d && d.jobs) update(d.jobs); })
      .catch(function () {});
  }
  if (document.querySelector("[data-job]")) setInterval(poll, 1000);
})();
)js";

}  // namespace qrt::web
