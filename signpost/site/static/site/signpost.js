// Signpost's only script. Every page works without it; it makes Quick Exit faster and safer.
(function () {
  "use strict";

  var body = document.body;
  body.classList.add("js-enabled", "govuk-frontend-supported");

  var exitUrl = body.getAttribute("data-quick-exit-url") || "https://www.bbc.co.uk/weather";
  var overlay = document.querySelector(".sp-quick-exit-overlay");
  var status = document.querySelector(".sp-quick-exit__status");
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
      announce("Exiting this page");
      quickExit();
    } else {
      announce("Shift, press " + (3 - presses) + " more time" + (presses === 2 ? "" : "s") + " to exit.");
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

  // Reached again through Back or Forward: show the page, and start the count afresh.
  window.addEventListener("pageshow", function () {
    exiting = false;
    if (overlay) overlay.hidden = true;
    body.classList.remove("sp-exiting");
    reset();
  });
})();
