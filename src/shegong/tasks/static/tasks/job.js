// Polls a job's state (the row every server process reads) and updates its card.
(function () {
  var box = document.getElementById("job");
  if (!box) { return; }
  function text(id, value) { document.getElementById(id).textContent = value; }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      text("job-status", s.status_label);
      text("job-message", s.message);
      document.getElementById("job-bar").value = s.percent;
      text("job-progress", s.progress);
      text("job-total", s.total);
      if (s.has_file) { document.getElementById("job-file").hidden = false; }
      if (s.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  if (box.dataset.finished !== "1") { setTimeout(poll, 500); }
})();
