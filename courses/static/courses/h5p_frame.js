/*
 * The H5P player frame: starts h5p-standalone with the options the server wrote into
 * #h5p-config, forwards every xAPI statement to the server (JSON, CSRF token in a header),
 * and tells the embedding activity page its height and the learner's result.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("h5p-config").textContent);
  var csrfToken = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var container = document.getElementById("h5p-container");
  var loading = document.getElementById("h5p-loading");
  var saveError = document.getElementById("h5p-save-error");
  var pending = [];
  var sending = false;

  function tellParent(message) {
    if (window.parent === window) {
      return;
    }
    message.source = "lup-h5p";
    (config.parentOrigins || []).forEach(function (origin) {
      try {
        window.parent.postMessage(message, origin);
      } catch (error) {
        /* an origin that is not the parent's: the message is not delivered */
      }
    });
  }

  function post(url, body, contentType, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": contentType, "X-CSRFToken": csrfToken },
      body: body
    });
  }

  /* Statements go one at a time, in order; after a network failure they wait for the next. */
  function flush() {
    if (sending || !pending.length) {
      return;
    }
    sending = true;
    var statement = pending[0];
    post(config.xapiUrl, JSON.stringify(statement), "application/json")
      .then(function (response) {
        pending.shift();
        saveError.hidden = true;
        return response.ok ? response.json() : null;
      })
      .then(function (result) {
        if (result && result.success) {
          tellParent({
            type: "result",
            completed: !!result.completed,
            bestScoreScaled: result.best_score_scaled,
            message: result.message || ""
          });
        }
      })
      .catch(function () {
        saveError.hidden = false;
      })
      .then(function () {
        sending = false;
        if (saveError.hidden) {
          flush();
        }
      });
  }

  function send(statement) {
    pending.push(statement);
    flush();
  }

  function innerWindow() {
    var frame = container.querySelector("iframe");
    return frame ? frame.contentWindow : null;
  }

  /* H5P saves state every saveFreq seconds; this saves it once more when the page goes. */
  function saveStateNow() {
    var inner = innerWindow();
    var instances = inner && inner.H5P && inner.H5P.instances;
    if (!instances || !instances.length || typeof instances[0].getCurrentState !== "function") {
      return;
    }
    var state = instances[0].getCurrentState();
    if (state === undefined) {
      return;
    }
    var data = JSON.stringify(state);
    var content = window.H5PIntegration.contents["cid-" + config.options.id] || {};
    var last = content.contentUserData && content.contentUserData[0];
    if (last && last.state === data) {
      return; /* H5P has sent this very state already */
    }
    var body = new URLSearchParams({
      data: data,
      dataType: "state",
      subContentId: "0",
      preload: "1",
      invalidate: "1"
    });
    post(config.stateUrl, body.toString(), "application/x-www-form-urlencoded", true).catch(
      function () {}
    );
  }

  function reportHeight() {
    tellParent({ type: "height", height: Math.ceil(document.documentElement.scrollHeight) });
  }

  function started() {
    loading.hidden = true;
    var frame = container.querySelector("iframe");
    if (frame) {
      frame.setAttribute("title", config.title);
    }
    window.H5P.externalDispatcher.on("xAPI", function (event) {
      if (event && event.data && event.data.statement) {
        send(event.data.statement);
      }
    });
    window.addEventListener("pagehide", saveStateNow);
    if (window.ResizeObserver) {
      new ResizeObserver(reportHeight).observe(document.body);
    }
    reportHeight();
  }

  new window.H5PStandalone.H5P(container, config.options).then(started, function () {
    loading.hidden = true;
    document.getElementById("h5p-error").hidden = false;
    reportHeight();
  });
})();
