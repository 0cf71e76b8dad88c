/* Runs first: records script errors, blocked requests and console errors in
   <body data-errors>, so that a page that broke says so. */
(function () {
  "use strict";
  var errors = [];
  function record(message) {
    errors.push(String(message));
    document.body.setAttribute("data-errors", errors.join(" | "));
  }
  window.onerror = function (message, source, line) {
    record(message + " (line " + line + ")");
  };
  window.addEventListener("unhandledrejection", function (event) {
    record("unhandled rejection: " + event.reason);
  });
  document.addEventListener("securitypolicyviolation", function (event) {
    record("blocked by the page's policy: " + event.violatedDirective + " " + event.blockedURI);
  });
  var consoleError = console.error;
  console.error = function () {
    record("console: " + Array.prototype.join.call(arguments, " "));
    consoleError.apply(console, arguments);
  };
})();
