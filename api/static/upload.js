// The upload forms (new event, new participants or wishes): more day and break rows. (Answers with
// problems, 422 or 413, are swapped in like any other: base.html's htmx-config says so.)
"use strict";
(function () {
  if (window.matchdayUploadForms) return;  // htmx re-runs this file after a swap
  window.matchdayUploadForms = true;

  function reveal(root) {
    root.querySelectorAll("[data-add-day], [data-add-break]").forEach(function (b) { b.hidden = false; });
  }

  function fromTemplate(id, values) {
    var html = document.getElementById(id).innerHTML;
    Object.keys(values).forEach(function (key) { html = html.split(key).join(values[key]); });
    var box = document.createElement("div");
    box.innerHTML = html.trim();
    return box.firstElementChild;
  }

  document.addEventListener("click", function (e) {
    var addDay = e.target.closest("[data-add-day]");
    var addBreak = e.target.closest("[data-add-break]");
    if (addDay) {
      var days = addDay.form.querySelector("[data-days]");
      var n = days.querySelectorAll("fieldset.day").length;
      var day = fromTemplate("day-template", { "__D__": String(n), "__N__": String(n + 1) });
      days.appendChild(day);
      reveal(day);
      day.querySelector("input").focus();
    } else if (addBreak) {
      var fieldset = addBreak.closest("fieldset.day");
      var list = fieldset.querySelector("[data-breaks]");
      var b = list.querySelectorAll("[data-break]").length;
      var row = fromTemplate("break-template", {
        "__D__": fieldset.dataset.day, "__B__": String(b), "__M__": String(b + 1)
      });
      list.appendChild(row);
      row.querySelector("input").focus();
    }
  });

  document.addEventListener("htmx:afterSettle", function (e) { reveal(e.target); });
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
})();
