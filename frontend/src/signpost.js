// Signpost's only script. Every page works without it; it makes Quick Exit faster and safer.
(function () {
  "use strict";

  var body = document.body;
  body.classList.add("js-enabled", "govuk-frontend-supported");

  var exitUrl = body.getAttribute("data-quick-exit-url") || "https://www.bbc.co.uk/weather";
  var overlay = document.querySelector(".sp-quick-exit-overlay");
  var status = document.querySelector(".sp-quick-exit__status");
  // What is announced, in the page's language: the page writes the words on Quick Exit.
  var quickExitBox = document.querySelector(".sp-quick-exit");
  function words(name, english) {
    return (quickExitBox && quickExitBox.getAttribute("data-" + name)) || english;
  }
  var exiting = false;

  function quickExit(event) {
    if (event) event.preventDefault();
    if (exiting) return;
    exiting = true;
    // Hide the page at once, before the next page has even started to load.
    if (overlay) overlay.hidden = false;
    body.classList.add("sp-exiting");
    try { window.sessionStorage.clear(); } catch (e) { /* storage may be blocked */ }
    try { window.localStorage.clear(); } catch (e) { /* storage may be blocked */ }
    // Replace this page in the history, so Back does not return to it.
    window.location.replace(exitUrl);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("[data-quick-exit]")) quickExit(event);
  });

  // The button is a link styled as a button: let Space press it, as it presses any button.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === " " && target && target.matches && target.matches("[data-quick-exit][role=button]")) {
      quickExit(event);
    }
  });

  // Shift pressed 3 times in a row exits. Shift held while typing another key is a modifier,
  // not a press; any other key starts the count again; a pause of 5 seconds does too.
  var presses = 0;
  var shiftDown = false;
  var usedAsModifier = false;
  var timer = null;

  function announce(text) {
    if (status) status.textContent = text;
  }

  function reset() {
    presses = 0;
    announce("");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Shift") {
      if (!event.repeat) {
        shiftDown = true;
        usedAsModifier = false;
      }
      return;
    }
    if (shiftDown) usedAsModifier = true;
    reset();
  });

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") return;
    var counted = shiftDown && !usedAsModifier;
    shiftDown = false;
    if (!counted) return;
    presses += 1;
    window.clearTimeout(timer);
    timer = window.setTimeout(reset, 5000);
    if (presses >= 3) {
      announce(words("exiting", "Exiting this page"));
      quickExit();
    } else if (presses === 2) {
      announce(words("press-once", "Shift, press 1 more time to exit."));
    } else {
      announce(words("press-twice", "Shift, press 2 more times to exit."));
    }
  });

  // Pressing Shift three times works only with JavaScript: say so only when it does.
  var shiftHint = document.querySelector(".sp-quick-exit__hint");
  if (shiftHint) shiftHint.hidden = false;

  // A first-visit note about Quick Exit. Whether it was seen lives only in this tab's
  // session storage: nothing goes to the server, no cookie is set, and Quick Exit clears it.
  var intro = document.querySelector(".sp-intro");
  var introKey = "signpost-quick-exit-note-seen";
  if (intro) {
    var seen = false;
    try { seen = window.sessionStorage.getItem(introKey) === "1"; } catch (e) { seen = false; }
    if (!seen) intro.hidden = false;
    var dismiss = intro.querySelector(".sp-intro__dismiss");
    if (dismiss) {
      dismiss.addEventListener("click", function () {
        try { window.sessionStorage.setItem(introKey, "1"); } catch (e) { /* storage may be blocked */ }
        intro.hidden = true;
        var main = document.getElementById("main-content");
        if (main) {
          main.setAttribute("tabindex", "-1");
          main.focus();
        }
      });
    }
  }

  // Phones: the site menu folds behind a "Menu" button, as GOV.UK's service navigation does.
  var narrow = window.matchMedia("(max-width: 40.0525em)");
  var menuToggle = document.querySelector(".govuk-service-navigation__toggle");
  var menu = document.getElementById("navigation");
  function layOutMenu() {
    if (!menuToggle || !menu) return;
    menuToggle.hidden = !narrow.matches;
    menuToggle.removeAttribute("aria-hidden");
    var open = menuToggle.getAttribute("aria-expanded") === "true";
    menu.hidden = narrow.matches && !open;
  }
  if (menuToggle && menu) {
    menuToggle.setAttribute("aria-expanded", "false");
    menuToggle.addEventListener("click", function () {
      var open = menuToggle.getAttribute("aria-expanded") !== "true";
      menuToggle.setAttribute("aria-expanded", open ? "true" : "false");
      layOutMenu();
    });
    layOutMenu();
  }

  // The resources page: filters fold behind "Filter" on phones, and a change to a filter or
  // the sort shows new results at once. Without scripts the form works as a plain form.
  var form = document.querySelector("form[data-live-filters]");
  var region = form && form.querySelector("[data-live-region]");
  var liveStatus = form && form.querySelector("[data-live-status]");
  var filtersOpen = false;
  var pending = null;

  function layOutFilters() {
    if (!region) return;
    var panel = region.querySelector("#filters");
    var toggle = region.querySelector("[data-filter-toggle]");
    var bar = region.querySelector(".sp-list__bar");
    var layout = region.querySelector(".sp-list__layout");
    if (!panel || !toggle || !bar || !layout) return;
    toggle.setAttribute("role", "button");
    toggle.setAttribute("aria-expanded", filtersOpen ? "true" : "false");
    var done = panel.querySelector(".sp-filter__done");
    if (done) done.hidden = !(narrow.matches && filtersOpen);
    if (narrow.matches) {
      panel.hidden = !filtersOpen;
      panel.classList.toggle("sp-filter--open", filtersOpen);
      // Open, the filters come straight after the button that opened them.
      if (filtersOpen && bar.nextElementSibling !== panel) bar.after(panel);
      if (!filtersOpen && panel.parentNode !== layout) layout.appendChild(panel);
    } else {
      panel.hidden = false;
      panel.classList.remove("sp-filter--open");
      if (panel.parentNode !== layout) layout.appendChild(panel);
    }
  }

  function showResults(url, html) {
    var focusedId = document.activeElement && document.activeElement.id;
    region.innerHTML = html;
    layOutFilters();
    // Replace, not push: Back leaves the page as before, and Quick Exit still replaces it.
    window.history.replaceState(null, "", url);
    var count = region.querySelector(".sp-list__count");
    if (liveStatus && count) liveStatus.textContent = count.textContent.replace(/\s+/g, " ").trim();
    var again = focusedId && document.getElementById(focusedId);
    if (again) again.focus();
  }

  function update() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name !== "page" && String(value).trim() !== "") params.append(name, value);
    });
    var url = form.getAttribute("action") + (params.toString() ? "?" + params.toString() : "");
    if (pending) pending.abort();
    pending = new AbortController();
    window.fetch(url, { headers: { "X-Signpost-Part": "results" }, signal: pending.signal })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) { showResults(url, html); })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        form.submit();
      });
  }

  // An error summary takes the focus when the page opens, as GOV.UK's does; its links open
  // the folded filters first when the field they name is inside them.
  function showErrors() {
    if (!region) return;
    var summary = region.querySelector(".govuk-error-summary");
    if (!summary) return;
    if (narrow.matches && region.querySelector("#filters .govuk-form-group--error")) {
      filtersOpen = true;
      layOutFilters();
    }
    summary.focus();
  }

  if (region) {
    region.addEventListener("click", function (event) {
      var link = event.target && event.target.closest && event.target.closest(".govuk-error-summary a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      if (narrow.matches && !filtersOpen && field.closest("#filters")) {
        filtersOpen = true;
        layOutFilters();
      }
      field.focus();
    });
  }

  if (form && region && window.fetch && window.URLSearchParams && window.AbortController) {
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target && (target.type === "checkbox" || target.hasAttribute("data-live"))) update();
    });
    region.addEventListener("click", function (event) {
      var target = event.target;
      var toggle = target && target.closest && target.closest("[data-filter-toggle]");
      var done = target && target.closest && target.closest("[data-filter-done]");
      if ((!toggle && !done) || !narrow.matches) return;
      event.preventDefault();
      filtersOpen = done ? false : !filtersOpen;
      layOutFilters();
      var panel = region.querySelector("#filters");
      if (filtersOpen && panel) panel.focus();
      // "Show N resources" closes the filters and goes to the results they chose.
      var count = region.querySelector(".sp-list__count");
      if (done && count) {
        count.setAttribute("tabindex", "-1");
        count.focus();
      }
    });
    layOutFilters();
  }
  showErrors();

  if (narrow.addEventListener) {
    narrow.addEventListener("change", function () { layOutMenu(); layOutFilters(); });
  }

  // Reached again through Back or Forward: show the page, and start the count afresh.
  window.addEventListener("pageshow", function () {
    exiting = false;
    if (overlay) overlay.hidden = true;
    body.classList.remove("sp-exiting");
    reset();
  });
})();
