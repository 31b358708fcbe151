// rippleBeacon posts events to a ripple intake (EventGate's API) with
// navigator.sendBeacon, which survives the page being closed. A beacon
// carries a string as text/plain; the intake reads any body as JSON, as
// EventGate does. The intake fills meta.id and meta.dt when missing.
var rippleBeacon = (function () {
  "use strict";

  // send posts events (one object or an array) to url (default: the
  // intake that served this page) and returns whether the browser queued
  // the beacon.
  function send(events, url) {
    return navigator.sendBeacon(url || "/v1/events?hasty=true", JSON.stringify(events));
  }

  // sendFromQuery sends n events of the stream and schema a query string
  // names (?stream=S&schema=/title/version&n=N&run=ID), writing what it
  // did into out.
  function sendFromQuery(search, out) {
    var q = new URLSearchParams(search);
    var stream = q.get("stream");
    if (!stream) {
      return;
    }
    var schema = q.get("schema") || "/resource_change/1.0.0";
    var n = parseInt(q.get("n") || "1", 10);
    var run = q.get("run") || String(Date.now());
    var events = [];
    for (var i = 0; i < n; i++) {
      events.push({
        $schema: schema,
        meta: { stream: stream, uri: location.origin + "/beacon/" + run + "/" + i, domain: location.hostname },
        tags: ["beacon"]
      });
    }
    var ok = send(events);
    out.textContent = (ok ? "queued " : "refused ") + n + " events to " + stream;
  }

  // reportErrors makes every uncaught error of the page a
  // /mediawiki/client/error/2.0.0 event of stream, beaconed as
  // Wikimedia's client error logging does (only the schema's fields:
  // it allows no others).
  function reportErrors(stream, url) {
    window.addEventListener("error", function (e) {
      var err = e.error || {};
      send({
        $schema: "/mediawiki/client/error/2.0.0",
        meta: { stream: stream, domain: location.hostname },
        message: String(e.message || err.message || "error"),
        error_class: String(err.name || ""),
        stack_trace: String(err.stack || ""),
        file_url: String(e.filename || ""),
        url: location.href
      }, url);
    });
  }

  // throwFromQuery, for ?errors=N&stream=S, reports the page's errors to
  // S and throws N uncaught errors, of two kinds taking turns (a
  // TypeError and a ReferenceError), each from a task of its own, as a
  // broken gadget would; it writes what it did into out.
  function throwFromQuery(search, out) {
    var q = new URLSearchParams(search);
    var stream = q.get("stream");
    var n = parseInt(q.get("errors") || "0", 10);
    if (!stream || !n) {
      return;
    }
    reportErrors(stream);
    for (var i = 0; i < n; i++) {
      setTimeout(i % 2 === 0 ? function () {
        var gadget;
        return gadget.render();
      } : function () {
        return undefinedModule.init();
      }, 0);
    }
    out.textContent = "threw " + n + " errors, reported to " + stream;
  }

  return { send: send, sendFromQuery: sendFromQuery, reportErrors: reportErrors, throwFromQuery: throwFromQuery };
})();
