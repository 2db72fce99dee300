/*
 * Loaded inside H5P's content frame, after the libraries: H5P core saves the learner's
 * state with jQuery's ajax, so its requests to our origin carry the CSRF token the player
 * frame (the parent page, same origin) holds.
 */
(function () {
  "use strict";
  var meta = window.parent.document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.H5P || !window.H5P.jQuery) {
    return;
  }
  var token = meta.getAttribute("content");
  window.H5P.jQuery.ajaxPrefilter(function (options, originalOptions, xhr) {
    if (!options.crossDomain) {
      xhr.setRequestHeader("X-CSRFToken", token);
    }
  });
})();
