// The cohort's certificates page: while a worker issues certificates, update the figures.
(function () {
  // While a worker issues certificates, update the figures every few seconds.
  var status = document.getElementById("certificate-progress");
  if (!status || !status.dataset.poll) return;
  var issued = document.getElementById("certificates-issued");
  var bar = document.getElementById("certificate-progress-bar");
  function poll() {
    fetch(status.dataset.progressUrl, {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        issued.textContent = data.issued;
        bar.value = data.percent;
        if (data.issued < data.total) { window.setTimeout(poll, 3000); }
      });
  }
  window.setTimeout(poll, 3000);
})();
