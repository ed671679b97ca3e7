// matchday's small page helpers; every page works without them, they make it smoother.
"use strict";

// Drag and drop onto a file input's zone: the dropped file becomes the input's file.
function setUpDropZones(root) {
  root.querySelectorAll(".drop-zone").forEach(function (zone) {
    if (zone.dataset.ready) return;
    zone.dataset.ready = "1";
    var input = zone.querySelector("input[type=file]");
    var name = zone.querySelector(".file-name");
    function show() { if (name) name.textContent = input.files.length ? input.files[0].name : ""; }
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        show();
      }
    });
  });
}

// Upload progress of htmx requests into the form's <progress data-upload>.
document.addEventListener("htmx:xhr:progress", function (e) {
  var form = e.target.closest("form");
  var bar = form && form.querySelector("progress[data-upload]");
  if (bar && e.detail.lengthComputable) {
    bar.hidden = false;
    bar.value = Math.round((e.detail.loaded / e.detail.total) * 100);
  }
});

// After a swap, move focus to what the new content asks for (data-focus), else leave it.
document.addEventListener("htmx:afterSettle", function (e) {
  setUpDropZones(e.target);
  var target = e.target.querySelector("[data-focus]") || (e.target.matches("[data-focus]") ? e.target : null);
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }
});

document.addEventListener("DOMContentLoaded", function () { setUpDropZones(document); });
