// The course's website: explorers and quizzes that work with no kernel.
// course_utils/site.py writes their HTML when the site is built; this script only swaps a
// pre-rendered image when a knob moves, and shows a feedback that was written in Python.
(function () {
  "use strict";

  function setUpExplorer(root) {
    const data = JSON.parse(root.querySelector(".course-explorer-data").textContent);
    const image = root.querySelector(".course-explorer-image");
    const controls = Array.from(root.querySelectorAll("[data-knob]"));
    function update() {
      let index = 0;
      controls.forEach(function (control, k) {
        index = index * data.sizes[k] + Number(control.value);
        if (control.type === "range") {
          const label = JSON.parse(control.dataset.labels)[Number(control.value)];
          control.setAttribute("aria-valuetext", label);
          const shown = root.querySelector('output[for="' + control.id + '"]');
          if (shown) { shown.textContent = label; }
        }
      });
      image.src = data.files[index];
      image.alt = data.alts[index];
    }
    controls.forEach(function (control) { control.addEventListener("input", update); });
  }

  // A checked answer is kept in the browser (localStorage, this site only, nothing is sent) and
  // shown again, with its feedback, when the page is opened again.
  function remembered(name) {
    try { return window.localStorage.getItem("course-quiz:" + name); } catch (e) { return null; }
  }

  function remember(name, value) {
    try { window.localStorage.setItem("course-quiz:" + name, value); } catch (e) { /* not kept */ }
  }

  function setUpQuestion(question) {
    const feedback = question.querySelector(".course-feedback");
    const name = question.querySelector('input[type="radio"]').name;
    function show(key) {
      const template = question.querySelector('template[data-choice="' + key + '"]');
      feedback.replaceChildren(template.content.cloneNode(true));
    }
    question.querySelector(".course-check").addEventListener("click", function () {
      const chosen = question.querySelector('input[type="radio"]:checked');
      show(chosen ? chosen.value : "none");
      if (chosen) { remember(name, chosen.value); }
    });
    const kept = remembered(name);
    const radio = kept === null ? null : question.querySelector('input[type="radio"][value="' + kept + '"]');
    if (radio) {
      radio.checked = true;
      show(kept);
    }
  }

  function setUp() {
    document.querySelectorAll(".course-explorer").forEach(setUpExplorer);
    document.querySelectorAll(".course-question").forEach(setUpQuestion);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
