/* Shegong's page behaviour, wired by data-attributes (the Content-Security-Policy allows no
   inline script or on* handler):

   data-autosubmit          a <select> that submits its form when changed
   data-print               a button that prints the page
   data-poll="URL"          a background-job box that polls URL for its state (JSON with
                            status_label, message, percent, progress, total, has_file,
                            finished) and fills #job-status, #job-message, #job-bar,
                            #job-progress, #job-total; shows #job-file once there is a file
                            and #job-done once finished. data-finished="1": no polling.
     data-download="URL"    with data-poll: once the job is done with a file, the browser
                            fetches URL (an attachment: the page stays) by itself; also at
                            once if the page opens on a finished job and has data-autostart
                            (it came from the button that started the job; the ?download=1
                            that asked for it is taken off the address, so a reload does not
                            download again)
     data-reload-when-finished  with data-poll: a job that ends without a file reloads the
                            page (its retry or abandon buttons)
   data-confirm="TEXT"      a button or link that goes ahead only when the user confirms TEXT
   data-check-all="NAME"    a checkbox that ticks or clears every checkbox named NAME of its form */
(function () {
  "use strict";

  function text(id, value) {
    var node = document.getElementById(id);
    if (node) { node.textContent = value; }
  }

  function show(id) {
    var node = document.getElementById(id);
    if (node) { node.hidden = false; }
  }

  function hide(id) {
    var node = document.getElementById(id);
    if (node) { node.hidden = true; }
  }

  function download(box) {
    hide("job-actions");
    hide("job-hint");
    show("job-file");
    show("job-started");
    window.location.assign(box.dataset.download);
  }

  function finished(box, s) {
    show("job-done");
    if (s.has_file && box.dataset.download) {
      download(box);
    } else if (box.hasAttribute("data-reload-when-finished")) {
      window.location.reload();
    }
  }

  function poll(box) {
    fetch(box.dataset.poll, {credentials: "same-origin"}).then(function (r) {
      return r.json();
    }).then(function (s) {
      text("job-status", s.status_label);
      text("job-message", s.message);
      var bar = document.getElementById("job-bar");
      if (bar) { bar.value = s.percent; }
      text("job-progress", s.progress);
      text("job-total", s.total);
      if (s.has_file) { show("job-file"); }
      if (s.finished) { finished(box, s); } else { setTimeout(function () { poll(box); }, 1000); }
    }).catch(function () { setTimeout(function () { poll(box); }, 3000); });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
    if (target instanceof HTMLInputElement && target.hasAttribute("data-check-all") && target.form) {
      var name = target.getAttribute("data-check-all");
      Array.prototype.forEach.call(target.form.elements, function (box) {
        if (box instanceof HTMLInputElement && box.type === "checkbox" && box.name === name) {
          box.checked = target.checked;
        }
      });
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) { event.preventDefault(); window.print(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) { event.preventDefault(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(function (box) {
      if (box.dataset.finished !== "1") {
        setTimeout(function () { poll(box); }, 500);
      } else if (box.hasAttribute("data-autostart") && box.dataset.download &&
                 !document.getElementById("job-file").hidden) {
        window.history.replaceState(null, "", window.location.pathname);
        download(box);
      }
    });
  });
})();
