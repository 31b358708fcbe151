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

  return { send: send, sendFromQuery: sendFromQuery };
})();
