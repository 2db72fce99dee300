/*
 * The H5P player frame: starts h5p-standalone with the options the server wrote into
 * #h5p-config, forwards every xAPI statement to the server (JSON, to the attempt's token
 * address: no cookie, no CSRF token), and tells the embedding activity page its height and
 * the learner's result.
 *
 * The learner is never left with an empty box: what the page's policy blocks is named, a
 * player that shows nothing after a while says so, and an expired token asks for a reload.
 * For activities completed "when viewed to the end", it reports `experienced` once the end
 * of the content has been on screen.
 */
(function () {
  "use strict";

  var VIEWED_DELAY_MS = 1500;
  var SHOWN_CHECK_MS = 8000;
  var config = JSON.parse(document.getElementById("h5p-config").textContent);
  var container = document.getElementById("h5p-container");
  var loading = document.getElementById("h5p-loading");
  var errorBox = document.getElementById("h5p-error");
  var blocked = document.getElementById("h5p-blocked");
  var saveError = document.getElementById("h5p-save-error");
  var tokenError = document.getElementById("h5p-token-error");
  var pending = [];
  var sending = false;
  var stopped = false;
  var viewedSent = false;

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

  function reportHeight() {
    tellParent({ type: "height", height: Math.ceil(document.documentElement.scrollHeight) });
  }

  function show(element, text) {
    if (text) {
      element.textContent = text;
    }
    element.hidden = false;
    loading.hidden = true;
    reportHeight();
  }

  function post(url, body, contentType, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "omit",
      keepalive: !!keepalive,
      headers: { "Content-Type": contentType },
      body: body
    });
  }

  /* The token has expired (or was refused): nothing more is sent; the learner reloads. */
  function refused(response) {
    stopped = true;
    return response.json().then(
      function (body) {
        show(tokenError, (body && body.message) || "");
        return null;
      },
      function () {
        show(tokenError, "");
        return null;
      }
    );
  }

  /* Statements go one at a time, in order; after a network failure they wait for the next. */
  function flush() {
    if (sending || stopped || !pending.length) {
      return;
    }
    sending = true;
    post(config.xapiUrl, JSON.stringify(pending[0]), "application/json")
      .then(function (response) {
        if (response.status === 403) {
          return refused(response);
        }
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
        show(saveError);
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

  function innerFrame() {
    return container.querySelector("iframe");
  }

  function innerWindow() {
    var frame = innerFrame();
    try {
      return frame ? frame.contentWindow : null;
    } catch (error) {
      return null;
    }
  }

  /* What the policy blocked, in words: a host, or code built from text (eval). */
  function onViolation(event) {
    var uri = event.blockedURI || "";
    var source = uri;
    if (uri === "eval" || uri === "inline" || uri === "wasm-eval") {
      source = config.blockedCodeText || uri;
    } else {
      try {
        source = new URL(uri).host || uri;
      } catch (error) {
        /* not a URL: named as it is */
      }
    }
    show(blocked, config.blockedText.replace("%(source)s", source));
  }
  document.addEventListener("securitypolicyviolation", onViolation);

  /* H5P builds its content frame by writing a document into it, which drops any listener
     added before: the frame's own violations are watched once H5P has started in it. */
  function watchInnerFrame() {
    var tries = 0;
    var timer = window.setInterval(function () {
      var inner = innerWindow();
      tries += 1;
      if (inner && inner.H5P && inner.document) {
        window.clearInterval(timer);
        inner.document.addEventListener("securitypolicyviolation", onViolation);
        inner.document.documentElement.setAttribute("lang", config.language || "");
      } else if (tries > 400) {
        window.clearInterval(timer);
      }
    }, 25);
  }
  watchInnerFrame();

  /* Whether the content shows anything at all: text, an image, a video, a drawing. */
  function contentShown() {
    var inner = innerWindow();
    var root = (inner && inner.document) || document;
    var content = root.querySelector(".h5p-content") || root.body;
    if (!content) {
      return false;
    }
    var text = (content.innerText || content.textContent || "").trim();
    return text.length > 0 || !!content.querySelector("img, video, iframe, canvas, svg");
  }

  function checkShown() {
    if (!contentShown()) {
      show(errorBox);
    }
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

  function viewedStatement() {
    var name = {};
    name[config.language || "und"] = config.title;
    return {
      actor: {
        objectType: "Agent",
        account: { homePage: config.options.xAPIObjectIRI, name: config.options.user.name }
      },
      verb: { id: "http://adlnet.gov/expapi/verbs/experienced", display: { "en-US": "experienced" } },
      object: {
        objectType: "Activity",
        id: config.options.xAPIObjectIRI,
        definition: { name: name }
      },
      result: { completion: true }
    };
  }

  /* "Viewed to the end": the end of the content has stayed on screen for a moment. */
  function watchTheEnd() {
    var end = document.getElementById("h5p-end");
    if (config.completion !== "viewed" || !end || !window.IntersectionObserver) {
      return;
    }
    var timer = null;
    var observer = new IntersectionObserver(function (entries) {
      var visible = entries.some(function (entry) {
        return entry.isIntersecting;
      });
      if (visible && !timer && !viewedSent) {
        timer = window.setTimeout(function () {
          viewedSent = true;
          observer.disconnect();
          send(viewedStatement());
        }, VIEWED_DELAY_MS);
      } else if (!visible && timer) {
        window.clearTimeout(timer);
        timer = null;
      }
    });
    observer.observe(end);
  }

  function started() {
    loading.hidden = true;
    var frame = innerFrame();
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
    window.setTimeout(checkShown, SHOWN_CHECK_MS);
    watchTheEnd();
  }

  /* h5p-standalone has no option for H5P's libraryConfig, but merges an H5PIntegration
     that the page already has into the one it builds; the content frame reads it from there
     (H5P.getLibraryConfig): H5P.MathDisplay finds our MathJax this way. */
  window.H5PIntegration = { libraryConfig: config.libraryConfig || {} };

  new window.H5PStandalone.H5P(container, config.options).then(started, function () {
    show(errorBox);
  });
})();
