/* The "A- A A+" text-size and high-contrast switches, remembered on this device. */
(function () {
  "use strict";
  var root = document.documentElement;
  var SIZE_KEY = "hocvuso.textSize";
  var CONTRAST_KEY = "hocvuso.contrast";
  var MAX_SIZE = 3;

  function remember(key, value) {
    try {
      if (value === null) {
        localStorage.removeItem(key);
      } else {
        localStorage.setItem(key, value);
      }
    } catch (e) {
      /* Storage blocked: the choice still holds for this page. */
    }
  }

  function currentSize() {
    var size = parseInt(root.getAttribute("data-text-size") || "0", 10);
    return size >= 0 && size <= MAX_SIZE ? size : 0;
  }

  function setSize(size) {
    size = Math.max(0, Math.min(MAX_SIZE, size));
    if (size === 0) {
      root.removeAttribute("data-text-size");
      remember(SIZE_KEY, null);
    } else {
      root.setAttribute("data-text-size", String(size));
      remember(SIZE_KEY, String(size));
    }
  }

  function setContrast(high) {
    root.classList.toggle("high-contrast", high);
    remember(CONTRAST_KEY, high ? "high" : null);
  }

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  function showState() {
    var size = currentSize();
    /* aria-disabled, not disabled: a button that loses focus at the limit would strand keyboard users. */
    each('[data-display="smaller"]', function (button) {
      button.setAttribute("aria-disabled", String(size === 0));
    });
    each('[data-display="larger"]', function (button) {
      button.setAttribute("aria-disabled", String(size === MAX_SIZE));
    });
    each('[data-display="normal"]', function (button) {
      button.setAttribute("aria-pressed", String(size === 0));
    });
    each('[data-display="contrast"]', function (button) {
      button.setAttribute("aria-pressed", String(root.classList.contains("high-contrast")));
    });
  }

  var actions = {
    smaller: function () { setSize(currentSize() - 1); },
    normal: function () { setSize(0); },
    larger: function () { setSize(currentSize() + 1); },
    contrast: function () { setContrast(!root.classList.contains("high-contrast")); }
  };

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-display]");
    if (button && actions[button.getAttribute("data-display")]) {
      actions[button.getAttribute("data-display")]();
      showState();
    }
  });

  showState();
})();
