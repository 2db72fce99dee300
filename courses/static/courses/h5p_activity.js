/*
 * The activity page around the H5P player frame: fits the frame to the player's height and
 * shows the learner's result as soon as the server has recorded it.
 */
(function () {
  "use strict";
  var frame = document.querySelector("iframe[data-h5p-player]");
  if (!frame) {
    return;
  }
  var origin = frame.getAttribute("data-player-origin") || window.location.origin;
  var result = document.getElementById("h5p-result");
  var doneTag = document.getElementById("h5p-done-tag");

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) {
      return;
    }
    var data = event.data || {};
    if (data.source !== "lup-h5p") {
      return;
    }
    if (data.type === "height" && typeof data.height === "number" && data.height > 0) {
      frame.style.height = Math.min(Math.max(data.height, 200), 5000) + "px";
    } else if (data.type === "result") {
      if (result && data.message) {
        result.textContent = data.message;
      }
      if (doneTag && data.completed) {
        doneTag.hidden = false;
      }
    }
  });
})();
