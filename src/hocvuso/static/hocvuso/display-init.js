/* Runs in <head> before the first paint, so a remembered text size or contrast never flashes. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var size = localStorage.getItem("hocvuso.textSize");
    if (size === "1" || size === "2" || size === "3") {
      root.setAttribute("data-text-size", size);
    }
    if (localStorage.getItem("hocvuso.contrast") === "high") {
      root.classList.add("high-contrast");
    }
  } catch (e) {
    /* Storage blocked (private mode, strict settings): the page keeps its defaults. */
  }
})();
