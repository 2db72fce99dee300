/*
 * LUP.Reflection: an H5P content type with a reflection question answered in writing and a
 * short self-check (one multiple-choice question).
 *
 * It uses only the H5P runtime API: H5P.EventDispatcher for events, and the xAPI helpers
 * (createXAPIEventTemplate, setScoredResult, triggerXAPIScored) to report:
 *   - "attempted" when the learner starts (setActivityStarted);
 *   - "answered" for the self-check, as sub-content (context.contextActivities.parent);
 *   - "answered" for the whole activity, with the written reflection as the response;
 *   - "completed" with the score (1 point for the reflection, 1 for a right self-check).
 * getCurrentState() and extras.previousState let the learner resume where they were.
 */
var LUP = window.LUP = window.LUP || {};

LUP.Reflection = (function ($, EventDispatcher) {
  "use strict";

  var SELF_CHECK_ID = "self-check";
  var DEFAULTS = {
    title: "",
    question: "",
    answerLabel: "Your reflection",
    answerHelp: "",
    minLength: 20,
    selfCheck: { question: "", alternatives: [] },
    l10n: {
      check: "Check and submit",
      tryAgain: "Try again",
      needAnswer: "Write at least :num characters in your reflection.",
      needChoice: "Choose an answer in the self-check.",
      correct: "Right! Your reflection is saved.",
      wrong: "Not quite. Your reflection is saved; have another look at the self-check.",
      score: "Score: :score of :total",
      selfCheckHeading: "Self-check"
    }
  };

  function extend(target, source) {
    Object.keys(source || {}).forEach(function (key) {
      var value = source[key];
      if (value && typeof value === "object" && !Array.isArray(value) && target[key]) {
        target[key] = extend(Object.assign({}, target[key]), value);
      } else if (value !== undefined && value !== null) {
        target[key] = value;
      }
    });
    return target;
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function Reflection(params, contentId, extras) {
    EventDispatcher.call(this);
    this.params = extend(JSON.parse(JSON.stringify(DEFAULTS)), params || {});
    this.contentId = contentId;
    this.extras = extras || {};
    var previous = this.extras.previousState || {};
    this.answer = typeof previous.answer === "string" ? previous.answer : "";
    this.choice = typeof previous.choice === "number" ? previous.choice : null;
    this.checked = previous.checked === true;
  }

  Reflection.prototype = Object.create(EventDispatcher.prototype);
  Reflection.prototype.constructor = Reflection;

  Reflection.prototype.getMaxScore = function () {
    return 2;
  };

  Reflection.prototype.getScore = function () {
    if (!this.checked) {
      return 0;
    }
    return (this.hasAnswer() ? 1 : 0) + (this.isCorrect() ? 1 : 0);
  };

  Reflection.prototype.getAnswerGiven = function () {
    return this.answer.trim().length > 0 || this.choice !== null;
  };

  Reflection.prototype.hasAnswer = function () {
    return this.answer.trim().length >= this.params.minLength;
  };

  Reflection.prototype.isCorrect = function () {
    var alternatives = this.params.selfCheck.alternatives || [];
    return this.choice !== null && !!(alternatives[this.choice] && alternatives[this.choice].correct);
  };

  Reflection.prototype.getCurrentState = function () {
    if (!this.getAnswerGiven() && !this.checked) {
      return undefined;
    }
    return {
      answer: this.answer,
      choice: this.choice,
      checked: this.checked,
      score: this.checked ? this.getScore() : null
    };
  };

  Reflection.prototype.resetTask = function () {
    this.answer = "";
    this.choice = null;
    this.checked = false;
    this.render();
  };

  Reflection.prototype.getTitle = function () {
    return this.params.title || (this.extras.metadata && this.extras.metadata.title) || "";
  };

  Reflection.prototype.attach = function ($container) {
    this.$container = $container;
    $container.addClass("lup-reflection");
    this.render();
  };

  Reflection.prototype.render = function () {
    var self = this;
    var params = this.params;
    var l10n = params.l10n;
    var root = this.$container.get(0);
    var id = "lup-reflection-" + String(this.contentId).replace(/[^\w-]/g, "");
    root.textContent = "";

    var form = element("form", { "class": "lup-reflection__form", novalidate: "" });
    if (params.title) {
      form.appendChild(element("h2", { "class": "lup-reflection__title" }, params.title));
    }

    var field = element("div", { "class": "lup-reflection__field" });
    field.appendChild(element("label", { "for": id + "-answer" }, params.question));
    if (params.answerHelp) {
      field.appendChild(element("p", { "class": "lup-reflection__help", id: id + "-help" }, params.answerHelp));
    }
    var textarea = element("textarea", { id: id + "-answer", name: "answer", rows: "6", maxlength: "4000" });
    if (params.answerHelp) {
      textarea.setAttribute("aria-describedby", id + "-help");
    }
    textarea.value = this.answer;
    textarea.addEventListener("input", function () {
      self.setActivityStarted();
      self.answer = textarea.value;
    });
    field.appendChild(textarea);
    form.appendChild(field);

    var fieldset = element("fieldset", { "class": "lup-reflection__check" });
    fieldset.appendChild(element("legend", {}, params.selfCheck.question || l10n.selfCheckHeading));
    (params.selfCheck.alternatives || []).forEach(function (alternative, index) {
      var optionId = id + "-choice-" + index;
      var row = element("div", { "class": "lup-reflection__option" });
      var radio = element("input", { type: "radio", name: id + "-choice", id: optionId, value: String(index) });
      radio.checked = self.choice === index;
      radio.disabled = self.checked && self.isCorrect();
      radio.addEventListener("change", function () {
        self.setActivityStarted();
        self.choice = index;
      });
      row.appendChild(radio);
      row.appendChild(element("label", { "for": optionId }, alternative.text));
      fieldset.appendChild(row);
    });
    form.appendChild(fieldset);

    var feedback = element("p", { "class": "lup-reflection__feedback", role: "status", id: id + "-feedback" });
    var buttons = element("div", { "class": "lup-reflection__buttons" });
    var done = this.checked && this.isCorrect();
    var button = element("button", { type: "submit", "class": "h5p-joubelui-button lup-reflection__button" },
      this.checked && !done ? l10n.tryAgain : l10n.check);
    if (!done) {
      buttons.appendChild(button);
    }
    form.appendChild(buttons);
    form.appendChild(feedback);
    if (this.checked) {
      this.showResult(feedback);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.answer = textarea.value;
      if (!self.hasAnswer()) {
        feedback.textContent = l10n.needAnswer.replace(":num", String(params.minLength));
        feedback.className = "lup-reflection__feedback lup-reflection__feedback--error";
        textarea.focus();
        return;
      }
      if (self.choice === null) {
        feedback.textContent = l10n.needChoice;
        feedback.className = "lup-reflection__feedback lup-reflection__feedback--error";
        return;
      }
      self.check();
      self.render();
      var newFeedback = root.querySelector(".lup-reflection__feedback");
      if (newFeedback) {
        newFeedback.setAttribute("tabindex", "-1");
        newFeedback.focus();
      }
    });

    root.appendChild(form);
    this.trigger("resize");
  };

  Reflection.prototype.showResult = function (feedback) {
    var l10n = this.params.l10n;
    var correct = this.isCorrect();
    feedback.textContent = (correct ? l10n.correct : l10n.wrong) + " " +
      l10n.score.replace(":score", String(this.getScore())).replace(":total", String(this.getMaxScore()));
    feedback.className = "lup-reflection__feedback lup-reflection__feedback--" + (correct ? "correct" : "wrong");
  };

  /* Score the answers and report them: the self-check as sub-content, then the whole. */
  Reflection.prototype.check = function () {
    this.setActivityStarted();
    this.checked = true;
    var correct = this.isCorrect();
    var score = this.getScore();
    var max = this.getMaxScore();
    var alternatives = this.params.selfCheck.alternatives || [];

    var selfCheck = this.createXAPIEventTemplate("answered");
    var statement = selfCheck.data.statement;
    var parentId = statement.object.id;
    statement.object.id = parentId + (parentId.indexOf("?") === -1 ? "?" : "&") + "subContentId=" + SELF_CHECK_ID;
    statement.object.definition = statement.object.definition || {};
    statement.object.definition.extensions = statement.object.definition.extensions || {};
    statement.object.definition.extensions["http://h5p.org/x-api/h5p-subContentId"] = SELF_CHECK_ID;
    statement.object.definition.type = "http://adlnet.gov/expapi/activities/cmi.interaction";
    statement.object.definition.interactionType = "choice";
    statement.object.definition.description = { "en-US": this.params.selfCheck.question || "" };
    statement.object.definition.choices = alternatives.map(function (alternative, index) {
      return { id: String(index), description: { "en-US": alternative.text } };
    });
    statement.object.definition.correctResponsesPattern = alternatives
      .map(function (alternative, index) { return alternative.correct ? String(index) : null; })
      .filter(function (value) { return value !== null; });
    statement.context = statement.context || {};
    statement.context.contextActivities = statement.context.contextActivities || {};
    statement.context.contextActivities.parent = [{ id: parentId, objectType: "Activity" }];
    selfCheck.setScoredResult(correct ? 1 : 0, 1, this, true, correct);
    statement.result.response = String(this.choice);
    this.trigger(selfCheck);

    var answered = this.createXAPIEventTemplate("answered");
    answered.setScoredResult(score, max, this, true, score === max);
    answered.data.statement.result.response = this.answer;
    this.trigger(answered);

    this.triggerXAPIScored(score, max, "completed", true, score === max);
  };

  return Reflection;
})(H5P.jQuery, H5P.EventDispatcher);
