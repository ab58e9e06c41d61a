// portalwatch's additions to Datasette's pages (served by portalwatch_datasette.py).
document.documentElement.classList.add("pw-js");  // now, in <head>: the CSS folds before the first paint

document.addEventListener("DOMContentLoaded", function () {
  // Column descriptions folded under one line.
  document.querySelectorAll("dl.column-descriptions").forEach(function (dl) {
    var details = document.createElement("details");
    details.className = "pw-columns";
    var summary = document.createElement("summary");
    summary.textContent = "Mô tả các cột — column descriptions (" + dl.querySelectorAll("dt").length + ")";
    dl.parentNode.insertBefore(details, dl);
    details.appendChild(summary);
    details.appendChild(dl);
  });
  // The articles table: one button shows every column (bodies, summaries …) or the compact set again.
  var table = document.querySelector("table.rows-and-columns");
  var cls = document.body.classList;
  if (table && (cls.contains("table-articles") || cls.contains("table-unit_articles"))) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pw-columns-toggle";
    var label = function () {
      button.textContent = cls.contains("pw-all-columns")
        ? "Thu gọn: ẩn nội dung bài và các cột kỹ thuật — compact: hide bodies and bookkeeping columns"
        : "Hiện mọi cột, cả nội dung bài — show every column, bodies too";
    };
    label();
    button.addEventListener("click", function () { cls.toggle("pw-all-columns"); label(); });
    var wrapper = table.closest(".table-wrapper") || table;
    wrapper.parentNode.insertBefore(button, wrapper);
  }
});
