// A gathering's QR screen: the check-in code rotates, so fetch the next QR code when the
// current one turns (the view answers ?format=json with the new address and SVG).
(function () {
  var figure = document.getElementById("check-in-qr");
  if (!figure || !figure.dataset.refreshUrl) return;
  var code = figure.querySelector(".qr-code");
  var link = document.getElementById("check-in-url");
  function later(seconds) {
    // A moment after the turn, so the server is surely on the next step.
    window.setTimeout(refresh, Math.max(1, seconds) * 1000 + 300);
  }
  function refresh() {
    fetch(figure.dataset.refreshUrl, {
      credentials: "same-origin",
      headers: {Accept: "application/json"},
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        var svg = new DOMParser().parseFromString(data.svg, "image/svg+xml").documentElement;
        if (svg.nodeName !== "svg") throw new Error("not an SVG");
        code.replaceChildren(document.importNode(svg, true));
        link.href = data.url;
        link.textContent = data.url;
        later(Number(data.refresh_in));
      })
      .catch(function () {
        // Offline for a moment, or signed out: try again soon; the code on screen still
        // works for one more step.
        later(5);
      });
  }
  later(Number(figure.dataset.refreshIn));
})();
